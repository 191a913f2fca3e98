"""Import: a desired-state YAML written from the live account, or an existing one brought up to it.

A new file gets the account's details, every client, and the default and registered sequences,
with every field the live account has a value for. An existing file is updated in place with
ruamel.yaml's round trip, so comments, order, quoting and layout survive: each field it declares
takes the live value where the two differ; clients are matched by id (or by code for a client
declared without id), and clients it lacks are appended. Nothing is written for a field the live
account leaves empty. Secrets are never written: the AT password becomes ``${AT_PASSWORD}``, and
a value written as a ``${...}`` reference is left as written (a note says when it differs).

Every string written is escaped for the loader that reads it back (``$`` → ``$$``), so a live
``${NAME}`` stays text and never becomes a lookup in the environment, and one holding a
character that does not print (NEL, LS, PS, a control character, a tab) is double-quoted with
escapes; existing values are compared by what they mean once expanded.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

from reconciler.core import normalize as norm
from reconciler.core.live_state import LiveState
from reconciler.desired.envexpand import escaped, has_reference
from reconciler.desired.models import SECRET_FIELDS, DesiredState, countries

AT_PASSWORD_REFERENCE = "${AT_PASSWORD}"
COMMENT_COLUMN = 37
HEADER = (
    "The desired state of InvoiceXpress account {id}, imported from the live account by\n"
    "`reconciler import`. Fields left out are not managed; see state.example.yaml for all."
)


@dataclass
class Imported:
    """The YAML text to write, and what the import did."""

    text: str
    clients_added: int = 0
    fields_updated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _file_form(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Live values (declared form) as a file writes them; empty ones left out."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, Mapping):
            inner = _file_form(value)
            if inner:
                out[name] = inner
        elif value is not None and value != "":
            out[name] = _written(name, value)
    return out


def _written(name: str, value: Any) -> Any:
    """A live value as the file writes it: text escaped, so it reads back as exactly itself."""
    if name == "tax_country" and isinstance(value, str) and norm.as_decimal(value) is not None:
        names = countries()
        return names[int(value) - 1] if 0 < int(value) <= len(names) else escaped(value)
    if name in ("terms", "marketing") and value in ("0", "1"):
        return int(value)
    return _quoted_if_needed(escaped(value)) if isinstance(value, str) else value


def _quoted_if_needed(text: str) -> str:
    """``text`` double-quoted when it holds a character that does not print (spaces print):
    there each is written as an escape (``\\N``, ``\\L``, ``\\t``, ``\\x9B``). Left to
    itself the writer puts NEL, LS and PS raw in single quotes, where a reader folds NEL into
    a space."""
    if text.isprintable():
        return text
    quoted: str = DoubleQuotedScalarString(text)
    return quoted


def account_section(view: Mapping[str, Any]) -> CommentedMap:
    """The account as a new file declares it."""
    section = CommentedMap(id=int(view["id"]))
    section.update(_file_form(norm.live_account(view)))
    credentials = section.get("credentials")
    if isinstance(credentials, dict):
        ordered = CommentedMap(username=credentials.get("username"))
        ordered["password"] = AT_PASSWORD_REFERENCE
        ordered.update({k: v for k, v in credentials.items() if k != "username"})
        note = "the API never shows it: set AT_PASSWORD"
        ordered.yaml_add_eol_comment(note, "password", column=COMMENT_COLUMN)
        section["credentials"] = ordered
    return section


def client_entry(view: Mapping[str, Any]) -> CommentedMap:
    """A client as a new file declares it: id first, then every field with a value."""
    entry = CommentedMap(id=norm.client_id(view))
    fields = _file_form(norm.live_client(view))
    for name in ("code", "name"):
        entry[name] = fields.pop(name, "")
    entry.update(fields)
    return entry


def _sequence_comment(sequences: tuple[Mapping[str, Any], ...], ids: list[int]) -> str:
    series = {i: s for s, i in norm.series_ids(sequences).items()}
    return ", ".join(f"{i} is serie {_printable(series[i])}" for i in ids if i in series)


def _printable(text: str) -> str:
    """``text`` for a comment: quoted with escapes unless every character prints, so a line
    break in live data can't end the comment and add a line to the file."""
    return text if text.isprintable() else json.dumps(text, ensure_ascii=False)


def sequences_section(sequences: tuple[Mapping[str, Any], ...]) -> CommentedMap:
    """The default sequence and every registered one, by id (each serie in a comment)."""
    section = CommentedMap()
    default = norm.default_sequence(list(sequences))
    if default is not None:
        section["default"] = default
        comment = _sequence_comment(sequences, [default])
        section.yaml_add_eol_comment(comment, "default", column=COMMENT_COLUMN)
    registered = [int(s["id"]) for s in sequences if norm.is_registered(s)]
    flow = CommentedSeq(registered)
    flow.fa.set_flow_style()
    section["register"] = flow
    if registered:
        comment = _sequence_comment(sequences, registered)
        section.yaml_add_eol_comment(comment, "register", column=COMMENT_COLUMN)
    return section


