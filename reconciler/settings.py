"""Settings from the environment, and from a settings file only when the operator names one.

Their fields and checks are declared once (``settings_values``); the pydantic-settings classes
``ApiSettings`` and ``ToolSettings`` take them from there for settings made in code, and a run
reads its own here, as those classes would read them, without importing pydantic-settings.

The API key and account name never come from the desired-state file. ``INVOICEXPRESS_*``
variables say which account to talk to; ``RECONCILER_*`` variables tune the tool itself. In a
fleet, each account's settings come first from the same variables suffixed with the account's
name (``INVOICEXPRESS_API_KEY_LISBOA``), then from the unsuffixed ones.

Where the API key and the known state go is the operator's to say: a settings file inside the
repository being planned may not set the base URL, the account or the state URL (unless the
operator trusts it), the trust settings come from the process environment only, and the base
URL must be an InvoiceXpress account host, a loopback address or a host the operator allowed.
"""

from __future__ import annotations

import io
import ipaddress
import os
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError

from reconciler.errors import SettingsError
from reconciler.fileio import UnreadableFile, read_regular

if TYPE_CHECKING:  # imported when first named or read: a command reading no settings never is
    from dotenv.parser import Binding

    from reconciler.settings_models import ApiSettings as ApiSettings
    from reconciler.settings_models import ToolSettings as ToolSettings
    from reconciler.settings_values import ApiValues as ApiValues
    from reconciler.settings_values import ToolValues as ToolValues

_S = TypeVar("_S", "ApiValues", "ToolValues")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")

ENV_FILE = "RECONCILER_ENV_FILE"
"""Names the settings file when ``--env-file`` doesn't; no file is read otherwise."""
TRUST_ENV_FILE = "RECONCILER_TRUST_ENV_FILE"
ALLOWED_HOSTS = "RECONCILER_ALLOWED_HOSTS"
ALLOWED_VARS = "RECONCILER_ALLOWED_VARS"
ALLOW_SYMLINKS = "RECONCILER_ALLOW_SYMLINKS"
TRUST_SETTINGS = (ALLOWED_HOSTS, ALLOWED_VARS, TRUST_ENV_FILE, ALLOW_SYMLINKS)
"""Read from the process environment only: never from a settings file."""
_DESTINATIONS = re.compile(
    r"(invoicexpress_base_url|invoicexpress_account|reconciler_state_url)(_[a-z0-9_]*)?", re.ASCII
)
"""The variables (with or without an account's suffix) that say where the key and state go."""
_ACCOUNT_HOST = re.compile(
    r"([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.app\.invoicexpress\.com", re.ASCII
)
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
_TRUE = frozenset({"1", "true", "yes", "on"})


