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
from reconciler.storage.database import check_url
from reconciler.storage.saved_plans import SavedBackend, SavedPlan
from reconciler.storage.url_parts import without_password
from reconciler.workflows.target import Target, new_target, with_state_url

VARIABLE = "RECONCILER_STATE_URL"


def saved_backend(target: Target) -> SavedBackend:
    """What a plan made for ``target`` records of where its known state is."""
    if target.state_url is None:
        return SavedBackend(None, None)
    url = target.state_url.get_secret_value()
    setting = target.tool_settings().state_url
    named = setting is not None and setting.get_secret_value() == url
    return SavedBackend(without_password(url), VARIABLE if named else None)


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
        if given.state_url is not None:
            raise SettingsError(
                f"{saved.path}: the plan was made with the known-state file "
                f"({target.state_path}); it is shown and applied there: drop --state-url"
            )
        return target
    return replace(target, state_url=_url_for(saved, recorded, target))


def _url_for(saved: SavedPlan, recorded: str, target: Target) -> SecretStr:
    """The URL to reach the plan's database with: one given now naming it, else the recorded."""
    given = target.state_url
    if given is not None:
        check_url(given.get_secret_value())
        bare = without_password(given.get_secret_value())
        if bare != recorded:
            raise SettingsError(
                f"{saved.path}: the plan was made with the known state in {recorded}, but "
                f"--state-url names {bare}: apply it to the database it was made from"
            )
        return given
    setting = target.tool_settings().state_url
    if setting is not None:
        check_url(setting.get_secret_value())
        if without_password(setting.get_secret_value()) == recorded:
            return setting
    check_url(recorded)
    return SecretStr(recorded)
