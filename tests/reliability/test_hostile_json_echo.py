"""A server that echoes the request's secrets inside a JSON answer of a shape the client does not
know (so the answer's text is shown as it came) never gets a secret shown, however its JSON
encoder escaped them: ``\\"``, ``\\\\``, ``\\/``, ``\\uXXXX`` in lower or upper case, surrogate
pairs, HTML-safe escapes."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from tests.support.cli_process import environment, run_cli
from tests.support.hostile import serving
from tests.support.many_clients import Fleet

API_KEY = 'SENTINEL"key/+=7Q&x'
AT_PASSWORD = 'At>>>?"Sént#12'  # its Base64 holds '+' and '/'
ACCOUNT_PASSWORD = 'Acct"Se\\nt/\u00f6\u20ac\U0001f600<&>'
SENTINEL_ENV = {
    "INVOICEXPRESS_API_KEY": API_KEY,
    "AT_PASSWORD": AT_PASSWORD,
    "ACCOUNT_PASSWORD": ACCOUNT_PASSWORD,
    "RECONCILER_MAX_ATTEMPTS": "1",
}


def _python(value: str) -> str:
    return json.dumps(value)[1:-1]


def _unicode(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _upper(escaped: str) -> str:  # hex digits in upper case
    return re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m[1].upper(), escaped)


def _html(characters: str, escaped: str) -> str:
    for character in characters:
        escaped = escaped.replace(character, f"\\u{ord(character):04x}")
    return escaped


# How some encoders write a string into JSON; none of it uses the package's code.
ENCODERS: dict[str, Callable[[str], str]] = {
    "python": _python,
    "ruby": _unicode,
    "php": lambda v: _python(v).replace("/", "\\/"),
    "php unescaped unicode": lambda v: _unicode(v).replace("/", "\\/"),
    "go": lambda v: _html("<>&", _unicode(v)),
    "jackson": lambda v: _upper(_python(v)),
    ".net": lambda v: _upper(_html("<>&'+`", _python(v).replace('\\"', "\\u0022"))),
}


def _received(request: web.Request, body: bytes) -> list[str]:
    """The secrets as the server got them: the key in the query, the passwords in the body."""
    found = [request.query.get("api_key", "")]
    try:
        account = json.loads(body)["account"]
    except (ValueError, KeyError, TypeError):
        return [value for value in found if value]
    found.append(account.get("password") or "")
    sent = (account.get("credentials") or {}).get("password")
    if isinstance(sent, str):
        found += [sent, base64.b64decode(sent).decode()]
    return [value for value in found if value]


ECHOED: set[str] = set()


async def _echo_in_json(request: web.Request) -> web.Response:
    body = await request.read()
    styles = {
        name: [encode(value) for value in _received(request, body)]
        for name, encode in ENCODERS.items()
    }
    ECHOED.update(form for forms in styles.values() for form in forms)
    # A shape api_message does not know ("detail"), so the whole text is shown.
    lists = ", ".join(f'"{n}": ["' + '", "'.join(f) + '"]' for n, f in styles.items())
    answer = '{"detail": {' + lists + "}}"
    return web.Response(status=422, text=answer, content_type="application/json")


def test_secrets_echoed_inside_json_are_shown_redacted_whatever_the_escaping(
    tmp_path: Path,
) -> None:
    fleet = Fleet(tmp_path, 2).write()
    text = fleet.desired.read_text().replace(
        "  city: Lisboa\n", "  city: Lisboa\n  password: ${ACCOUNT_PASSWORD}\n"
    )
    fleet.desired.write_text(text)
    ECHOED.clear()
    with serving(_echo_in_json) as base_url:
        env = {**environment(base_url), **SENTINEL_ENV}
        result = run_cli(["-v", "apply", "-f", str(fleet.desired), "--auto-approve"], env)
    assert result.exit_code == 3, result.output
    secrets = (API_KEY, AT_PASSWORD, ACCOUNT_PASSWORD)
    assert {_python(s) for s in secrets} <= ECHOED  # each secret did reach the server's answer
    for shown in (result.stdout, result.stderr):
        leaked = sorted(form for form in ECHOED | set(secrets) if form in shown)
        assert leaked == [], shown
    assert '{"detail": {"python": ["(sensitive)"' in result.stdout, result.stdout
