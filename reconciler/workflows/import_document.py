"""Import: a desired-state YAML written from the live account, or an existing one brought up to it.

Each kind of the registry that declares a ``Section`` (``core.kinds.sections``) gets its
section, in the registry's order: today the account's details, the default and registered
sequences, and every client, with every field the live account has a value for. An existing
file is updated in place with ruamel.yaml's round trip, so comments, order, quoting and layout
survive: each field it declares takes the live value where the two differ; list entries
(clients) are matched by id (or by natural key for one declared without id), and those it lacks
are appended; a section it lacks is written whole. Nothing is written for a field the live
account leaves empty. Secrets are never written: a ``Reference`` (the AT password) becomes
``${AT_PASSWORD}``, and a value written as a ``${...}`` reference is left as written (a note
says when it differs).

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

from pydantic import SecretStr
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

from reconciler.core import normalize as norm
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Kind
from reconciler.core.kinds.sections import Layout, Section
from reconciler.core.live_state import LiveState
from reconciler.desired.envexpand import escaped, has_reference
from reconciler.desired.models import DesiredState, countries

COMMENT_COLUMN = 37
HEADER = (
    "The desired state of InvoiceXpress account {id}, imported from the live account by\n"
    "`reconciler import`. Fields left out are not managed; see state.example.yaml for all."
)


@dataclass
class Imported:
    """The YAML text to write, and what the import did."""

    text: str
    added: dict[str, int] = field(default_factory=dict)
    """Resources written as new entries, by section key (``clients``)."""
    fields_updated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _file_form(fields: Mapping[str, Any], layout: Layout) -> dict[str, Any]:
    """Live values (declared form) as a file writes them; empty ones left out."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, Mapping):
            inner = _file_form(value, layout.nested(name))
            if inner:
                out[name] = inner
        elif value is not None and value != "":
            out[name] = _written(name, value, layout)
    return out


def _written(name: str, value: Any, layout: Layout) -> Any:
    """A live value as the file writes it: text escaped, so it reads back as exactly itself."""
    if name in layout.countries and isinstance(value, str) and norm.as_decimal(value) is not None:
        names = countries()
        return names[int(value) - 1] if 0 < int(value) <= len(names) else escaped(value)
    if name in layout.flags and value in ("0", "1"):
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


def _laid_out(into: CommentedMap, fields: Mapping[str, Any], layout: Layout) -> CommentedMap:
    """``into`` given ``fields`` (file form) as ``layout`` orders them, references included."""
    for name, blank in layout.first:
        into[name] = fields.get(name, blank)
    for reference in layout.references:
        into[reference.field] = reference.text
        into.yaml_add_eol_comment(reference.note, reference.field, column=COMMENT_COLUMN)
    for name, value in fields.items():
        if name in into:
            continue
        if isinstance(value, Mapping):
            value = _laid_out(CommentedMap(), value, layout.nested(name))
        into[name] = value
    return into


def _resource(kind: Kind, identifier: int, view: Mapping[str, Any]) -> CommentedMap:
    """One live resource as a new file declares it: id first, then as its layout says."""
    section = _section_of(kind)
    fields = _file_form(kind.normalised(view), section.layout)
    return _laid_out(CommentedMap(id=identifier), fields, section.layout)


def _section_of(kind: Kind) -> Section:
    if kind.section is None:
        raise ValueError(f"the {kind.name} kind writes no section")
    return kind.section


def _printable(text: str) -> str:
    """``text`` for a comment: quoted with escapes unless every character prints, so a line
    break in live data can't end the comment and add a line to the file."""
    return text if text.isprintable() else json.dumps(text, ensure_ascii=False)


def _named(kind: Kind, names: Mapping[int, str], ids: list[int]) -> str:
    """``146110 is serie 2024, ...``: each id with its natural key, for a comment."""
    said = (f"{i} is {kind.natural_key} {_printable(names[i])}" for i in ids if i in names)
    return ", ".join(said)


def _names(kind: Kind, found: Any) -> dict[int, str]:
    """Id → natural key of every live resource of a kind."""
    return {i: key for key, i in kind.natural_keys(_views(found)).items()}


def _views(found: Any) -> list[Mapping[str, Any]]:
    """Every resource read in a slot: a list's items, or the views of a by-id read."""
    if isinstance(found, Mapping):
        return [v for v in found.values() if isinstance(v, Mapping)]
    return [v for v in found if isinstance(v, Mapping)] if isinstance(found, tuple | list) else []


def _references(kind: Kind, live: LiveState) -> CommentedMap:
    """A ``references`` section: each field naming live resources by id, in a comment their
    natural keys; lists written as their section says (flow or block)."""
    section, out = _section_of(kind), CommentedMap()
    names = _names(kind, live.of(_slot(kind)))
    for name, value in (kind.referenced(live) or {}).items():
        if value is None:
            continue
        ids = [value] if isinstance(value, int) else list(value)
        if isinstance(value, int):
            out[name] = value
        else:
            listed = CommentedSeq(ids)
            if name in section.flow:
                listed.fa.set_flow_style()
            out[name] = listed
        if ids:
            out.yaml_add_eol_comment(_named(kind, names, ids), name, column=COMMENT_COLUMN)
    return out


def _slot(kind: Kind) -> str:
    return kind.reading.slot if kind.reading is not None else ""


def _new_section(kind: Kind, live: LiveState) -> CommentedMap | CommentedSeq:
    """A kind's section from the live account."""
    shape, found = _section_of(kind).shape, live.of(_slot(kind))
    if shape == "mapping":
        return _resource(kind, int(found["id"]), found)
    if shape == "list":
        return CommentedSeq(_resource(kind, i, v) for i, v in sorted(found.items()) if v)
    return _references(kind, live)


def _importing(live: LiveState) -> list[Kind]:
    """The kinds import writes, in the registry's order, whose resources were read."""
    return [k for k in registry.KINDS if k.section is not None and live.of(_slot(k)) is not None]


def new_document(live: LiveState) -> Imported:
    """A whole desired-state file from the live account."""
    if live.account is None:
        raise ValueError("the live account was not read")
    document = CommentedMap()
    document.yaml_set_start_comment(HEADER.format(id=live.account["id"]))
    result = Imported("")
    for kind in _importing(live):
        key = _section_of(kind).key
        document[key] = section = _new_section(kind, live)
        if isinstance(section, CommentedSeq):
            result.added[key] = len(section)
    result.text = _dump(document)
    return result


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
    for kind in _importing(live):
        shape = _section_of(kind).shape
        if shape == "mapping":
            _update_mapping(document, kind, existing, live, result)
        elif shape == "list":
            _update_list(document, kind, existing, live, result)
        else:
            _update_references(document, kind, existing, live, result)
    result.text = _dump(document)
    return result


def _update(
    node: CommentedMap,
    declared: Mapping[str, Any],
    live: Mapping[str, Any],
    path: str,
    layout: Layout,
    result: Imported,
) -> None:
    """Each declared field of ``node`` that differs from the live value takes it; a declared
    secret is never touched."""
    for key in list(node.keys()):
        where = f"{path}.{key}"
        if key == "id" or key not in declared or isinstance(declared[key], SecretStr):
            continue
        raw, wanted, shown = node[key], declared[key], live.get(key)
        if isinstance(raw, CommentedMap):
            inner = shown if isinstance(shown, Mapping) else {}
            if isinstance(wanted, Mapping):
                _update(raw, wanted, inner, where, layout.nested(key), result)
            continue
        if norm.equivalent(key, wanted, shown):
            continue
        if isinstance(raw, str) and has_reference(raw):
            result.notes.append(f"{where} is written as a reference; the live value is {shown!r}")
            continue
        node[key] = _styled(raw, _written(key, shown, layout))
        result.fields_updated.append(where)


