"""The natural keys the known state resolves are the same whether each kind reads every record
or only the group of records its keys can start with (``references.by_first_part``)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.known import KnownState, Record
from reconciler.core.references import by_first_part, known_keys, resolving_kinds

AT = "2026-01-01T00:00:00+00:00"
# Keys of every kind and look-up, keys that only look like them, and ids that are not ids.
STARTS = [
    "client:", "registration:", "tax:", "item:", "default_sequence", "default_sequence:",
    "lookup:client-code:", "lookup:serie:", "lookup:tax-name:", "lookup:item-name:", "lookup:",
    "clients:", "client", "account", "new-client:", "item:x:", "",
]  # fmt: skip
ids = st.one_of(st.integers(0, 30).map(str), st.sampled_from(["", "x", "٤٢", "1:2", "007"]))
keys = st.builds(lambda start, rest: start + rest, st.sampled_from(STARTS), ids)
natural = st.sampled_from(["C1", "C2", "IVA23", "2027", "A"])
applied = st.fixed_dictionaries(
    {},
    optional={
        "code": st.one_of(natural, st.integers(0, 3)),
        "name": natural,
        "serie": natural,
        "id": st.one_of(st.integers(0, 40), natural),
    },
)


@settings(max_examples=400, deadline=None)
@given(records=st.lists(st.tuples(keys, applied), max_size=25))
def test_each_kind_reads_the_same_natural_keys_from_its_group_of_records(
    records: list[tuple[str, dict[str, object]]],
) -> None:
    known = KnownState(lineage="l", resources={key: Record(values, AT) for key, values in records})
    grouped = by_first_part(known)
    for kind in resolving_kinds():
        assert known_keys(kind, known, grouped) == known_keys(kind, known)
        assert list(known_keys(kind, known, grouped)) == list(known_keys(kind, known))


def test_a_record_is_grouped_by_its_key_before_the_first_colon() -> None:
    known = KnownState(
        lineage="l",
        resources={k: Record({}, AT) for k in ("client:1", "lookup:client-code:C", "account")},
    )
    assert {part: [k for k, _ in items] for part, items in by_first_part(known).items()} == {
        "client": ["client:1"],
        "lookup": ["lookup:client-code:C"],
        "account": ["account"],
    }


# Desired states that name their resources by id, by natural key, or both, with references
# between kinds (an item's tax) and series by id or by serie.
_codes = st.sampled_from(["C1", "C2", "A"])
_names = st.sampled_from(["IVA23", "A", "C1"])
_ids = st.one_of(st.none(), st.integers(1, 40))
_clients = st.lists(
    st.builds(lambda i, code: {"id": i, "code": code, "name": f"Client {code}"}, _ids, _codes),
    max_size=4,
)
_taxes = st.lists(st.builds(lambda i, name: {"id": i, "name": name}, _ids, _names), max_size=3)
_items = st.lists(
    st.builds(
        lambda i, name, tax: {"id": i, "name": name, "tax": tax},
        _ids,
        _names,
        st.one_of(st.none(), _names),
    ),
    max_size=3,
)
_refs = st.one_of(st.integers(1, 40), st.sampled_from(["2027", "A"]))
_sequences = st.one_of(
    st.none(),
    st.builds(
        lambda default, register: {"default": default, "register": sorted(set(register), key=str)},
        st.one_of(st.none(), _refs),
        st.lists(_refs, max_size=2),
    ),
)


def _state(data: dict[str, Any]) -> Any:
    from reconciler.desired.models import DesiredState

    return DesiredState.model_validate({k: v for k, v in data.items() if v is not None})


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(st.tuples(keys, applied), max_size=25),
    clients=_clients,
    taxes=_taxes,
    items=_items,
    sequences=_sequences,
    create=st.booleans(),
)
def test_the_keys_left_unread_for_kinds_named_by_id_alone_resolve_the_same(
    records: list[tuple[str, dict[str, object]]],
    clients: list[dict[str, Any]],
    taxes: list[dict[str, Any]],
    items: list[dict[str, Any]],
    sequences: dict[str, Any] | None,
    create: bool,
) -> None:
    """``pending`` reads no keys for a kind the file names by id alone; what it leaves unknown
    and how the file resolves are what every kind's keys read from the known state give."""
    from reconciler.core.references import pending, resolve_with
    from reconciler.desired.document import Desired
    from reconciler.desired.loader import SourceMap
    from reconciler.errors import ValidationFailed

    known = KnownState(lineage="l", resources={key: Record(values, AT) for key, values in records})
    state = _state({"clients": clients, "taxes": taxes, "items": items, "sequences": sequences})
    desired = Desired("state.yaml", state, SourceMap())
    every = {kind.name: known_keys(kind, known, by_first_part(known)) for kind in resolving_kinds()}
    todo = pending(state, known)
    assert todo.unknown == {
        kind.name: tuple(dict.fromkeys(k for k in kind.named(state) if k not in every[kind.name]))
        for kind in resolving_kinds()
    }

    def resolved(keys: dict[str, dict[str, int]]) -> Any:
        try:
            found = resolve_with(desired, known, keys, create_missing=create, at=AT)
        except ValidationFailed as failed:
            return [str(problem) for problem in failed.problems]
        return found.desired.state, found.known, found.to_create, found.named

    assert resolved(dict(todo.known)) == resolved(every)