def new_document(live: LiveState) -> Imported:
    """A whole desired-state file from the live account."""
    if live.account is None:
        raise ValueError("the live account was not read")
    document = CommentedMap()
    document.yaml_set_start_comment(HEADER.format(id=live.account["id"]))
    document["account"] = account_section(live.account)
    if live.sequences is not None:
        document["sequences"] = sequences_section(live.sequences)
    clients = CommentedSeq(client_entry(v) for _, v in sorted(live.clients.items()) if v)
    document["clients"] = clients
    return Imported(_dump(document), clients_added=len(clients))


def _dump(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def update_document(text: str, existing: DesiredState, live: LiveState) -> Imported:
    """``text`` (a valid desired-state file, as ``existing``) brought up to the live account."""
    document = _yaml().load(text)
    result = Imported("")
    if not isinstance(document, CommentedMap):
        raise ValueError("the file's top level is not a mapping")
    if live.account is not None:
        if isinstance(document.get("account"), CommentedMap) and existing.account is not None:
            declared = existing.account.model_dump(exclude_none=True, exclude={"id"})
            _update(
                document["account"], declared, norm.live_account(live.account), "account", result
            )
        else:
            document["account"] = account_section(live.account)
    if live.sequences is not None:
        _update_sequences(document, existing, live.sequences, result)
    _update_clients(document, existing, live, result)
    result.text = _dump(document)
    return result


def _update(
    node: CommentedMap,
    declared: Mapping[str, Any],
    live: Mapping[str, Any],
    path: str,
    result: Imported,
) -> None:
    """Each declared field of ``node`` that differs from the live value takes it."""
    for key in list(node.keys()):
        where = f"{path}.{key}"
        if key == "id" or key not in declared or where in _SECRET_WHERE:
            continue
        raw, wanted, shown = node[key], declared[key], live.get(key)
        if isinstance(raw, CommentedMap):
            inner = shown if isinstance(shown, Mapping) else {}
            if isinstance(wanted, Mapping):
                _update(raw, wanted, inner, where, result)
            continue
        if norm.equivalent(key, _comparable(wanted), shown):
            continue
        if isinstance(raw, str) and has_reference(raw):
            result.notes.append(f"{where} is written as a reference; the live value is {shown!r}")
            continue
        node[key] = _styled(raw, _written(key, shown))
        result.fields_updated.append(where)


_SECRET_WHERE = frozenset(f"account.{field}" for field in SECRET_FIELDS)


def _comparable(value: Any) -> Any:
    """A declared value from ``model_dump`` in the form ``normalize`` gives live values."""
    if hasattr(value, "get_secret_value"):
        return None
    return value


def _styled(old: Any, new: Any) -> Any:
    """``new`` written in the quoting style of the value it replaces."""
    if isinstance(new, DoubleQuotedScalarString):
        return new
    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    return new


def _update_clients(
    document: CommentedMap, existing: DesiredState, live: LiveState, result: Imported
) -> None:
    by_code = {str(v.get("code")): i for i, v in live.clients.items() if v is not None}
    entries = document.get("clients")
    if not isinstance(entries, CommentedSeq):
        entries = CommentedSeq()
        document["clients"] = entries
    matched: set[int] = set()
    for index, client in enumerate(existing.clients):
        identifier = client.id if client.id is not None else by_code.get(client.code, 0)
        view = live.clients.get(identifier)
        if view is None or not isinstance(entries[index], CommentedMap):
            result.notes.append(
                f"clients[{index}] (code {client.code!r}) is not on the live account: left as it is"
            )
            continue
        matched.add(identifier)
        declared = client.model_dump(exclude_none=True, exclude={"id"})
        _update(entries[index], declared, norm.live_client(view), f"clients[{index}]", result)
    for identifier, view in sorted(live.clients.items()):
        if view is not None and identifier not in matched:
            entries.append(client_entry(view))
            result.clients_added += 1


def _update_sequences(
    document: CommentedMap,
    existing: DesiredState,
    sequences: tuple[Mapping[str, Any], ...],
    result: Imported,
) -> None:
    node = document.get("sequences")
    declared = existing.sequences
    if not isinstance(node, CommentedMap) or declared is None:
        document["sequences"] = sequences_section(sequences)
        return
    series = norm.series_ids(sequences)
    by_id = {i: s for s, i in series.items()}

    def as_id(ref: int | str) -> int | None:
        return ref if isinstance(ref, int) else series.get(ref)

    def written(identifier: int, like: int | str) -> Any:
        if isinstance(like, str):  # the file names sequences by serie: keep doing so
            return DoubleQuotedScalarString(escaped(by_id[identifier]))
        return identifier

    live_default = norm.default_sequence(list(sequences))
    default = declared.default
    if default is not None and live_default is not None and as_id(default) != live_default:
        node["default"] = written(live_default, default)
        result.fields_updated.append("sequences.default")
    listed = node.get("register")
    if isinstance(listed, CommentedSeq):
        have = {as_id(ref) for ref in declared.to_register}
        like: int | str = declared.to_register[0] if declared.to_register else 0
        for sequence in sequences:
            identifier = int(sequence["id"])
            if norm.is_registered(sequence) and identifier not in have:
                listed.append(written(identifier, like))
                result.fields_updated.append(f"sequences.register (+{identifier})")
