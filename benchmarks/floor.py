"""The plan floor: what ``reconciler plan`` does, in the plainest fast Python, for comparison.

    python benchmarks/floor.py DESIRED.yaml KNOWN.state.json

prints one line per call a plan needs (``update client 100042``), in the plan's order. It is the
fastest honest reading of the same inputs: the desired YAML parsed by rapidyaml (in C++), emitted
as JSON and read by orjson, the rapidyaml tree and the JSON text freed as soon as they are read;
the known state read by orjson. Each declared resource's fields are compared exactly with its
record under the same keys as reconciler (``account:<id>``, ``registration:<id>``,
``default_sequence``, ``client:<id>``). A number and a text are compared as text: an
unquoted ``977456405`` equals a recorded ``"977456405"``, and ``0213456789`` keeps its leading
zero (rapidyaml emits it as text). A number orjson can only hold as a float (``1.5``, an integer
past 64 bits) is refused where it would be compared with text, its written form being lost.

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
import os
import sys
from pathlib import Path
from typing import Any

import orjson
import ryml

DIGEST_PREFIX = "hmac-sha256:"
ACCOUNT_SECRETS = ("password",)
CREDENTIALS_SECRETS = ("password",)


def read_yaml(path: Path) -> Any:
    """The YAML file as plain data: text as written, unquoted numbers as numbers (``true`` and
    ``null`` as rapidyaml emits them, JSON literals)."""
    emitted = ryml.emit_json(ryml.parse_in_arena(path.read_bytes()))  # the tree is freed here
    return orjson.loads(emitted)  # and the JSON text on return


def read_json(path: Path) -> Any:
    """The JSON file as plain data."""
    return orjson.loads(path.read_bytes())


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
        elif value != before and not same_text(value, before):
            return True
    return False


def same_text(declared: Any, applied: Any) -> bool:
    """Whether a number and a text that are not equal are the same text (``1`` and ``"1"``)."""
    if type(declared) is float or type(applied) is float:
        if type(declared) is str or type(applied) is str:
            raise SystemExit("floor: a number JSON holds as a float can't be compared as text")
        return False
    if type(declared) is int and type(applied) is str:
        return str(declared) == applied
    if type(declared) is str and type(applied) is int:
        return declared == str(applied)
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
        if type(ref) is not int:
            raise SystemExit(f"floor: serie {ref!r} would need the live account to resolve")
        if f"registration:{int(ref)}" not in records:
            unregistered.append(int(ref))
    calls = [f"register sequence {number}" for number in sorted(unregistered)]
    default = sequences.get("default")
    if default is not None:
        if type(default) is not int:
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
