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
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import parse_qs, unquote, urlsplit

ALLOWED_PREFIX = "RECONCILER_VAR_"
ALLOWED_LIST = "RECONCILER_ALLOWED_VARS"
MIN_SECRET_LENGTH = 4
"""Shorter values are not treated as secrets: matching them everywhere would mangle text."""
MIN_CONTAINED_LENGTH = 8
"""A secret at least this long is found inside other text; a shorter one only as a whole value."""
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
    that every account of a fleet shares the work."""

    __slots__ = ("_secrets", "_variables")

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._variables = dict(environ)
        self._secrets: frozenset[str] | None = None

    def __getitem__(self, name: str) -> str:
        return self._variables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._variables)

    def __len__(self) -> int:
        return len(self._variables)

    def __repr__(self) -> str:
        return f"Snapshot({len(self._variables)} variables)"

    @property
    def secrets(self) -> frozenset[str]:
        """``environment_secrets`` of this snapshot, found the first time they are asked for."""
        if self._secrets is None:
            self._secrets = _scan(self._variables)
        return self._secrets


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
    kept = (value for value in declared if len(value) >= MIN_SECRET_LENGTH)
    return environment_secrets(environ) | frozenset(kept)


class SecretScreen:
    """Finds the secrets in play in text: a value equal to one, or holding one at least
    ``MIN_CONTAINED_LENGTH`` long. Its repr shows how many it holds, never their values."""

    __slots__ = ("_long", "_whole")

    def __init__(self, secrets: Iterable[str]) -> None:
        self._whole = frozenset(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        self._long = tuple(sorted(s for s in self._whole if len(s) >= MIN_CONTAINED_LENGTH))

    def __repr__(self) -> str:
        return f"SecretScreen({len(self._whole)} secrets)"

    def __bool__(self) -> bool:
        return bool(self._whole)

    def holds(self, text: str) -> bool:
        """Whether ``text`` is a secret or holds a long one."""
        return text in self._whole or any(secret in text for secret in self._long)

    def any_holds(self, texts: Iterable[str]) -> bool:
        """Whether any of ``texts`` ``holds`` a secret; one search per secret over them all.

        It may say yes when a text holds the separator (NUL); never no when one holds a secret.
        """
        joined = "\0" + "\0".join(texts) + "\0"
        short = (f"\0{s}\0" for s in self._whole if len(s) < MIN_CONTAINED_LENGTH)
        return any(secret in joined for secret in self._long) or any(s in joined for s in short)
