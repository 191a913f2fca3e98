"""The checksum stays the one ``json`` computes: files written before verify, whichever parser
read them, and orjson's canonical bytes equal ``json``'s wherever it is used to check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.known import FORMAT_VERSION, KnownState, Record
from reconciler.storage.envelope import (
    _orjson_checksum,
    checksum,
    format_version,
    sealed,
    sealed_text,
    unsealed,
)
from reconciler.storage.state_file import StateStore

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.text()  # any code point: non-ASCII, controls, U+2028, surrogates excluded by UTF-8
    | st.floats(allow_nan=False, allow_infinity=False)
)


def _documents_of(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Documents of ``scalars``, nested in lists and mappings, without the envelope's own key."""
    return st.dictionaries(
        st.text(),
        st.recursive(
            scalars,
            lambda inner: (
                st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
            ),
            max_leaves=20,
        ),
        max_size=6,
    ).filter(lambda document: "checksum" not in document)


_documents = _documents_of(_scalars)


def _without_floats(value: Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(_without_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_without_floats(v) for v in value)
    return True


@settings(max_examples=300, deadline=None)
@given(document=_documents)
def test_orjson_writes_the_canonical_bytes_of_json_for_documents_without_floats(
    document: dict[str, Any],
) -> None:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if _without_floats(document):
        assert orjson.dumps(document, option=orjson.OPT_SORT_KEYS) == canonical.encode("utf-8")
        assert _orjson_checksum(document) == checksum(document)


@settings(max_examples=300, deadline=None)
@given(document=_documents)
def test_a_sealed_document_verifies_whichever_parser_read_it(document: dict[str, Any]) -> None:
    text = json.dumps(sealed(document), ensure_ascii=False)
    assert unsealed(json.loads(text)) == document
    assert unsealed(orjson.loads(text.encode("utf-8")), parsed_by_orjson=True) == document
    changed = {**orjson.loads(text.encode("utf-8")), "added": 1}
    assert unsealed(changed, parsed_by_orjson=True) is None


def test_a_state_file_with_floats_orjson_writes_otherwise_loads(tmp_path: Path) -> None:
    state = KnownState.new().applied(
        "client:1",
        Record({"name": "Ação 😀", "tiny": 1e-07, "small": 2.5e-05, "big": 1e16}, "2026-01-01"),
    )
    path = tmp_path / "s.json"
    path.write_text(json.dumps(sealed(state.to_json()), indent=2, ensure_ascii=False) + "\n")
    assert orjson.dumps(1e-07) != json.dumps(1e-07).encode()  # the case the fallback is for
    loaded = StateStore(path).load()
    assert loaded == state
    assert json.loads(path.read_text())["format_version"] == FORMAT_VERSION


@pytest.mark.parametrize("big", [2**64, -(2**63) - 1, 10**30])
def test_a_state_file_with_an_integer_past_64_bits_loads(tmp_path: Path, big: int) -> None:
    # orjson refuses such an integer, or (some releases) reads it as a float: either way the
    # file, unchanged since it was written, loads as it was written.
    state = KnownState.new().applied("client:1", Record({"count": big}, "2026-01-01"))
    path = tmp_path / "s.json"
    path.write_text(sealed_text(state.to_json()) + "\n")
    assert StateStore(path).load() == state


_any_scalars = _scalars | st.floats() | st.integers(-(2**80), 2**80)
_any_documents = _documents_of(_any_scalars)


@settings(max_examples=300)
@given(_any_documents)
def test_sealed_text_is_what_json_writes(document: dict[str, Any]) -> None:
    """orjson writes the sealed file only where its bytes are ``json``'s: NaN, ``1e-07`` and
    integers past 64 bits fall back to ``json``; either way the file reads back and verifies."""
    expected = json.dumps(sealed(document), indent=2, ensure_ascii=False)
    assert sealed_text(document) == expected
    assert unsealed(json.loads(expected)) is not None or _holds_nan(document)


def _holds_nan(value: Any) -> bool:
    if isinstance(value, float):
        return value != value
    if isinstance(value, dict):
        return any(_holds_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_nan(v) for v in value)
    return False


@pytest.mark.parametrize("parsed_by_orjson", [False, True])
@pytest.mark.parametrize("stated", ["missing", None, "", 0, "sha256:"])
def test_a_document_without_a_checksum_is_refused(parsed_by_orjson: bool, stated: Any) -> None:
    """The checksum is what makes a document trusted: removing it is damage, not a way around."""
    document = sealed({"format_version": FORMAT_VERSION, "lineage": "l", "serial": 1})
    assert unsealed(dict(document), parsed_by_orjson=parsed_by_orjson) is not None
    if stated == "missing":
        del document["checksum"]
    else:
        document["checksum"] = stated
    assert unsealed(document, parsed_by_orjson=parsed_by_orjson) is None


# Cases found by mutation testing (tests/MUTATION.md).


def test_nan_put_where_the_sealed_document_held_null_is_damage() -> None:
    """orjson writes NaN as ``null``: a document read by ``json`` is checked by ``json`` alone,
    so a NaN put in place of a sealed ``null`` does not verify."""
    document = sealed({"format_version": FORMAT_VERSION, "value": None})
    document["value"] = float("nan")
    assert unsealed(document) is None


def test_a_document_orjson_cannot_write_still_verifies_by_json() -> None:
    document = {"format_version": FORMAT_VERSION, "big": 2**70}
    assert unsealed(sealed(document), parsed_by_orjson=True) == document
    assert unsealed({**sealed(document), "big": 2**70 + 1}, parsed_by_orjson=True) is None


@pytest.mark.parametrize(
    ("stated", "read"),
    [(1, 1), (7, 7), ("1", None), (1.0, None), (True, None), (None, None), ([1], None)],
)
def test_only_a_whole_number_is_a_format_version(stated: Any, read: int | None) -> None:
    assert format_version({"format_version": stated}) == read
    assert format_version({}) is None
