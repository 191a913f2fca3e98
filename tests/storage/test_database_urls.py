"""A database URL is shown with its password replaced, in every spelling libpq accepts.

URLs (``postgresql://`` and ``postgres://``) with the password in the user info (unencoded
``/ ? # @ :`` included, or percent-encoded) or in the query (``?password=``), and ``key=value``
connection strings (plain, quoted with escapes, spaces around ``=``, any letter case). The
driver's own messages are checked through psycopg and a real (refused) connection.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from reconciler.cli.command_secrets import redacting
from reconciler.errors import SettingsError, StateFileError
from reconciler.storage.database import UNREADABLE, check_url, connect, redacted, scrubbed
from tests.support.cli_process import environment, run_cli
from tests.support.many_clients import Fleet

MARK = "\x00"  # where the spelled password goes in a template; never in a password
PASSWORDS = st.text(
    alphabet=st.sampled_from("aZ9_-./?#@:&=+%'\\ \"!$;,~()[]{}é\t"), min_size=1, max_size=16
)


def _kv_unquoted(password: str) -> str:
    """``password`` as an unquoted libpq value: a backslash before each character that would
    end it or that escapes."""
    return "".join("\\" + c if c in " \t\n\r'\\" else c for c in password)


def _kv_quoted(password: str) -> str:
    return "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"


SPELLINGS = {
    "userinfo raw": ("postgresql://app:" + MARK + "@db.example:5432/known", str),
    "userinfo raw, postgres://": ("postgres://app:" + MARK + "@db.example/known", str),
    "userinfo encoded": (
        "postgresql://app:" + MARK + "@db.example/known",
        lambda p: quote(p, safe=""),
    ),
    "query raw": ("postgresql://app@db.example/known?password=" + MARK, str),
    "query raw, after another": (
        "postgresql://app@db.example/known?sslmode=require&password=" + MARK,
        str,
    ),
    "query encoded": (
        "postgresql://app@db.example/known?password=" + MARK + "&sslmode=require",
        lambda p: quote(p, safe=""),
    ),
    "key=value": ("host=db.example password=" + MARK + " dbname=known", _kv_unquoted),
    "key = 'value'": ("host=db.example password = " + MARK + " dbname=known", _kv_quoted),
    "KEY=value": ("host=db.example PASSWORD=" + MARK, _kv_unquoted),
    "Key='value' first": ("Password=" + MARK + " host=db.example", _kv_quoted),
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SPELLINGS)), PASSWORDS)
def test_a_password_is_never_shown_whichever_way_it_is_spelled(
    spelling: str, password: str
) -> None:
    template, spell = SPELLINGS[spelling]
    url = template.replace(MARK, spell(password))
    rest = template.replace(MARK, " ")
    echo = 'invalid value: "{}" in URI: "{}" token "{}"'
    assume(password not in rest + " *** " + UNREADABLE + echo)
    shown = redacted(url)
    assert password not in shown, (url, shown)
    assert spell(password) not in shown, (url, shown)
    # The driver's text is scrubbed of it too, in every form it may echo.
    echoed = echo.format(password, url, spell(password))
    assert password not in scrubbed(echoed, url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://app:pw/with?all#of@:them@db:5432/known",
            "postgresql://app:***@db:5432/known",
        ),
        ("postgres://app:s%2Fcret@db/known", "postgres://app:***@db/known"),
        (
            "postgresql://app@db/known?sslmode=require&password=x",
            "postgresql://app@db/known?sslmode=require&password=***",
        ),
        ("postgresql://db/known", "postgresql://db/known"),
        ("host=db password = 'se cret' port=5432", "host=db password=*** port=5432"),
        ("host=db PASSWORD=s\\ x user=app", "host=db PASSWORD=*** user=app"),
        ("host=db password='unterminated", UNREADABLE),
        ("host=db password=se cret", UNREADABLE),
    ],
)
def test_what_is_shown_of_a_url(url: str, shown: str) -> None:
    assert redacted(url) == shown


SECRET = "Xq7Pieces-Zr4Hidden-Wv9Parts"


@pytest.mark.parametrize(
    "url",
    [
        # Refused before the driver sees them: libpq would read a piece of the password as
        # the host, port or database and echo it.
        f"postgresql://app:{SECRET.replace('-', '@', 1)}@127.0.0.1:1/known",
        f"postgresql://app:{SECRET.replace('-', '/', 1)}@127.0.0.1:1/known",
        f"postgresql://app:{SECRET}%zz@127.0.0.1:1/known",
        f"postgresql://app@127.0.0.1:1/known?password={SECRET}%G1",
        f"host=127.0.0.1 port=1 password={SECRET}",
        f"mysql://app:{SECRET}@127.0.0.1:1/known",
        # Read by the driver, whose messages quote the URL or its pieces.
        f"postgresql://app:{SECRET}@[::1:1/known",
        f"postgresql://app@127.0.0.1:1/known?password={SECRET.replace('-', '&', 1)}",
        f"postgresql://app@127.0.0.1:1/known?password={SECRET.replace('-', '&x=', 1)}",
        f"postgresql://app:{SECRET}@127.0.0.1:1/known",
    ],
)
def test_no_message_of_a_failed_connection_shows_a_piece_of_the_password(url: str) -> None:
    with pytest.raises((SettingsError, StateFileError)) as failed:
        connect(url, "a test").close()
    message = str(failed.value)
    assert "\n" not in message
    for piece in SECRET.split("-"):
        assert piece not in message, message


def test_a_url_libpq_would_read_otherwise_is_refused_before_connecting() -> None:
    with pytest.raises(SettingsError, match="percent-encode"):
        check_url("postgresql://app:se/cret@127.0.0.1:1/known")
    with pytest.raises(SettingsError, match="%25"):
        check_url("postgresql://app:50%off@127.0.0.1:1/known")
    with pytest.raises(SettingsError, match="not UTF-8"):  # libpq's bytes, psycopg's UTF-8
        check_url("postgresql://app:99999%99@127.0.0.1:1/known")


BLOCKED = """
import sys
sys.modules["psycopg"] = None  # as if it were not installed
from reconciler.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("through", ["--state-url", "RECONCILER_STATE_URL"])
@pytest.mark.parametrize("psycopg", ["installed", "missing"])
def test_a_connection_string_is_refused_without_showing_its_password(
    tmp_path: Path, through: str, psycopg: str
) -> None:
    fleet = Fleet(tmp_path, 1).write()
    url = f"host=127.0.0.1 port=1 password = 'se cret {SECRET}'"
    env = environment("http://127.0.0.1:9")
    args = ["plan", "-f", str(fleet.desired)]
    if through == "--state-url":
        args += ["--state-url", url]
    else:
        env["RECONCILER_STATE_URL"] = url
    if psycopg == "installed":
        result = run_cli(args, env)
        code, stderr = result.exit_code, result.stderr
    else:
        ran = subprocess.run(
            [sys.executable, "-c", BLOCKED, *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        code, stderr = ran.returncode, ran.stderr
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "postgresql:// URL" in stderr and "password=***" in stderr, stderr
    assert "cret" not in stderr and "Pieces" not in stderr and "Parts" not in stderr, stderr


def test_every_message_of_a_command_is_redacted_of_the_database_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last redaction, which every error and log record of a command passes through,
    knows the password of ``RECONCILER_STATE_URL``, raw and percent-decoded."""
    monkeypatch.setenv("RECONCILER_STATE_URL", "postgresql://app:Sekr3t%3Fpw@db/known")
    with redacting(None) as secrets:
        shown = secrets.redactor("a driver said Sekr3t?pw and Sekr3t%3Fpw")
    assert "Sekr3t" not in shown, shown


URL_SPELLINGS = [name for name, (template, _) in SPELLINGS.items() if "://" in template]
_DELIMITERS = "@/&=?#: "


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(URL_SPELLINGS), PASSWORDS.filter(lambda p: len(p) >= 8))
@example("userinfo raw", "99999%99")  # decodes to a byte that is not UTF-8
def test_a_failed_connection_never_shows_the_password(spelling: str, password: str) -> None:
    """Each generated URL, refused by ``check_url`` or handed to psycopg (which fails to
    reach 127.0.0.1:1): the message shows neither the password nor a long piece of it."""
    template, spell = SPELLINGS[spelling]
    url = template.replace("db.example:5432", "127.0.0.1:1").replace("db.example", "127.0.0.1:1")
    url = url.replace(MARK, spell(password))
    pieces = [password, *(p for p in re.split(f"[{re.escape(_DELIMITERS)}]", password))]
    pieces = [p for p in pieces if len(p) >= 6]
    assume(not any(p in template for p in pieces))
    with pytest.raises((SettingsError, StateFileError)) as failed:
        connect(url, "a test").close()
    message = str(failed.value)
    for piece in pieces:
        assert piece not in message, (url, message)
