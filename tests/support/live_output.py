"""A child process's output read as it comes, to wait for a question before answering it."""

from __future__ import annotations

import subprocess
import threading

PROMPT = "Enter a value"


class Output:
    """A process's stdout, read as it comes, and a way to wait for some text in it."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.text = ""
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for chunk in iter(lambda: process.stdout.read1(4096), b""):  # type: ignore[union-attr]
            with self._changed:
                self.text += chunk.decode("utf-8", "replace")
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, text: str) -> None:
        with self._changed:
            found = self._changed.wait_for(
                lambda: text in self.text or not self._reader.is_alive(), timeout=120
            )
        assert found and text in self.text, self.text

    def finished(self) -> str:
        self._reader.join(timeout=120)
        return self.text
