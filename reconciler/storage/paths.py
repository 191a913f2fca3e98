"""Where the files of one desired-state file live by default, beside it in ``.reconciler/``."""

from __future__ import annotations

from pathlib import Path


def state_path(desired_file: Path, explicit: Path | None, sandbox: bool) -> Path:
    """Known state beside the desired file: ``.reconciler/[sandbox/]<name>.state.json``."""
    if explicit is not None:
        return explicit
    folder = desired_file.resolve().parent / ".reconciler"
    if sandbox:
        folder = folder / "sandbox"
    return folder / f"{desired_file.stem}.state.json"


def sandbox_data_path(desired_file: Path) -> Path:
    """Where ``--sandbox`` keeps the sandbox's data between runs."""
    folder = desired_file.resolve().parent / ".reconciler" / "sandbox"
    return folder / f"{desired_file.stem}.data.json"
