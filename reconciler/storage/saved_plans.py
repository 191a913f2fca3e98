"""Saved plans: the reviewed plan written by ``plan --out``, applied later by ``apply FILE``.

The file binds a plan to its inputs (the sha256 of the desired file's bytes, the known state's
lineage and serial, the paths, sandbox flag and targets used) and holds the plan document with
every secret redacted: secrets are resolved again from the environment at apply time. A
checksum over the content catches a file changed after it was written. Applying re-plans from
the same inputs and goes ahead only when they are unchanged and the fresh plan makes exactly
the saved calls (method, path and redacted body), so a saved plan can never widen what runs.

Format 2 records the desired file and an explicit known-state file relative to the plan file's
folder, so ``apply plan.json`` works from any folder and with the folder moved as a whole.
Format 1 plans recorded them as given on the command line (relative to the folder ``plan``
ran in, or absolute); they are still read that way, so apply them from that same folder.

Format 3 adds ``backend``: where the known state was kept (a database URL without its
password, and the variable that named it), so ``show`` and ``apply`` use the same one. Plans of
formats 1 and 2 have none and use the known state the command is given now, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reconciler.clock import now
from reconciler.core.plan import Plan
from reconciler.core.plan_document import plan_document
from reconciler.desired.loader.limits import MAX_FILE_BYTES
from reconciler.errors import PlanFileError, StalePlan, StateWriteError
from reconciler.fileio import UnreadableFile, parse_json, read_regular
from reconciler.storage.envelope import format_version, sealed_text, unsealed
from reconciler.storage.files import MAX_READ_BYTES, write_atomically

FORMAT_VERSION = 3
PATHS_RELATIVE_FROM = 2
"""The first format whose paths are relative to the plan file's folder."""
BACKEND_FROM = 3
"""The first format that records where the known state is kept."""
KIND = "reconciler saved plan"
_AGAIN = "make a new one with `reconciler plan --out FILE`"
# How every saved plan starts (``json.dumps`` of its document, format version then kind);
# enough of a file is read to recognise it, never the whole of an unknown file.
_PLAN_START = re.compile(rb'\A\{\s*"format_version":\s*\d+,\s*"kind":\s*"reconciler saved plan"')
_HEAD_BYTES = 4096


@dataclass(frozen=True)
class SavedBackend:
    """Where a plan's known state is kept: ``state_url`` is the database's URL without its
    password (None: the file), ``variable`` the setting that named it (None: ``--state-url``)."""

    state_url: str | None
    variable: str | None


@dataclass(frozen=True)
class Binding:
    """What a plan was made from. ``lineage`` is None when no known state existed yet;
    ``backend`` is None for a plan saved before plans recorded it."""

    desired_file: str
    desired_sha256: str
    state_file: str | None
    sandbox: bool
    targets: tuple[str, ...]
    lineage: str | None
    serial: int
    backend: SavedBackend | None = None


@dataclass(frozen=True)
class SavedPlan:
    """A saved plan read back: its binding and its plan document."""

    path: Path
    binding: Binding
    document: dict[str, Any]

    @property
    def requests(self) -> list[dict[str, Any]]:
        return [_request(call) for call in self.document["calls"]]


def file_sha256(path: Path) -> str:
    """The sha256 of the desired file's bytes, as hex, read as the loader reads it: a regular
    file of at most ``MAX_FILE_BYTES`` (a FIFO, device or directory is refused unopened)."""
    try:
        return hashlib.sha256(read_regular(path, MAX_FILE_BYTES)).hexdigest()
    except FileNotFoundError:
        raise PlanFileError(f"{path}: cannot read the desired file: no such file") from None
    except UnreadableFile as exc:
        raise PlanFileError(f"{path}: cannot read the desired file: {exc}") from None


def _request(call: dict[str, Any]) -> dict[str, Any]:
    return {"method": call["method"], "path": call["path"], "body": call["body"]}


def save_plan(path: Path, plan: Plan, binding: Binding) -> None:
    """Write the plan and its binding, with a checksum, atomically."""
    state_file = binding.state_file
    document = {
        "format_version": FORMAT_VERSION,
        "kind": KIND,
        "created_at": now(),
        **asdict(binding),
        "desired_file": _relative_to(path, binding.desired_file),
        "state_file": None if state_file is None else _relative_to(path, state_file),
        "targets": list(binding.targets),
        "plan": plan_document(plan),
    }
    text = sealed_text(document)
    try:
        write_atomically(path, text + "\n")
    except StateWriteError as exc:
        raise PlanFileError(f"{path}: cannot write the plan: {exc.reason}") from None


def _relative_to(plan: Path, file: str) -> str:
    """``file`` (relative to the working folder, or absolute) relative to ``plan``'s folder."""
    return os.path.relpath(os.path.abspath(file), os.path.abspath(plan.parent))


def _from_plan(plan: Path, file: str, version: int) -> str:
    """A path the plan recorded, as the working folder reaches it."""
    if version < PATHS_RELATIVE_FROM or os.path.isabs(file):
        return file
    return os.path.normpath(plan.parent / file)


