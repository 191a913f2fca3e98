"""What a desired file may read from the environment, and the secrets it may never hold.

Both are read from the process environment only, which the operator controls; never from the
desired file or a settings file, which a pull request may write.

- A field that is not a secret reads ``${NAME}`` only where the operator allowed ``NAME``: its
  name starts with ``RECONCILER_VAR_`` (as Terraform's ``TF_VAR_``), or it is listed in
  ``RECONCILER_ALLOWED_VARS`` (names separated by commas).
- The secrets in play are every variable whose name says it holds one (a word ``TOKEN``,
  ``SECRET``, ``PASSWORD``, ``PASSWD`` or ``KEY``, in any case, so every account's
  ``INVOICEXPRESS_API_KEY*`` and ``RECONCILER_DIGEST_KEY*``), the password inside any URL
  (``RECONCILER_STATE_URL*``), and the values the secret fields hold (the AT password). A value
  shorter than ``MIN_SECRET_LENGTH`` is not one: it would match ordinary text; nor is a
  variable's ``true``, ``false``, ``null`` or ``none`` (a flag such as ``USE_KEY=true``), which
  would refuse every ``marketing: true``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

T = TypeVar("T")
ALLOWED_PREFIX = "RECONCILER_VAR_"
ALLOWED_LIST = "RECONCILER_ALLOWED_VARS"
MIN_SECRET_LENGTH = 4
"""Shorter values are not treated as secrets: matching them everywhere would mangle text."""
MIN_CONTAINED_LENGTH = 8
"""A secret at least this long is found inside other text; a shorter one only as a whole value."""
FEW_SECRETS = 256
"""Up to this many long secrets a screen searches text once per secret; with more, it passes
over the text once, whatever their number (a fleet's environment holds every account's key)."""
NOT_ALLOWED = (
    "environment variable {name} is not allowed here: the operator allows one by naming it "
    f"{ALLOWED_PREFIX}<NAME> or by listing it in {ALLOWED_LIST}"
)

_SECRET_WORDS = frozenset({"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY"})
# Words of a variable's name: split at anything but letters and digits, and at camelCase.
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_URL_STARTS = ("RECONCILER_STATE_URL",)
_WORDS_NOT_SECRETS = frozenset({"true", "false", "null", "none"})


def allows(name: str, environ: Mapping[str, str]) -> bool:
    """Whether the operator allows a field that is not a secret to read variable ``name``."""
    if name.startswith(ALLOWED_PREFIX) and len(name) > len(ALLOWED_PREFIX):
        return True
    listed = environ.get(ALLOWED_LIST, "")
    return bool(name) and name in {part.strip() for part in listed.split(",")}


def names_a_secret(name: str) -> bool:
    """Whether a variable's name says it holds a secret (``GITHUB_TOKEN``, ``apiKey``)."""
    words = (word.upper() for word in _WORD.findall(name))
    return any(word in _SECRET_WORDS or word.removesuffix("S") in _SECRET_WORDS for word in words)


def url_passwords(value: str) -> set[str]:
    """The passwords a URL holds (``scheme://user:password@host``, ``?password=``), as written
    and decoded."""
    if "://" not in value:
        return set()
    try:
        parts = urlsplit(value)
        written = {parts.password} if parts.password else set()
        written |= set(parse_qs(parts.query).get("password", []))
    except ValueError:  # not a URL after all (a bad port, brackets)
        return set()
    return written | {unquote(password) for password in written}


class Snapshot(Mapping[str, str]):
    """The process environment as one run reads it: taken once, its secrets found once, so
    that every account of a fleet shares the work. A snapshot is equal only to itself."""

    __slots__ = ("_derived", "_lock", "_variables")

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._variables = dict(environ)
        self._derived: dict[str, object] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> str:
        return self._variables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._variables)

    def __len__(self) -> int:
        return len(self._variables)

    def __repr__(self) -> str:
        return f"Snapshot({len(self._variables)} variables)"

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return id(self)

    def once(self, name: str, build: Callable[[], T]) -> T:
        """What ``build`` derives from this snapshot, built the first time ``name`` is asked
        for and shared afterwards."""
        found = self._derived.get(name)
        if found is None:
            built = build()
            with self._lock:
                found = self._derived.setdefault(name, built)
        return found  # type: ignore[return-value]

    @property
    def secrets(self) -> frozenset[str]:
        """``environment_secrets`` of this snapshot, found the first time they are asked for."""
        return self.once("secrets", lambda: _scan(self._variables))

    @property
    def screen(self) -> SecretScreen:
        """The screen of this snapshot's secrets, built once."""
        return self.once("screen", lambda: SecretScreen(self.secrets))


def environment_secrets(environ: Mapping[str, str]) -> frozenset[str]:
    """The secrets the environment holds, each at least ``MIN_SECRET_LENGTH`` long (found once
    for a ``Snapshot``)."""
    if isinstance(environ, Snapshot):
        return environ.secrets
    return _scan(environ)


