"""`reconciler schema`: the desired-state JSON Schema, and the copy kept in the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from reconciler.cli import main
from reconciler.desired.schema import render_schema

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "schema" / "desired-state.schema.json"
REGENERATE = "reconciler schema > schema/desired-state.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_schema())
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def _as_an_editor_reads(path: Path) -> Any:
    """The YAML with native numbers and booleans, as yaml-language-server sees it."""
    return YAML(typ="safe", pure=True).load(path.read_text("utf-8"))


def test_the_repository_copy_is_up_to_date() -> None:
    assert COPY.read_text("utf-8") == render_schema(), (
        f"{COPY.relative_to(ROOT)} is stale: regenerate it with `{REGENERATE}`"
    )


def test_the_command_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == render_schema()


def test_field_names_are_those_written_in_the_file(schema: dict[str, Any]) -> None:
    assert set(schema["$defs"]["Sequences"]["properties"]) == {"default", "register"}
    assert set(schema["properties"]) == {"options", "account", "sequences", "clients"}
    assert schema["$defs"]["Client"]["required"] == ["code", "name"]
    assert schema["$defs"]["Client"]["additionalProperties"] is False


def test_the_example_file_validates_and_carries_the_modeline(schema: dict[str, Any]) -> None:
    example = ROOT / "state.example.yaml"
    first = example.read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schema/desired-state.schema.json"
    jsonschema.validate(_as_an_editor_reads(example), schema)


def test_unquoted_numbers_in_text_fields_are_accepted_as_the_loader_does(
    schema: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("clients:\n  - {id: 1, code: 0042, name: Ana, phone: 0213456789}\n")
    jsonschema.validate(_as_an_editor_reads(path), schema)


@pytest.mark.parametrize(
    "text",
    [
        "clients:\n  - {id: 1, code: A, name: B, emial: x@y.pt}\n",  # unknown key
        "clients:\n  - {id: 1, code: A}\n",  # name missing
        "account: {id: 0}\n",  # ids are positive
        "account: {id: 1, language: fr}\n",
        "sequences: {to_register: [1]}\n",  # the internal name is not the file's
    ],
)
def test_the_schema_catches_what_validate_refuses(
    schema: dict[str, Any], tmp_path: Path, text: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_as_an_editor_reads(path), schema)
