"""The repository being planned, whose files are untrusted, and desired files that leave it.

Everything in the repository (desired files, a settings file in it, file names, symlinks) is
written by whoever opens a pull request. Its top is the nearest folder above the desired file
holding ``.git``; without one, the desired file's folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.errors import InputError
from reconciler.settings import ALLOW_SYMLINKS, operator_flag


def repository_root(path: Path) -> Path:
    """The top of the repository holding ``path`` (a desired file or a folder of them): the
    nearest folder at or above it holding ``.git``, looked for as the path is written; a
    ``.git`` reached through a symlink inside an outer repository is that repository's
    content, so the outer one is the top. Without ``.git``, the folder itself."""
    start = Path(os.path.abspath(path if path.is_dir() else path.parent))
    root: Path | None = None
    crossed = False
    for folder in (start, *start.parents):
        if (root is None or crossed) and os.path.lexists(folder / ".git"):
            root, crossed = folder, False
        if root is not None and os.path.islink(folder):
            crossed = True
    return root or start


def check_desired_path(file: Path) -> None:
    """Refuse (``InputError``), before it is read, a desired file that is a symlink, or is
    reached through one, resolving outside the folder it was found in or outside the
    repository, unless the process environment sets ``RECONCILER_ALLOW_SYMLINKS=1``. The
    error names the file only, never where it leads."""
    if operator_flag(ALLOW_SYMLINKS):
        return
    try:
        real = file.resolve()
    except (OSError, RuntimeError):  # a loop of symlinks
        raise InputError(f"{file}: a symlink that leads nowhere: not read") from None
    bounds = (file.parent.resolve(), repository_root(file).resolve())
    if all(real.is_relative_to(bound) for bound in bounds):
        return
    raise InputError(
        f"{file}: a symlink leading outside the folder it is in or the repository: not read "
        f"(the operator may allow it with {ALLOW_SYMLINKS}=1 in the environment)"
    )
