"""The JSON Schemas in ``schema/``, each checked to be a valid Draft 2020-12 schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from tests.support.cli_env import ROOT


def checked_schema(name: str) -> dict[str, Any]:
    """``schema/NAME.schema.json``, checked to be a valid schema."""
    schema: dict[str, Any] = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema
