"""The JSON Schema of the desired-state file, generated from the models, for editors.

It describes the file as a YAML editor sees it: an unquoted ``0213456789`` or ``true`` is a
number or a boolean to the editor, but the loader keeps what was written as text, so every text
field also accepts numbers and booleans, and each rule of ``editor_rules`` says what an editor
can check of a field beyond its type. ``schema/desired-state.schema.json`` is a copy kept in
the repository (``reconciler schema > schema/desired-state.schema.json`` refreshes it).
"""

from __future__ import annotations

import ast
import inspect
import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from reconciler.desired import models
from reconciler.desired.editor_rules import apply_editor_rules
from reconciler.desired.models import DesiredState, Model

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALAR_TEXT = ["string", "number", "boolean"]


class _YamlSchema(GenerateJsonSchema):
    """Text fields accept any YAML scalar; descriptions (the models' docstrings) become one
    line each, their ``code`` Markdown `code`."""

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        generated = super().str_schema(schema)
        return {**generated, "type": _SCALAR_TEXT}

    def generate(self, schema: core_schema.CoreSchema, mode: Any = "validation") -> JsonSchemaValue:
        generated: JsonSchemaValue = _markdown_descriptions(super().generate(schema, mode=mode))
        return generated


def _markdown_descriptions(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: " ".join(v.replace("``", "`").split())
            if k == "description" and isinstance(v, str)
            else _markdown_descriptions(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_markdown_descriptions(v) for v in value]
    return value


def _field_docstrings() -> dict[str, dict[str, str]]:
    """Each model's field docstrings (the string written under a field), by class and field."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(inspect.getsource(models)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs = found.setdefault(node.name, {})
        for field, after in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[field.target.id] = inspect.cleandoc(after.value.value)
    return found


def _describe_fields(schema: dict[str, Any]) -> None:
    """Give each property of each model's schema its field's docstring as description."""
    docs = _field_docstrings()
    described = {"DesiredState": schema, **schema.get("$defs", {})}
    for name, model in vars(models).items():
        if not (isinstance(model, type) and issubclass(model, Model)) or name not in described:
            continue
        properties = described[name].get("properties", {})
        for field, info in model.model_fields.items():
            doc = docs.get(name, {}).get(field)
            if doc and (info.alias or field) in properties:
                properties[info.alias or field]["description"] = doc


def desired_state_schema() -> dict[str, Any]:
    """The schema as data: field names as written in the file (``sequences.register``)."""
    generated = DesiredState.model_json_schema(by_alias=True, schema_generator=_YamlSchema)
    generated = apply_editor_rules(generated)
    _describe_fields(generated)
    generated = _markdown_descriptions(generated)
    return {
        "$schema": DIALECT,
        "title": "reconciler desired state",
        "description": "One InvoiceXpress account's desired state: account, sequences, clients.",
        **{k: v for k, v in generated.items() if k not in ("title", "description")},
    }


def render_schema() -> str:
    """The schema as the JSON text kept in the repository."""
    return json.dumps(desired_state_schema(), indent=2, ensure_ascii=False) + "\n"
