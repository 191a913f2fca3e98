"""Which desired-state file, known state, account and settings a command works on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.storage.paths import sandbox_data_path, state_path
from reconciler.storage.state_file import StateStore


@dataclass(frozen=True)
class Target:
    """The desired file, the explicit known-state path (if any), sandbox or live, settings file."""

    file: Path
    state: Path | None
    sandbox: bool
    env_file: Path

    @property
    def state_path(self) -> Path:
        return state_path(self.file, self.state, self.sandbox)

    @property
    def sandbox_data_path(self) -> Path:
        return sandbox_data_path(self.file)

    def store(self) -> StateStore:
        """The known-state store of this target."""
        return StateStore(self.state_path)