def refuse_overwrite(path: Path, protected: Mapping[Path, str]) -> None:
    """Raise ``PlanFileError`` unless a plan may be written to ``path``: it must not be one of
    ``protected`` (a path and what it is, e.g. the known state, existing or not), and an
    existing file there must be a saved plan."""
    for other, what in protected.items():
        if _same_file(path, other):
            raise PlanFileError(
                f"{path} is {what}: refusing to write the plan over it; choose another --out "
                "file (--force writes it anyway)"
            )
    if os.path.lexists(path) and not _is_saved_plan(path):
        raise PlanFileError(
            f"{path} exists and is not a saved plan: refusing to overwrite it; choose another "
            "--out file (--force overwrites it)"
        )


def _same_file(one: Path, other: Path) -> bool:
    if os.path.realpath(one) == os.path.realpath(other):
        return True
    try:
        return os.path.samefile(one, other)  # e.g. hard links
    except OSError:
        return False


def _is_saved_plan(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts as a saved plan does."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return False
    return _PLAN_START.match(head) is not None


def load_plan(path: Path) -> SavedPlan:
    """Read a saved plan; refuse one that is not a plan, is newer, or fails its checksum."""
    try:
        document = parse_json(read_regular(path, MAX_READ_BYTES))
    except FileNotFoundError:
        raise PlanFileError(f"{path}: cannot read the saved plan: no such file") from None
    except UnreadableFile as exc:
        raise PlanFileError(f"{path}: cannot read the saved plan: {exc}") from None
    except ValueError:
        raise PlanFileError(
            f"{path}: not a saved plan (not JSON); to apply a desired-state file use -f FILE"
        ) from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise PlanFileError(f"{path}: not a saved plan (written by `reconciler plan --out`)")
    version = format_version(document)
    if version is None or version > FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: saved plan format {version!r} is newer than this reconciler reads "
            f"({FORMAT_VERSION}); upgrade reconciler"
        )
    content = unsealed(document)
    if content is None:
        raise PlanFileError(
            f"{path}: checksum mismatch: the saved plan was changed after it was written; {_AGAIN}"
        )
    document = content
    try:
        binding = Binding(
            desired_file=_from_plan(path, str(document["desired_file"]), version),
            desired_sha256=str(document["desired_sha256"]),
            state_file=None
            if document["state_file"] is None
            else _from_plan(path, str(document["state_file"]), version),
            sandbox=bool(document["sandbox"]),
            targets=tuple(str(t) for t in document["targets"]),
            lineage=None if document["lineage"] is None else str(document["lineage"]),
            serial=int(document["serial"]),
            backend=_backend(document["backend"]) if version >= BACKEND_FROM else None,
        )
        plan = document["plan"]
        for call in plan["calls"]:
            _request(call)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"{path}: saved plan is incomplete ({exc}); {_AGAIN}") from None
    return SavedPlan(path, binding, plan)


def _backend(recorded: Any) -> SavedBackend:
    if not isinstance(recorded, dict):
        raise TypeError("backend is not an object")
    url, variable = recorded["state_url"], recorded["variable"]
    if not all(value is None or isinstance(value, str) for value in (url, variable)):
        raise TypeError("backend holds something other than text")
    return SavedBackend(url, variable)


def check_fresh(saved: SavedPlan, current: Binding, plan: Plan) -> None:
    """Raise StalePlan unless the inputs are those the plan was saved from, and so are its calls."""
    then, now_ = saved.binding, current
    if then.desired_sha256 != now_.desired_sha256:
        raise StalePlan(
            f"stale plan: {then.desired_file} changed since the plan was saved "
            f"(sha256 {then.desired_sha256[:12]}… then, {now_.desired_sha256[:12]}… now); {_AGAIN}"
        )
    if (then.lineage, then.serial) != (now_.lineage, now_.serial):
        raise StalePlan(
            "stale plan: the known state changed since the plan was saved "
            f"({_describe_state(then)} then, {_describe_state(now_)} now); {_AGAIN}"
        )
    # Compared as they would be saved, so a tuple and a list of the same values are equal.
    fresh = json.loads(json.dumps([_request(c) for c in plan_document(plan)["calls"]]))
    if fresh != saved.requests:
        raise StalePlan(
            f"stale plan: planning again from the same files gives different calls "
            f"({_first_difference(saved.requests, fresh)}); the environment (variables, secrets, "
            f"digest key) may have changed; {_AGAIN}"
        )


def _describe_state(binding: Binding) -> str:
    if binding.lineage is None:
        return "no known state"
    return f"lineage {binding.lineage}, serial {binding.serial}"


def _first_difference(saved: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> str:
    for before, after in zip(saved, fresh, strict=False):
        if before != after:
            if (before["method"], before["path"]) == (after["method"], after["path"]):
                return f"{after['method']} {after['path']} now sends a different body"
            was, now_ = f"{before['method']} {before['path']}", f"{after['method']} {after['path']}"
            return f"saved {was}, now {now_}"
    if len(fresh) > len(saved):
        extra = fresh[len(saved)]
        return f"{len(saved)} saved, {len(fresh)} now; new: {extra['method']} {extra['path']}"
    gone = saved[len(fresh)]
    return f"{len(saved)} saved, {len(fresh)} now; gone: {gone['method']} {gone['path']}"
