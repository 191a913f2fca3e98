"""The secrets in play during one command: the last redaction before anything is shown.

``exits_cleanly`` starts the set with the environment's secrets (every token, key and password
``desired.secrets_in_play`` finds) and what the settings configure (the API key, the digest
key, the password of ``RECONCILER_STATE_URL``), the commands add that of ``--state-url``, and
``with_inputs`` adds the desired state's secrets once it has read them. The set lives
in the click context of the command, so one invocation never sees another's. Every error
message ``exits_cleanly`` prints, and every log record (through a filter on the log
handlers), passes through it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import click
from pydantic import SecretStr

from reconciler.core.redaction import Redactor
from reconciler.desired.secrets_in_play import environment_secrets
from reconciler.errors import SettingsError
from reconciler.settings import load_api_settings, load_tool_settings
from reconciler.storage.conninfo import passwords
from reconciler.workflows.target import run_environment

_META_KEY = "reconciler.secrets-in-play"


class InPlay:
    """The redactor of every secret known so far in this command."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    def __repr__(self) -> str:
        return f"InPlay({self.redactor!r})"

    def add(self, *secrets: str | SecretStr | None) -> None:
        self.redactor = self.redactor.with_secrets(*secrets)


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
        found = context.meta[_META_KEY] = InPlay(_configured(None))
    return found


@contextlib.contextmanager
def redacting(env_file: Path | None) -> Iterator[InPlay]:
    """Start the command's set of secrets from its settings; redact every log record."""
    context = click.get_current_context(silent=True)
    found = None if context is None else context.meta.get(_META_KEY)
    if isinstance(found, InPlay):
        found.redactor = _configured(env_file)
        secrets = found
    else:  # the first use in this command: the settings are read once, here
        secrets = InPlay(_configured(env_file))
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


def _configured(env_file: Path | None) -> Redactor:
    """A redactor of the environment's secrets and those the settings hold; settings that fail
    to load hold none (the command reports them itself)."""
    environment = run_environment()  # one snapshot: the settings file is read once
    redactor = Redactor(environment_secrets(environment.variables))
    with contextlib.suppress(SettingsError):
        api = load_api_settings(env_file, environment=environment)
        redactor = redactor.with_secrets(api.api_key)
    with contextlib.suppress(SettingsError):
        tool = load_tool_settings(env_file, environment=environment)
        redactor = redactor.with_secrets(tool.digest_key, *database_passwords(tool.state_url))
    return redactor


def database_passwords(url: str | SecretStr | None) -> set[str]:
    """Every spelling of the passwords a known-state database URL holds (none for None)."""
    if isinstance(url, SecretStr):
        url = url.get_secret_value()
    return set() if url is None else passwords(url)
