"""The natural keys the known state resolves are the same whether each kind reads every record
or only the group of records its keys can start with (``references.by_first_part``)."""

from __future__ import annotations

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