def _scan(environ: Mapping[str, str]) -> frozenset[str]:
    found: set[str] = set()
    for name, value in environ.items():
        if names_a_secret(name):
            found.add(value)
        if name.startswith(_URL_STARTS) or "://" in value:
            found |= url_passwords(value)
    return frozenset(
        value
        for value in found
        if len(value) >= MIN_SECRET_LENGTH and value.lower() not in _WORDS_NOT_SECRETS
    )


def secrets_in_play(environ: Mapping[str, str], declared: Iterable[str] = ()) -> frozenset[str]:
    """The environment's secrets and the ``declared`` ones (the secret fields' values)."""
    kept = frozenset(value for value in declared if len(value) >= MIN_SECRET_LENGTH)
    found = environment_secrets(environ)
    return found if kept <= found else found | kept


def screen_in_play(environ: Mapping[str, str], declared: Iterable[str] = ()) -> SecretScreen:
    """A ``SecretScreen`` of ``secrets_in_play``; a ``Snapshot``'s own, built once, when the
    declared secrets are among the environment's (a fleet's passwords are its variables)."""
    if isinstance(environ, Snapshot):
        kept = frozenset(value for value in declared if len(value) >= MIN_SECRET_LENGTH)
        if kept <= environ.secrets:
            return environ.screen
    return SecretScreen(secrets_in_play(environ, declared))


class SecretScreen:
    """Finds the secrets in play in text: a value equal to one, or holding one at least
    ``MIN_CONTAINED_LENGTH`` long. Its repr shows how many it holds, never their values."""

    __slots__ = ("_in_json", "_long", "_prefixes", "_short", "_whole")

    def __init__(self, secrets: Iterable[str]) -> None:
        self._whole = frozenset(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        self._long = tuple(sorted(s for s in self._whole if len(s) >= MIN_CONTAINED_LENGTH))
        self._short = tuple(f"\0{s}\0" for s in self._whole if len(s) < MIN_CONTAINED_LENGTH)
        self._prefixes: dict[str, tuple[str, ...]] | None = None
        if len(self._long) > FEW_SECRETS:
            grouped: dict[str, list[str]] = {}
            for secret in self._long:
                grouped.setdefault(secret[:MIN_CONTAINED_LENGTH], []).append(secret)
            self._prefixes = {prefix: tuple(found) for prefix, found in grouped.items()}
        self._in_json: tuple[bytes, ...] | None = None

    def __repr__(self) -> str:
        return f"SecretScreen({len(self._whole)} secrets)"

    def __bool__(self) -> bool:
        return bool(self._whole)

    def holds(self, text: str) -> bool:
        """Whether ``text`` is a secret or holds a long one."""
        return text in self._whole or self._holds_long(text)

    def _holds_long(self, text: str) -> bool:
        """Whether ``text`` holds a secret of ``MIN_CONTAINED_LENGTH`` or more: one search per
        secret, or, with many of them, one pass over the text looking up each position's
        first characters (the cost of the search then does not grow with the secrets)."""
        if self._prefixes is None:
            return any(secret in text for secret in self._long)
        prefixes, width = self._prefixes, MIN_CONTAINED_LENGTH
        for start in range(len(text) - width + 1):
            found = prefixes.get(text[start : start + width])
            if found is not None and any(text.startswith(s, start) for s in found):
                return True
        return False

    def any_holds(self, texts: Iterable[str]) -> bool:
        """Whether any of ``texts`` ``holds`` a secret; one search per secret over them all.

        It may say yes when a text holds the separator (NUL); never no when one holds a secret.
        """
        joined = "\0" + "\0".join(texts) + "\0"
        return self._holds_long(joined) or any(s in joined for s in self._short)

    def in_json(self, written: bytes) -> bool | None:
        """``any_holds`` of every key and text of the data orjson ``written`` (one search per
        secret over it), or None where this screen cannot search it so.

        orjson writes a text as it is between quotes, escaping only ``"``, ``\\`` and control
        characters: a secret with none of those is found, as it is, inside any text holding it
        (and a short one, between quotes, as a whole key or text). It may say yes where no
        text holds one (a number's digits); never no where one does. None: a secret holds a
        character orjson escapes, or there are too many for one search each.
        """
        if self._in_json is None:
            if self._prefixes is not None or any(map(_escaped_in_json, self._whole)):
                return None
            self._in_json = tuple(s.encode("utf-8") for s in self._long) + tuple(
                b'"' + s.encode("utf-8") + b'"'
                for s in self._whole
                if len(s) < MIN_CONTAINED_LENGTH
            )
        return any(pattern in written for pattern in self._in_json)


_ESCAPED_IN_JSON = frozenset('"\\' + "".join(map(chr, range(0x20))))
"""What orjson writes escaped: a quote, a backslash, a control character."""


def _escaped_in_json(secret: str) -> bool:
    """Whether orjson writes ``secret`` otherwise than as it is (or cannot write it: a lone
    surrogate)."""
    if not _ESCAPED_IN_JSON.isdisjoint(secret):
        return True
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
