"""Before planning: resolve references to ids and, on request, refresh from the live account.

Resolution comes first (a refresh reads clients by id, so a client declared by code must be
resolved to be read), then the refresh folds the live account into the known state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reconciler.clock import now
from reconciler.core.known import KnownState
from reconciler.core.references import Pending, Resolution
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired
from reconciler.workflows.resolve import resolve, resolve_known

if TYPE_CHECKING:  # the API and the fold are imported where used: a plan often needs neither
    from reconciler.api.api_client import ApiClient
    from reconciler.core.live_fold import Refreshed


@dataclass(frozen=True)
class Prepared:
    """The resolved desired state, the known state to plan against, and what was found."""

    desired: Desired
    known: KnownState
    resolution: Resolution
    refreshed: Refreshed | None = None

    @property
    def creatable(self) -> frozenset[str]:
        """The resources to create (found nowhere, and creation allowed), each as its kind
        names the creation (``Kind.creation_key``)."""
        return self.resolution.creatable


def needs_api(todo: Pending, *, refresh: bool) -> bool:
    """Whether preparing needs the live account: a refresh, or references to look up."""
    return refresh or todo.needs_api


def prepare_offline(
    desired: Desired, known: KnownState, todo: Pending, *, create_missing: bool
) -> Prepared:
    """``prepare`` without a refresh, when ``todo`` needs nothing of the live account
    (``needs_api`` is false): no client, no event loop."""
    resolution = resolve_known(desired, known, todo, create_missing=create_missing)
    return Prepared(resolution.desired, resolution.known, resolution)


async def prepare(
    desired: Desired,
    known: KnownState,
    key: DigestKey,
    client: ApiClient | None,
    *,
    refresh: bool,
    create_missing: bool,
    todo: Pending | None = None,
) -> Prepared:
    """Resolve, then refresh if asked (``client`` is needed when ``needs_api`` says so);
    ``todo`` is ``pending(desired.state, known)`` when the caller has it already."""
    resolution = await resolve(desired, known, client, create_missing=create_missing, todo=todo)
    if not refresh:
        return Prepared(resolution.desired, resolution.known, resolution)
    if client is None:
        raise RuntimeError("a refresh needs an ApiClient")
    from reconciler.api.live import read_live
    from reconciler.core.live_fold import fold

    live = await read_live(client, resolution.desired.state)
    refreshed = fold(resolution.desired.state, resolution.known, live, key, at=now())
    return Prepared(resolution.desired, refreshed.state, resolution, refreshed)
