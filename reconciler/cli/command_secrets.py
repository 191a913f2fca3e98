"""The secrets in play during one command: the last redaction before anything is shown.

``exits_cleanly`` starts the set with the environment's secrets (every token, key and password
``desired.secrets_in_play`` finds) and what the command's target configures (the API key, the
digest key, the password of ``RECONCILER_STATE_URL`` or ``--state-url``: the target's settings,
read once for the whole command), and ``with_inputs`` adds the desired state's secrets once it
has read them. The set lives in the click context of the command, so one invocation never
sees another's. Every error message ``exits_cleanly`` prints, and every log record (through
a filter on the log handlers), passes through it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

import click
from pydantic import SecretStr

from reconciler.core.redaction import Redactor
from reconciler.desired.secrets_in_play import environment_secrets
from reconciler.errors import SettingsError
from reconciler.settings import load_api_settings, load_tool_settings
from reconciler.storage.backends import location_secrets
from reconciler.workflows.target import Target, run_environment

if TYPE_CHECKING:  # the settings' models, imported when settings are first read
    from reconciler.settings import ApiValues, ToolValues

_META_KEY = "reconciler.secrets-in-play"


class InPlay:
    """The redactor of every secret known so far in this command.

    Given how to find the secrets (``_configured``) rather than a redactor, it finds them the
    first time one is asked for: a command that shows no message and adds no secret (a
    ``validate`` of valid files) reads no settings.
    """

    def __init__(self, redactor: Redactor | Callable[[], Redactor]) -> None:
        self._redactor = redactor
        self._lock = threading.RLock()  # a fleet's accounts ask from several threads

    def __repr__(self) -> str:
        return f"InPlay({self.redactor!r})"

    @property
    def redactor(self) -> Redactor:
        with self._lock:
            find = self._redactor
            if isinstance(find, Redactor):
                return find
            # A log record while the secrets are found is filtered as before they were.
            self._redactor = Redactor()
            try:
                self._redactor = find()
            except BaseException:
                self._redactor = find
                raise
            return self._redactor

    @redactor.setter
    def redactor(self, redactor: Redactor | Callable[[], Redactor]) -> None:
        with self._lock:
            self._redactor = redactor

    def add(self, *secrets: str | SecretStr | None) -> None:
        with self._lock:
            self._redactor = self.redactor.with_secrets(*secrets)


class RedactingFilter(logging.Filter):
    """Redacts a log record's message and traceback before any handler formats it."""

    def __init__(self, secrets: InPlay) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        redact = self._secrets.redactor
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def in_play() -> InPlay:
    """The secrets in play in the current command (an empty set outside a command)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return InPlay(Redactor())
    found = context.meta.get(_META_KEY)
    if not isinstance(found, InPlay):
        found = context.meta[_META_KEY] = InPlay(partial(_configured, None))
    return found


@contextlib.contextmanager
def redacting(target: Target | None) -> Iterator[InPlay]:
    """Start the command's set of secrets from its target's settings (the environment's alone
    without one); redact every log record."""
    context = click.get_current_context(silent=True)
    found = None if context is None else context.meta.get(_META_KEY)
    if isinstance(found, InPlay):
        found.redactor = partial(_configured, target)
        secrets = found
    else:  # the first use in this command
        secrets = InPlay(partial(_configured, target))
        if context is not None:
            context.meta[_META_KEY] = secrets
    log_filter = RedactingFilter(secrets)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(log_filter)
    try:
        yield secrets
    finally:
        for handler in handlers:
            handler.removeFilter(log_filter)


def _configured(target: Target | None) -> Redactor:
    """A redactor of the environment's secrets and those the target's settings and database
    URL hold (the unsuffixed settings without a target); settings that fail to load hold none
    (the command reports them itself)."""
    api: Callable[[], ApiValues]
    tool: Callable[[], ToolValues]
    if target is None:
        environment = run_environment()
        api = partial(load_api_settings, environment=environment)
        tool = partial(load_tool_settings, environment=environment)
    else:
        environment, api, tool = target.environment, target.api_settings, target.tool_settings
    redactor = Redactor(environment_secrets(environment.variables))
    with contextlib.suppress(SettingsError):
        redactor = redactor.with_secrets(api().api_key)
    with contextlib.suppress(SettingsError):
        tool_settings = tool()
        found = database_passwords(tool_settings.state_url)
        redactor = redactor.with_secrets(tool_settings.digest_key, *found)
    if target is not None:
        redactor = redactor.with_secrets(*database_passwords(target.state_url))
    return redactor


def database_passwords(url: str | SecretStr | None) -> set[str]:
    """Every spelling of the passwords a known state's URL holds (none for None or a file)."""
    return location_secrets(url)