def _styled(old: Any, new: Any) -> Any:
    """``new`` written in the quoting style of the value it replaces."""
    if isinstance(new, DoubleQuotedScalarString):
        return new
    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    return new


def _update_mapping(
    document: CommentedMap, kind: Kind, existing: DesiredState, live: LiveState, result: Imported
) -> None:
    """The kind's one resource: its declared fields updated, or the section written anew."""
    key, layout = _section_of(kind).key, _section_of(kind).layout
    view = live.of(_slot(kind))
    models = [model for _, model, _ in kind.declared(existing)]
    if isinstance(document.get(key), CommentedMap) and models:
        declared = models[0].model_dump(exclude_none=True, exclude={"id"})
        _update(document[key], declared, kind.normalised(view), key, layout, result)
    else:
        document[key] = _new_section(kind, live)


def _update_list(
    document: CommentedMap, kind: Kind, existing: DesiredState, live: LiveState, result: Imported
) -> None:
    """Entries matched by id, or else by natural key, updated; live resources the file lacks
    appended."""
    key, layout = _section_of(kind).key, _section_of(kind).layout
    views = {i: v for i, v in live.of(_slot(kind)).items() if v is not None}
    by_key = kind.natural_keys(views.values()) if kind.natural_key else {}
    entries = document.get(key)
    if not isinstance(entries, CommentedSeq):
        entries = CommentedSeq()
        document[key] = entries
    matched: set[int] = set()
    for path, model, identifier in kind.declared(existing):
        index = int(path[-1])
        named = getattr(model, kind.natural_key, None) if kind.natural_key else None
        if identifier is None:
            identifier = by_key.get(str(named), 0)
        view = views.get(identifier)
        if view is None or not isinstance(entries[index], CommentedMap):
            said = f" ({kind.natural_key} {named!r})" if kind.natural_key else ""
            result.notes.append(f"{key}[{index}]{said} is not on the live account: left as it is")
            continue
        matched.add(identifier)
        declared = model.model_dump(exclude_none=True, exclude={"id"})
        fields = kind.normalised(view)
        _update(entries[index], declared, fields, f"{key}[{index}]", layout, result)
    for identifier, view in sorted(views.items()):
        if identifier not in matched:
            entries.append(_resource(kind, identifier, view))
            result.added[key] = result.added.get(key, 0) + 1


def _update_references(
    document: CommentedMap, kind: Kind, existing: DesiredState, live: LiveState, result: Imported
) -> None:
    """A single reference replaced when the live one differs, a list extended by the live
    ones it lacks; each written by id or by natural key, as the file already does."""
    key = _section_of(kind).key
    node = document.get(key)
    declared = kind.declared_references(existing)
    if not isinstance(node, CommentedMap) or declared is None:
        document[key] = _references(kind, live)
        return
    ids = kind.natural_keys(_views(live.of(_slot(kind))))
    names = {i: name for name, i in ids.items()}

    def as_id(ref: int | str) -> int | None:
        return ref if isinstance(ref, int) else ids.get(ref)

    def written(identifier: int, like: int | str) -> Any:
        if isinstance(like, str):  # the file names them by natural key: keep doing so
            return DoubleQuotedScalarString(escaped(names[identifier]))
        return identifier

    for name, value in (kind.referenced(live) or {}).items():
        wanted = declared.get(name)
        if isinstance(value, tuple):
            listed = node.get(name)
            if not isinstance(listed, CommentedSeq):
                continue
            refs = wanted if isinstance(wanted, tuple) else ()
            have = {as_id(ref) for ref in refs}
            like: int | str = refs[0] if refs else 0
            for identifier in value:
                if identifier not in have:
                    listed.append(written(identifier, like))
                    result.fields_updated.append(f"{key}.{name} (+{identifier})")
        elif isinstance(wanted, int | str) and value is not None and as_id(wanted) != value:
            node[name] = written(value, wanted)
            result.fields_updated.append(f"{key}.{name}")
