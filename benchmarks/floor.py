"""The plan floor: what ``reconciler plan`` does, in the plainest fast Python, for comparison.

    python benchmarks/floor.py DESIRED.yaml KNOWN.state.json

prints one line per call a plan needs (``update client 100042``), in the plan's order. It reads
the desired YAML with rapidyaml (parsed in C++, emitted as JSON, read with every number kept as
its text), the known state with the same reader, and compares each declared resource's fields
with its record under the same keys as reconciler (``account:<id>``, ``registration:<id>``,
``default_sequence``, ``client:<id>``). Scalars are compared as text: ``0213456789`` keeps its
leading zero, and a recorded ``1`` equals a declared ``1`` however it was quoted.

It is a floor, not an alternative: no validation, no normalization (a country or a flag must
be written in its recorded form), no positions for error messages, no ``${VAR}`` expansion, no
checksum check or journal replay of the known state, no series or client codes to resolve
against the live account (such inputs are refused), and no plan to save or render. What it
does keep is the semantics of the comparison on the files ``benchmarks.generate`` writes, so
its number of calls equals reconciler's there: only declared fields count, ``null`` is not
declared, a record never applied means a call, a registration is never repeated, and secrets
are compared by their keyed digest (RECONCILER_DIGEST_KEY, else INVOICEXPRESS_API_KEY).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from pathlib import Path
from typing import Any

import ryml

DIGEST_PREFIX = "hmac-sha256:"
ACCOUNT_SECRETS = ("password",)
CREDENTIALS_SECRETS = ("password",)


class Number(str):
    """The text of an unquoted number: an id here, where quoted text would name a serie."""

    __slots__ = ()


def read_yaml(path: Path) -> Any:
    """The YAML file as plain data, every scalar a string as written (``true`` and ``null``
    excepted, which rapidyaml emits as JSON literals)."""
    text = ryml.emit_json(ryml.parse_in_arena(path.read_bytes()))  # the tree is freed here
    return json.loads(text, parse_int=Number, parse_float=Number)


def read_json(path: Path) -> Any:
    """The JSON file as plain data, numbers as their text, to compare with the YAML's."""
    return json.loads(path.read_bytes(), parse_int=str, parse_float=str)


def differs(declared: dict[str, Any], applied: dict[str, Any]) -> bool:
    """Whether a declared field (not null; nested through mappings) differs from the record."""
    if declared == applied:
        return False
    for name, value in declared.items():
        if value is None:
            continue
        if name not in applied:
            if type(value) is dict and not any(v is not None for v in value.values()):
                continue  # an empty mapping declares nothing
            return True
        before = applied[name]
        if type(value) is dict and type(before) is dict:
            if differs(value, before):
                return True
        elif value != before:
            return True
    return False


class Secrets:
    """Secret values turned into the digests the known state records.

    A state whose digests were made with another key needs no check of its own here: no
    digest made with this key can equal one of them, so every declared secret differs.
    """

    def __init__(self) -> None:
        key = os.environ.get("RECONCILER_DIGEST_KEY") or os.environ.get("INVOICEXPRESS_API_KEY")
        self._key = key.encode() if key else None

    def digested(self, fields: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
        """``fields`` with its secrets (those of ``names`` it declares) as digests."""
        found = [name for name in names if fields.get(name) is not None]
        if not found:
            return fields
        if self._key is None:
            raise SystemExit("floor: secrets need RECONCILER_DIGEST_KEY or INVOICEXPRESS_API_KEY")
        digests = {
            name: DIGEST_PREFIX
            + hmac.new(self._key, str(fields[name]).encode(), hashlib.sha256).hexdigest()
            for name in found
        }
        return {**fields, **digests}


def account_calls(account: dict[str, Any], records: dict[str, Any]) -> list[str]:
    secrets = Secrets()
    fields = secrets.digested({k: v for k, v in account.items() if k != "id"}, ACCOUNT_SECRETS)
    if type(fields.get("credentials")) is dict:
        fields["credentials"] = secrets.digested(fields["credentials"], CREDENTIALS_SECRETS)
    account_id = int(account["id"])
    record = records.get(f"account:{account_id}")
    fiscal_id = record and record["applied"].get("fiscal_id")
    if fiscal_id and fields.get("fiscal_id") is not None and fiscal_id != fields["fiscal_id"]:
        raise SystemExit(f"floor: Vat Number can't be changed (it is {fiscal_id!r})")
    if record is None or differs(fields, record["applied"]):
        return [f"update account {account_id}"]
    return []


def sequence_calls(sequences: dict[str, Any], records: dict[str, Any]) -> list[str]:
    unregistered = []
    for ref in sequences.get("register") or ():
        if not isinstance(ref, Number):
            raise SystemExit(f"floor: serie {ref!r} would need the live account to resolve")
        if f"registration:{int(ref)}" not in records:
            unregistered.append(int(ref))
    calls = [f"register sequence {number}" for number in sorted(unregistered)]
    default = sequences.get("default")
    if default is not None:
        if not isinstance(default, Number):
            raise SystemExit(f"floor: serie {default!r} would need the live account to resolve")
        record = records.get("default_sequence")
        if record is None or str(record["applied"].get("id")) != str(int(default)):
            calls.append(f"set default sequence {int(default)}")
    return calls


def client_calls(clients: list[dict[str, Any]], records: dict[str, Any]) -> list[str]:
    changed = []
    for client in clients:
        client_id = client.get("id")
        if client_id is None:
            raise SystemExit(f"floor: client {client.get('code')!r} has no id to compare by")
        number = int(client_id)
        record = records.get(f"client:{number}")
        if record is None:
            changed.append(number)
            continue
        fields = client.copy()
        del fields["id"]
        if differs(fields, record["applied"]):
            changed.append(number)
    return [f"update client {number}" for number in sorted(changed)]


def plan_lines(desired_path: Path, known_path: Path) -> list[str]:
    """One line per call the plan needs, in the plan's order."""
    desired = read_yaml(desired_path) or {}
    known = read_json(known_path) if known_path.exists() else {}
    records = known.get("resources") or {}
    calls: list[str] = []
    if desired.get("account") is not None:
        calls += account_calls(desired["account"], records)
    if desired.get("sequences") is not None:
        calls += sequence_calls(desired["sequences"], records)
    calls += client_calls(desired.get("clients") or [], records)
    return calls


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 2:
        raise SystemExit("usage: python benchmarks/floor.py DESIRED.yaml KNOWN.state.json")
    lines = plan_lines(Path(arguments[0]), Path(arguments[1]))
    sys.stdout.write("".join(f"{line}\n" for line in lines))


if __name__ == "__main__":
    main()
