"""What an editor can check of a field, beyond the type pydantic's schema gives it.

The schema describes the file as a YAML editor reads it: an unquoted ``999999990`` is a number
there, a ``"42"`` text. Each rule here says, for one field, every spelling the models accept
and nothing they refuse, as far as a schema can tell without the network or arithmetic: the
exceptions (a NIF's check digit, unique client codes, a country in another case, numbers
spelled with a leading zero) are listed in ``tests/gitops/test_schema_agrees.py``.
"""

from __future__ import annotations

from typing import Any

from reconciler.desired.models import (
    AT_USERNAME,
    PORTUGAL,
    PORTUGAL_NAME,
    PT_POSTAL_CODE,
    countries,
)

Schema = dict[str, Any]
_ANY_SCALAR = ["string", "number", "boolean"]
MAX_ID = 2**63
ID: Schema = {
    "anyOf": [
        {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": MAX_ID},
        {"type": "string", "pattern": "^[1-9][0-9]{0,18}$"},
    ]
}
"""An id: a positive whole number below 2^63, unquoted or quoted (decimal digits only)."""
EMAIL_SHAPE = r"^\s*[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\s*$"
"""One ``@``, text before it and a dotted domain after it (email-validator checks the rest)."""


def _spaced(pattern: str) -> str:
    """``pattern`` (a whole value) with the surrounding spaces the models strip."""
    return rf"^\s*{pattern}\s*$"


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def up_to(n: int) -> str:
    """A regular expression of the decimal numbers 1 to ``n`` (no leading zero)."""
    digits = str(n)
    shorter = [f"[1-9][0-9]{{{k - 1}}}" if k > 1 else "[1-9]" for k in range(1, len(digits))]
    first, rest = int(digits[0]), digits[1:]
    same = [f"[1-{first - 1}]{_any_digits(len(rest))}"] if first > 1 else []
    same.append(f"{first}{_at_most(rest)}")
    return "(?:" + "|".join([*shorter, *same]) + ")"


def _any_digits(count: int) -> str:
    return f"[0-9]{{{count}}}" if count else ""


def _at_most(digits: str) -> str:
    """Strings of ``len(digits)`` decimal digits read as at most ``digits``."""
    if not digits:
        return ""
    first, rest = int(digits[0]), digits[1:]
    options = [f"[0-{first - 1}]{_any_digits(len(rest))}"] if first > 0 else []
    options.append(f"{first}{_at_most(rest)}")
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def tax_country() -> Schema:
    """A country's name as listed, or its number in the list (1-based), unquoted or quoted."""
    return {
        "anyOf": [
            {"enum": list(countries())},
            {"type": "integer", "minimum": 1, "maximum": len(countries())},
            {"type": "string", "pattern": _spaced(f"0*{up_to(len(countries()))}")},
        ]
    }


def portugal() -> Schema:
    """The values of ``tax_country`` meaning Portugal: its number (unquoted or quoted, any
    leading zeros) or its name in any case; null (unset) too."""
    return {
        "anyOf": [
            {"type": "null"},
            {"const": int(PORTUGAL)},
            {"type": "string", "pattern": _spaced(f"0*{PORTUGAL}")},
            {"type": "string", "pattern": _spaced(_any_case(PORTUGAL_NAME))},
        ]
    }


def portuguese_postal_code() -> Schema:
    """A Portuguese account's postal code is ``DDDD-DDD``: without ``tax_country``, or with one
    that means Portugal."""
    return {
        "if": {
            "anyOf": [
                {"not": {"required": ["tax_country"]}},
                {"properties": {"tax_country": portugal()}, "required": ["tax_country"]},
            ]
        },
        "then": {
            "properties": {
                "postal_code": {"type": ["string", "null"], "pattern": PT_POSTAL_CODE.pattern}
            }
        },
    }


SEQUENCE: Schema = {
    "anyOf": [
        {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": MAX_ID},
        {"type": "string", "pattern": r"\S"},
    ]
}
"""A sequence: its id (an unquoted number) or its serie (text, not blank)."""
EMAIL: Schema = {"type": "string", "maxLength": 10_000, "pattern": EMAIL_SHAPE}


def field_rules() -> dict[tuple[str, str], Schema]:
    """Each model's field (by class and name in the file) and what an editor checks of it."""
    return {
        ("Account", "id"): ID,
        ("Client", "id"): ID,
        ("Account", "email"): EMAIL,
        ("Client", "email"): EMAIL,
        ("PreferredContact", "email"): EMAIL,
        ("Account", "tax_country"): tax_country(),
        ("Account", "password"): {"type": _ANY_SCALAR, "writeOnly": True},
        ("Account", "terms"): {
            "anyOf": [{"const": 1}, {"const": True}, {"type": "string", "pattern": _spaced("1")}]
        },
        ("Account", "marketing"): {
            "anyOf": [{"enum": [0, 1, True, False]}, {"type": "string", "pattern": _spaced("[01]")}]
        },
        ("Credentials", "username"): {"type": "string", "pattern": AT_USERNAME.pattern},
        ("Credentials", "password"): {
            "writeOnly": True,
            "anyOf": [
                {"type": "string", "minLength": 8, "maxLength": 14},
                {"type": "integer", "minimum": 10**7, "maximum": 10**14 - 1},
                # ${VARIABLE} or $$: its length is known once expanded, by validate.
                {"type": "string", "pattern": r"\$"},
            ],
        },
        ("Client", "send_options"): {
            "anyOf": [{"type": "integer", "minimum": 1, "maximum": 3}, {"enum": ["1", "2", "3"]}]
        },
        ("Sequences", "default"): SEQUENCE,
    }


def apply_editor_rules(schema: Schema) -> Schema:
    """``schema`` (pydantic's, of the desired state) with every rule of ``field_rules``, the
    sequences to register unique, and a Portuguese account's postal code checked."""
    definitions = schema["$defs"]
    for (model, field), rule in field_rules().items():
        properties = definitions[model]["properties"]
        properties[field] = _with_rule(properties[field], rule)
    register = definitions["Sequences"]["properties"]["register"]
    register.update(items=SEQUENCE, uniqueItems=True)
    definitions["Account"]["allOf"] = [portuguese_postal_code()]
    return schema


def _with_rule(generated: Schema, rule: Schema) -> Schema:
    """The field's schema with ``rule`` for its value, keeping its title, description and
    default, and null when the field may be left unset."""
    kept = {k: v for k, v in generated.items() if k in ("title", "description", "default")}
    nullable = any(option == {"type": "null"} for option in generated.get("anyOf", []))
    if not nullable:
        return {**kept, **rule}
    shown = {k: v for k, v in rule.items() if k in ("writeOnly",)}
    value = {k: v for k, v in rule.items() if k not in shown}
    return {**kept, **shown, "anyOf": [value, {"type": "null"}]}
