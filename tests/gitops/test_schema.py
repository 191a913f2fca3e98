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
from reconciler.desired.document import load_desired
from reconciler.desired.schema import render_schema
from reconciler.errors import ValidationFailed

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
    assert set(schema["properties"]) == {
        "options",
        "account",
        "sequences",
        "clients",
        "taxes",
        "items",
    }
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
    [client] = load_desired(path, {}).state.clients
    assert (client.code, client.phone) == ("0042", "0213456789")  # the loader keeps the text
    read = _as_an_editor_reads(path)
    assert read["clients"][0]["code"] == 42  # an editor reads a number, which must pass too
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(read)) == []


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


EXAMPLES = sorted(
    [
        ROOT / "state.example.yaml",
        *ROOT.glob("examples/*.yaml"),
        *ROOT.glob("examples/multi-account/accounts/*.yaml"),
    ]
)
MODELINE = "# yaml-language-server: $schema="
# Every keyword of JSON Schema 2020-12 the generated schema may use; anything else (pydantic's
# "ge", say) is ignored by validators and editors alike.
KEYWORDS = frozenset(
    {
        "$schema", "$defs", "$ref", "title", "description", "default", "type", "enum", "const",
        "properties", "additionalProperties", "required", "items", "anyOf", "allOf", "oneOf",
        "not", "if", "then", "else", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "uniqueItems", "format", "readOnly", "writeOnly",
    }
)  # fmt: skip


def _schema_objects(node: Any) -> list[dict[str, Any]]:
    """Every schema object within ``node``: not the maps of names under properties and $defs."""
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for item in node:
            found += _schema_objects(item)
    elif isinstance(node, dict):
        found.append(node)
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for inner in value.values():
                    found += _schema_objects(inner)
            elif key not in ("enum", "const", "default", "required"):
                found += _schema_objects(value)
    return found


def test_the_schema_uses_only_json_schema_keywords(schema: dict[str, Any]) -> None:
    unknown = {key for node in _schema_objects(schema) for key in node} - KEYWORDS
    assert not unknown


def test_every_field_has_a_description_from_the_models(schema: dict[str, Any]) -> None:
    models = [schema, *schema["$defs"].values()]
    bare = [
        name
        for model in models
        for name, field in model["properties"].items()
        if not field.get("description")
    ]
    assert not bare
    send = schema["$defs"]["Client"]["properties"]["send_options"]["description"]
    assert send.startswith("Which documents are sent by email: 1 the original,")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_validates(schema: dict[str, Any], path: Path) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert [error.message for error in validator.iter_errors(_as_an_editor_reads(path))] == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_examples_modeline_names_the_schema_from_where_the_file_is(path: Path) -> None:
    first = path.read_text("utf-8").splitlines()[0]
    assert first.startswith(MODELINE)
    target = (path.parent / first.removeprefix(MODELINE)).resolve()
    assert target.is_file(), f"{path.relative_to(ROOT)}: {target} does not exist"
    assert target.read_text("utf-8") == render_schema(), f"{target} is stale: `{REGENERATE}`"


GOOD_CLIENT = "clients:\n  - id: 1\n    code: A\n    name: B\n"
BAD = {
    "send_options 7": GOOD_CLIENT + "    send_options: 7\n",
    "send_options 0": GOOD_CLIENT + "    send_options: 0\n",
    "bad postal code": "account:\n  id: 1\n  postal_code: 1500-55\n",
    "postal code as a number": "account:\n  id: 1\n  postal_code: 1500\n",
    "bad postal code in Portugal": "account:\n  id: 1\n  tax_country: 1\n  postal_code: '15005'\n",
    "unknown country": GOOD_CLIENT + "    country: Narnia\n",
    "unknown tax country": "account:\n  id: 1\n  tax_country: Narnia\n",
    "unknown field": GOOD_CLIENT + "    emial: a@b.pt\n",
    "wrong type": "account:\n  id: 1\n  city: [Lisboa]\n",
    "clients as a mapping": "clients:\n  id: 1\n",
    "bad AT username": (
        "account:\n  id: 1\n  credentials:\n    username: 12345/1\n    password: abcdefgh\n"
    ),
    "AT username in other digits": (
        "account:\n  id: 1\n  credentials:\n    username: ١٢٣٤٥٦٧٨٩/1\n    password: abcdefgh\n"
    ),
    "tax rate above 100": "taxes:\n  - name: X\n    value: 101\n",
    "tax rate as a word": "taxes:\n  - name: X\n    value: high\n",
    "unknown tax region": "taxes:\n  - name: X\n    region: ES\n",
    "unknown item unit": "items:\n  - name: X\n    unit: kg\n",
}


@pytest.mark.parametrize("text", BAD.values(), ids=list(BAD))
def test_a_real_validator_flags_each_bad_document_reconciler_refuses(
    schema: dict[str, Any], tmp_path: Path, text: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ValidationFailed):
        load_desired(path, {})
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(_as_an_editor_reads(path)))


def test_a_foreign_accounts_postal_code_is_free_in_the_schema_too(
    schema: dict[str, Any], tmp_path: Path
) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    path = tmp_path / "s.yaml"
    path.write_text("account:\n  id: 1\n  tax_country: Spain\n  postal_code: '28001'\n")
    assert load_desired(path, {}).state.account.postal_code == "28001"
    assert list(validator.iter_errors(_as_an_editor_reads(path))) == []
    # The same code in Portugal (the default country) is refused, by the file and the schema.
    path.write_text("account:\n  id: 1\n  postal_code: '28001'\n")
    with pytest.raises(ValidationFailed, match="postal_code"):
        load_desired(path, {})
    assert list(validator.iter_errors(_as_an_editor_reads(path))) != []
