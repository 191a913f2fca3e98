"""``import --dry-run`` shows the unified diff the import would write, secrets never shown and
``$`` escaped as the file would hold it, and writes nothing: no file, no known state, no lock."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema

from tests.drift.conftest import applied
from tests.support.cli_env import API_KEY, ROOT, Env
from tests.support.schemas import checked_schema

CREDENTIALS = {
    "username": "999999990/1",
    "password": "c2VjcmV0LXBhc3M=",  # base64("secret-pass")
    "type": "AT",
    "context": "Sequences",
}


def _client(data: dict[str, Any], client_id: int) -> dict[str, Any]:
    return next(c for c in data["clients"] if c["id"] == client_id)


def _files(folder: Path) -> dict[str, bytes]:
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def test_a_dry_run_of_a_new_file_shows_it_and_writes_nothing(env: Env) -> None:
    env.desired.unlink()
    env.sandbox.edit(lambda data: data["account"].update(credentials=CREDENTIALS))
    before = _files(env.folder)
    result = env.run("import", "-f", str(env.desired), "--account-id", "12345", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "--- /dev/null" in lines and f"+++ {env.desired}" in lines
    assert "+  organization_name: Sandbox Demo, Lda" in lines
    assert any(line.startswith("+    password: ${AT_PASSWORD}") for line in lines)
    assert "secret-pass" not in result.output and "c2VjcmV0LXBhc3M" not in result.output
    assert "Nothing written." in result.stdout
    assert _files(env.folder) == before, "no file, known state, lock or folder is written"
    assert all(method == "GET" for method, _ in env.calls())


def test_a_dry_run_in_place_shows_the_changed_lines_escaped_and_no_secret(env: Env) -> None:
    applied(env)

    def edit(data: dict[str, Any]) -> None:
        _client(data, 43).update(city="Braga ${INVOICEXPRESS_API_KEY}")
        data["account"].update(credentials=CREDENTIALS)

    env.sandbox.edit(edit)
    before = _files(env.folder)
    result = env.run("import", "-f", str(env.desired), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"--- {env.desired}" in lines and f"+++ {env.desired}" in lines
    assert '-    city: "Porto"' in lines or "-    city: Porto" in lines, result.stdout
    assert any(
        line.startswith("+    city:") and "Braga $${INVOICEXPRESS_API_KEY}" in line
        for line in lines
    ), result.stdout
    for secret in ("secret-pass", "c2VjcmV0LXBhc3M", API_KEY, "at-secret-1"):
        assert secret not in result.output, secret
    assert _files(env.folder) == before


def test_import_json_is_one_document_of_its_schema(env: Env) -> None:
    env.desired.unlink()
    args = ["import", "-f", str(env.desired), "--account-id", "12345", "--format", "json"]
    preview = env.run(*args, "--dry-run")
    assert preview.exit_code == 0, preview.output
    document = json.loads(preview.stdout)
    jsonschema.validate(document, checked_schema("import"))
    assert (document["kind"], document["format_version"]) == ("import", 1)
    assert document["dry_run"] is True and document["written"] is False
    assert document["diff"].startswith("--- /dev/null\n")
    assert not env.desired.exists()
    done = env.run(*args)
    assert done.exit_code == 0, done.output
    written = json.loads(done.stdout)
    jsonschema.validate(written, checked_schema("import"))
    assert written["written"] is True and written["diff"] is None
    assert written["account_id"] == 12345 and written["summary"]["clients_read"] == 3
    assert env.desired.exists()


def test_the_import_schema_rejects_a_document_that_breaks_it() -> None:
    validator = jsonschema.Draft202012Validator(checked_schema("import"))
    bad = {"format_version": 1, "kind": "import", "written": "yes"}
    assert [error.message for error in validator.iter_errors(bad)]
    assert (ROOT / "schema" / "import.schema.json").exists()
