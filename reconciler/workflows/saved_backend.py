"""Which known state a saved plan is shown and applied against: the one it was made with.

A plan records its database as a URL without the password, and the variable that named it. A
URL given now (``--state-url``, else ``RECONCILER_STATE_URL``) that names the same database
supplies the password; otherwise the recorded URL is used as it is, and libpq finds the
password in ``PGPASSWORD`` or ``~/.pgpass``. ``--state-url`` naming another database, or any
database for a plan made with the file, is refused. Plans saved before backends were recorded
use the known state the command is given now, as they always did.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import SecretStr

from reconciler.errors import SettingsError
from reconciler.storage.backends import check_location, public_location
from reconciler.storage.saved_plans import SavedBackend, SavedPlan
from reconciler.workflows.target import Target, new_target, with_state_url

VARIABLE = "RECONCILER_STATE_URL"


def saved_backend(target: Target) -> SavedBackend:
    """What a plan made for ``target`` records of where its known state is: its state URL
    without secrets (none for the file), and the variable that named it, if one did."""
    recorded = public_location(target.state_url)
    named = recorded is not None and target.tool_settings().state_url == target.state_url
    return SavedBackend(recorded, VARIABLE if named else None)


def bound_target(saved: SavedPlan, given: Target) -> Target:
    """The target the saved plan was made for; ``given`` supplies the settings file and a URL
    given now (which must name the plan's database)."""
    bound = saved.binding
    state = None if bound.state_file is None else Path(bound.state_file)
    target = new_target(
        (Path(bound.desired_file),),
        state=state,
        sandbox=bound.sandbox,
        env_file=given.env_file,
        state_url=given.state_url,
        lock_timeout=given.lock_timeout,
        tuning=dict(given.tuning),
        environment=given.environment,
    )
    if bound.backend is None:
        return with_state_url(target)
    recorded = bound.backend.state_url
    if recorded is None:
        if public_location(given.state_url) is not None:
            raise SettingsError(
                f"{saved.path}: the plan was made with the known-state file "
                f"({target.state_path}); it is shown and applied there: drop --state-url"
            )
        return target
    return replace(target, state_url=_url_for(saved, recorded, target))


def _url_for(saved: SavedPlan, recorded: str, target: Target) -> SecretStr:
    """The URL to reach the plan's database with: one given now naming it, else the setting's
    naming it, else the recorded."""
    given = public_location(target.state_url)
    if given is not None and given != recorded:
        raise SettingsError(
            f"{saved.path}: the plan was made with the known state in {recorded}, but "
            f"--state-url names {given}: apply it to the database it was made from"
        )
    for url in (target.state_url, target.tool_settings().state_url):
        if url is not None and public_location(url) == recorded:
            return url
    check_location(recorded)
    return SecretStr(recorded)