def __getattr__(name: str) -> Any:
    """``ApiSettings`` and ``ToolSettings``, imported (with pydantic-settings) when first named:
    a run reads its settings without them; ``ApiValues`` and ``ToolValues``, the models it reads
    them with, when first named or read."""
    if name in ("ApiSettings", "ToolSettings"):
        from reconciler import settings_models

        return getattr(settings_models, name)
    if name in ("ApiValues", "ToolValues"):
        from reconciler import settings_values

        return getattr(settings_values, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_stream(stream: IO[str]) -> Iterator[Binding]:
    """The bindings of a settings file's text, as python-dotenv parses them (imported only
    when a settings file is read)."""
    from dotenv.parser import parse_stream as parse

    return parse(stream)


def dotenv_values(*, stream: IO[str]) -> dict[str, str | None]:
    """The variables a settings file's text sets, as python-dotenv reads them."""
    from dotenv import dotenv_values as values

    return values(stream=stream)


def account_suffix(name: str) -> str:
    """The suffix of an account's own settings variables: its name upper-cased, every
    character but an ASCII letter or digit written ``_`` (``porto-2`` → ``PORTO_2``)."""
    return _NOT_ALPHANUMERIC.sub("_", name).upper()


def operator_flag(name: str) -> bool:
    """Whether the process environment turns ``name`` on (``1``, ``true``, ``yes``, ``on``);
    for the trust settings, which no file may set."""
    return os.environ.get(name, "").strip().lower() in _TRUE


def allowed_hosts() -> frozenset[str]:
    """The hosts besides InvoiceXpress's and loopback the API key may be sent to: the
    comma-separated ``RECONCILER_ALLOWED_HOSTS`` of the process environment, lower-cased."""
    listed = os.environ.get(ALLOWED_HOSTS, "").split(",")
    return frozenset(host.strip().lower() for host in listed if host.strip())


MAX_ENV_FILE_BYTES = 1024 * 1024


def _read_env_file(env_file: Path) -> str:
    """The text of the settings file the operator named; refuse one that is missing, not a
    regular file or not UTF-8, naming it."""
    try:
        data = read_regular(env_file, MAX_ENV_FILE_BYTES)
    except FileNotFoundError:
        raise SettingsError(f"{env_file}: no such settings file") from None
    except UnreadableFile as exc:
        raise SettingsError(f"{env_file}: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"{env_file}:{line}: not valid UTF-8 text (byte 0x{data[exc.start]:02x})"
        ) from None


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies in ``folder``, as written or with its symlinks resolved."""
    paths = (Path(os.path.abspath(path)), path.resolve())
    folders = (Path(os.path.abspath(folder)), folder.resolve())
    return any(p.is_relative_to(f) for p in paths for f in folders)


def screen_env_file(env_file: Path, text: str, repository: Path | None) -> None:
    """Refuse a settings file that sets a trust setting, or, lying inside ``repository``
    (unless the operator trusts it), a variable saying where the key or the known state
    goes; the error names the file, lines and variables, never a value."""
    inside = repository is not None and _inside(env_file, repository)
    screened = inside and not operator_flag(TRUST_ENV_FILE)
    trust, destinations = [], []
    for binding in parse_stream(io.StringIO(text)):
        if binding.key is None:
            continue
        name, line = binding.key.lower(), binding.original.line
        if name.upper() in TRUST_SETTINGS:
            trust.append(f"{env_file}:{line}: {name.upper()}")
        elif screened and _DESTINATIONS.fullmatch(name):
            destinations.append(f"{env_file}:{line}: {name.upper()}")
    problems = []
    if destinations:
        problems.append(
            f"{', '.join(destinations)}: a settings file inside the repository being planned "
            "may not say where the API key or the known state goes (the operator may allow it "
            f"with {TRUST_ENV_FILE}=1 in the environment)"
        )
    if trust:
        problems.append(
            f"{', '.join(trust)}: read only from the process environment, never from a file"
        )
    if problems:
        raise SettingsError("; ".join(problems))


class Environment:
    """The process environment and the settings files as one run reads them, so that what is
    the same for every account of a fleet is worked out once: the variables are taken once,
    a settings file is read and screened once, and each account's settings are built once.

    ``variables`` is the run's snapshot of the environment (a copy of the process environment
    taken now, by default): changing the process environment afterwards changes nothing here.
    """

    def __init__(self, variables: Mapping[str, str] | None = None) -> None:
        self.variables: Mapping[str, str] = dict(os.environ) if variables is None else variables
        self._folded = {name.lower(): value for name, value in self.variables.items()}
        self._files: dict[tuple[Path, Path | None], dict[str, str]] = {}
        self._built: dict[tuple[Any, ...], Any]
        self._built = {}
        self._lock = threading.Lock()

    def settings(
        self,
        cls: type[_S],
        env_file: Path | None,
        suffix: str | None,
        repository: Path | None,
        overrides: Mapping[str, Any] | None = None,
    ) -> _S:
        """``cls`` as the environment, then ``env_file``, set it (a variable ending
        ``_<suffix>`` first; ``overrides``, the command line's, before all of them), built
        once per account."""
        given = tuple(sorted((overrides or {}).items()))
        key = (cls, env_file, suffix, repository, given)
        found = self._built.get(key)
        if found is None:
            found = self.read(cls, env_file, suffix, repository, dict(given))
            with self._lock:
                found = self._built.setdefault(key, found)
        return found  # type: ignore[no-any-return]

    def read(
        self,
        cls: type[_S],
        env_file: Path | None,
        suffix: str | None,
        repository: Path | None,
        overrides: Mapping[str, Any],
    ) -> _S:
        """``cls`` read and checked from the variables and ``env_file``, uncached: the one
        place settings are loaded (``settings`` keeps what it gives)."""
        values, own = self._values(cls, env_file, suffix, repository)
        return _build(cls, ({**values, **overrides}, own - overrides.keys()), suffix)

    def _values(
        self, cls: type[_S], env_file: Path | None, suffix: str | None, repository: Path | None
    ) -> tuple[dict[str, str], set[str]]:
        """The values of ``cls``'s fields that are set, and which came from a suffixed
        variable. Unsuffixed names are read in any case, as pydantic-settings reads them."""
        from_file = self._file(env_file, repository) if env_file is not None else {}
        folded_file = {name.lower(): value for name, value in from_file.items()}
        prefix = cls.ENV_PREFIX.lower()
        values: dict[str, str] = {}
        own: set[str] = set()
        for field in cls.model_fields:
            name = f"{prefix}{field}"
            value = self._folded.get(name, folded_file.get(name))
            if suffix:
                exact = f"{name}_{suffix}".upper()
                mine = self.variables.get(exact, from_file.get(exact))
                if mine is not None:
                    value = mine
                    own.add(field)
            if value is not None:
                values[field] = value
        return values, own

    def _file(self, env_file: Path, repository: Path | None) -> dict[str, str]:
        """The variables ``env_file`` sets, read and screened against ``repository`` once."""
        key = (env_file, repository)
        found = self._files.get(key)
        if found is None:
            text = _read_env_file(env_file)
            screen_env_file(env_file, text, repository)
            parsed = dotenv_values(stream=io.StringIO(text))
            found = {name: value for name, value in parsed.items() if value is not None}
            with self._lock:
                found = self._files.setdefault(key, found)
        return found


def _build(cls: type[_S], found: tuple[dict[str, str], set[str]], suffix: str | None) -> _S:
    """``cls`` with the values set, checked; with none set, its defaults, which need no check
    (and its validator is not built)."""
    values, own = found
    if not values:
        return cls.model_construct()
    try:
        return cls.model_validate(values)
    except ValidationError as exc:
        prefix = cls.ENV_PREFIX

        def variable(loc: tuple[int | str, ...]) -> str:
            name = f"{prefix}{'.'.join(map(str, loc)).upper()}"
            return f"{name}_{suffix}" if loc and loc[0] in own else name

        problems = "; ".join(
            f"{variable(e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
        )
        raise SettingsError(f"invalid settings: {problems}") from None


def load_api_settings(
    env_file: Path | None = None,
    suffix: str | None = None,
    *,
    repository: Path | None = None,
    environment: Environment | None = None,
) -> ApiValues:
    """API settings from the environment, then ``env_file`` (when the operator names one),
    screened against ``repository``; with ``suffix``, a variable ending ``_<suffix>`` first.
    ``environment`` is the run's (a snapshot of the process environment taken now if None)."""
    from reconciler.settings_values import ApiValues

    return (environment or Environment()).settings(ApiValues, env_file, suffix, repository)


def load_tool_settings(
    env_file: Path | None = None,
    suffix: str | None = None,
    *,
    repository: Path | None = None,
    environment: Environment | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ToolValues:
    """Tool settings from the environment, then ``env_file`` (when the operator names one),
    screened against ``repository``; with ``suffix``, a variable ending ``_<suffix>`` first;
    ``overrides`` (the command line's) before all of them. ``environment`` is the run's (a
    snapshot of the process environment taken now if None)."""
    from reconciler.settings_values import ToolValues

    return (environment or Environment()).settings(
        ToolValues, env_file, suffix, repository, overrides
    )


def resolve_base_url(settings: ApiValues) -> str:
    """The API's base URL: explicit, or ``https://{account}.app.invoicexpress.com``; either
    way one the API key may be sent to (``check_url_is_safe``)."""
    account = settings.account
    if account is not None and not _ACCOUNT_NAME.fullmatch(account):
        raise SettingsError(
            "INVOICEXPRESS_ACCOUNT is not an account name: one DNS label of letters, digits "
            "and hyphens"
        )
    if settings.base_url:
        url = settings.base_url.rstrip("/")
    elif account:
        url = f"https://{account}.app.invoicexpress.com"
    else:
        raise SettingsError(
            "no account configured: set INVOICEXPRESS_ACCOUNT (or INVOICEXPRESS_BASE_URL), "
            "or use --sandbox to run against the bundled sandbox"
        )
    check_url_is_safe(url, account)
    return url


def require_api_key(settings: ApiValues) -> SecretStr:
    """The API key, or a clear error saying where to set it."""
    if settings.api_key is None or not settings.api_key.get_secret_value():
        raise SettingsError("no API key configured: set INVOICEXPRESS_API_KEY (or use --sandbox)")
    return settings.api_key


def check_url_is_safe(url: str, account: str | None = None) -> None:
    """Where the API key may go: ``https://<account>.app.invoicexpress.com`` (that account's,
    when ``account`` is given), a loopback address (``http`` too: the sandbox), or a host in
    ``RECONCILER_ALLOWED_HOSTS``; HTTPS to any but loopback, and no user or password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise SettingsError("refusing base URL: it is not a URL") from None
    loopback = bool(host) and _is_loopback(host)
    if not (parts.scheme == "https" and host) and not (parts.scheme == "http" and loopback):
        raise SettingsError(
            f"refusing base URL {parts.scheme}://{_shown(host)}: "
            "use https:// (plain http:// is allowed only to a loopback address)"
        )
    if parts.username is not None or parts.password is not None:
        raise SettingsError("refusing base URL: it holds a user name or password")
    if loopback or host in allowed_hosts():
        return
    found = _ACCOUNT_HOST.fullmatch(host)
    if found is None:
        raise SettingsError(
            f"refusing base URL host {_shown(host)}: the API key is sent only to "
            "https://<account>.app.invoicexpress.com or a loopback address; to send it there, "
            f"set {ALLOWED_HOSTS}={_shown(host)} in the environment"
        )
    if account is not None and found[1] != account.lower():
        raise SettingsError(
            f"refusing base URL host {_shown(host)}: it is not the host of the account "
            f"INVOICEXPRESS_ACCOUNT names ({account.lower()}.app.invoicexpress.com)"
        )


def _shown(host: str) -> str:
    """A host as it may be printed: as it is when plain printable ASCII, else escaped."""
    return host if re.fullmatch(r"[!-~]*", host, re.ASCII) else ascii(host)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
