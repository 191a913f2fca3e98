"""Links from a call's source (file and line) to that line on the code host, for Markdown plans.

A link needs the repository's address at one commit, and the file's path from the repository's
root. In order, the address is:

- ``RECONCILER_SOURCE_URL``, as given: the address of the repository's files at a commit, e.g.
  ``https://github.com/owner/repo/blob/<sha>`` (any host whose file links look like this);
- else GitHub's ``GITHUB_SERVER_URL``/``GITHUB_REPOSITORY``/``blob``/commit, the commit being
  ``GITHUB_HEAD_SHA`` when set, else ``GITHUB_SHA``.

``GITHUB_SHA`` is the commit that was checked out and planned: on a ``pull_request`` event that
is GitHub's merge of the pull request into its base, so each link shows exactly the line the
plan read (GitHub keeps that commit while the pull request is open). A workflow that checks out
the pull request's head instead sets ``GITHUB_HEAD_SHA`` to it. The root is
``GITHUB_WORKSPACE``, else the current directory; a file outside it gets no link.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from reconciler.core.plan import Source

_SHA = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class SourceLinks:
    """The address of the repository's files at a commit, and the checkout's root on disk."""

    base: str
    root: Path

    def url(self, source: Source) -> str | None:
        """The address of the source's line, or None when its file is outside the root."""
        try:
            relative = Path(os.path.relpath(os.path.abspath(source.file), self.root.absolute()))
        except ValueError:  # on another drive (Windows)
            return None
        if not relative.parts or relative.parts[0] == ".." or relative.is_absolute():
            return None
        path = PurePosixPath(*relative.parts)
        try:  # an undecodable byte of the name is that byte again
            quoted = quote(str(path), errors="surrogateescape")
        except UnicodeEncodeError:  # a surrogate no byte stands for: no address to link to
            return None
        return f"{self.base.rstrip('/')}/{quoted}#L{source.line}"


def source_links(environ: Mapping[str, str], cwd: Path) -> SourceLinks | None:
    """Links as the environment describes them (see the module's docstring), or None."""
    root = Path(environ.get("GITHUB_WORKSPACE") or cwd)
    explicit = environ.get("RECONCILER_SOURCE_URL", "").strip()
    if explicit.startswith(("https://", "http://")):
        # Kept as given, but nothing in it can end the Markdown link early.
        return SourceLinks(quote(explicit, safe=":/?#[]@!$&'*+,;=%~"), root)
    server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    commit = (environ.get("GITHUB_HEAD_SHA") or environ.get("GITHUB_SHA") or "").strip().lower()
    if not server.startswith(("https://", "http://")) or repository.count("/") != 1:
        return None
    if len(commit) not in (40, 64) or not set(commit) <= _SHA:
        return None
    return SourceLinks(f"{server}/{quote(repository)}/blob/{commit}", root)
