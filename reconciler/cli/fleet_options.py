"""Whether a command's ``-f`` names a fleet, and the flags that only make sense for one file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.errors import SettingsError
from reconciler.workflows.target import is_fleet as _is_fleet


def is_fleet(files: Sequence[Path], shard: str | None) -> bool:
    """Whether ``-f`` (and ``--shard``) name a fleet rather than one desired file; the fleet's
    modules are loaded only for a fleet."""
    if shard is None:
        return _is_fleet(files, None)
    from reconciler.workflows.shard_auto import parse_shard

    return _is_fleet(files, parse_shard(shard))


def refuse_beside_fleet(
    *, out: Path | None = None, targets: tuple[str, ...] = (), document: str = "text"
) -> None:
    """``--out`` and ``--target`` name one account's plan and resources, and the apply and
    refresh documents (``--format json``) describe one account: refuse them."""
    if document == "json":
        raise SettingsError(
            "--format json here describes one account: give one -f FILE (a fleet's plan has "
            "`plan --format json`)"
        )
    if out is not None:
        raise SettingsError("--out saves one account's plan: give one -f FILE to use it")
    if targets:
        raise SettingsError("--target names one account's resources: give one -f FILE to use it")
