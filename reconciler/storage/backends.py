"""The state backends, one table keyed by the known-state URL's scheme (as Terraform's
``internal/backend/init``), and the one place that decides which backend a location names.

A location is the URL a target's known state is kept at (``--state-url``, else
``RECONCILER_STATE_URL``); none means the default backend, the target's known-state file
(``--state PATH``, or the default beside the desired file). Adding a backend is its module,
defining a ``Kind``, and one line of ``_LATER`` below (or one ``register`` line): a backend
in ``_LATER`` is imported when a location first names one of its schemes, so a plan of a file
imports no database code.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import TypeGuard

from pydantic import SecretStr

from reconciler.errors import SettingsError
from reconciler.storage import file_backend
from reconciler.storage.backend import Backend, Kind, Place

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*(?=:)", re.ASCII)
DEFAULT = file_backend.SCHEME
"""The scheme of the backend a target without a state URL uses."""

_TABLE: dict[str, Kind] = {}


def _postgres() -> Kind:
    from reconciler.storage import postgres_backend

    return postgres_backend.KIND


_LATER: dict[tuple[str, ...], Callable[[], Kind]] = {("postgresql", "postgres"): _postgres}
"""The backends registered when first named, by their schemes (as their ``Kind`` has them)."""


def register(kind: Kind) -> None:
    """Make ``kind`` the backend of each of its schemes."""
    for scheme in kind.schemes:
        _TABLE[scheme] = kind


def unregister(kind: Kind) -> None:
    """Forget ``kind`` (a backend registered for a while, as a test does)."""
    for scheme in kind.schemes:
        if _TABLE.get(scheme) is kind:
            del _TABLE[scheme]


def _registered(scheme: str) -> Kind | None:
    """The backend of ``scheme``, its module imported and registered the first time."""
    if scheme not in _TABLE:
        for schemes, kind in _LATER.items():
            if scheme in schemes:
                register(kind())
    return _TABLE.get(scheme)


def _every_kind() -> list[Kind]:
    """Every registered backend, once each, those not imported yet imported."""
    for schemes in _LATER:
        _registered(schemes[0])
    return list(dict.fromkeys(_TABLE.values()))


register(file_backend.KIND)


def kind_of(location: str) -> Kind:
    """The registered backend of ``location``'s scheme; ``SettingsError`` naming the known
    schemes (the location shown without its password) when none is."""
    found = _SCHEME.match(location)
    kind = None if found is None else _registered(found.group())
    if kind is None:
        from reconciler.storage.conninfo import read

        kinds = _every_kind()
        choices = " or ".join(k.shown for k in kinds)
        schemes = ", ".join(f"{s}:" for k in kinds for s in k.schemes)
        raise SettingsError(
            f"the known state's URL must be {choices} (known schemes: {schemes}), "
            f"not {read(location).shown!r}"
        )
    return kind


def check_location(location: str) -> None:
    """``SettingsError`` unless a registered backend can use ``location``."""
    kind_of(location).check(location)


def chosen_location(
    given: SecretStr | None, setting: Callable[[], SecretStr | None], *, file_named: bool
) -> SecretStr | None:
    """The location a target uses, checked: the one given (``--state-url``), else the
    setting's (``RECONCILER_STATE_URL``) unless a file was named (``--state``); none for the
    default file."""
    location = given
    if location is None and not file_named:
        location = setting()
    if location is not None:
        check_location(location.get_secret_value())
    return location


def open_backend(location: SecretStr | None, place: Place) -> Backend:
    """The backend keeping ``place``'s known state at ``location`` (the default file for
    none), chosen by its scheme."""
    if location is None:
        return _TABLE[DEFAULT].open(None, place)
    url = location.get_secret_value()
    kind = kind_of(url)
    kind.check(url)
    return kind.open(url, place)


def public_location(location: SecretStr | None) -> str | None:
    """``location`` (checked) without its secrets, as a saved plan records it (none for the
    default)."""
    if location is None:
        return None
    url = location.get_secret_value()
    kind = kind_of(url)
    kind.check(url)
    return kind.public(url)


def location_secrets(location: str | SecretStr | None) -> set[str]:
    """Every spelling of the secrets ``location`` holds; all of an unknown one that could be
    a secret, as a connection string would."""
    if isinstance(location, SecretStr):
        location = location.get_secret_value()
    if location is None:
        return set()
    try:
        kind = kind_of(location)
    except SettingsError:
        from reconciler.storage.conninfo import passwords

        return passwords(location)
    return kind.secrets(location)


def reach_location(location: SecretStr | None, connect_timeout: Callable[[], float]) -> None:
    """Open and close one connection to the server ``location`` names, if it names one
    (``DatabaseUnreachable``), within the seconds ``connect_timeout`` reads."""
    if location is None:
        return
    url = location.get_secret_value()
    kind = kind_of(url)
    if kind.reach is not None:
        kind.reach(url, connect_timeout())


def shares_runners(location: SecretStr | None) -> TypeGuard[SecretStr]:
    """Whether runners on other machines share accounts through the locks of ``location``'s
    backend (``--shard auto``)."""
    return location is not None and kind_of(location.get_secret_value()).shared


@contextlib.contextmanager
def during_fleet(at_once: int) -> Iterator[None]:
    """Hold open, while a fleet runs, what each backend keeps for it (read connections)."""
    with contextlib.ExitStack() as stack:
        for kind in _every_kind():
            if kind.during_fleet is not None:
                stack.enter_context(kind.during_fleet(at_once))
        yield
