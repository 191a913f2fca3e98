"""Node flags read as one big integer agree with loops over the nodes."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.loader.fast import _SEEN
from reconciler.desired.loader.lanes import Lanes
from reconciler.desired.loader.tree_walk import FLOW, VAL


def _bits(count: int) -> st.SearchStrategy[int]:
    return st.builds(
        lambda bits: sum(1 << b for b in bits), st.sets(st.integers(0, 63), max_size=count)
    )


lane = st.one_of(
    st.integers(0, 2**64 - 1),
    st.sampled_from([0, VAL, FLOW, _SEEN, 2**63, 0xFF, 0x100, 2**64 - 1, VAL << 8, VAL >> 1]),
    _bits(4),
)
flags = st.one_of(
    st.integers(1, 2**64 - 1), st.sampled_from([FLOW, _SEEN, 0xFF00, 0x0101]), _bits(3)
)


@settings(max_examples=500, deadline=None)
@given(values=st.lists(lane, max_size=40), mask=flags, part=st.integers(0, 2**64 - 1))
def test_lanes_answer_as_loops_over_the_nodes(values: list[int], mask: int, part: int) -> None:
    lanes = Lanes(array("Q", values))
    assert lanes.any(mask) == any(value & mask for value in values)
    assert lanes.flagged(mask) == [i for i, value in enumerate(values) if value & mask]
    value = part & mask or mask
    assert lanes.holds(mask, value) == any(lane & mask == value for lane in values)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.sampled_from([0, VAL, VAL << 8, VAL << 16, _SEEN, VAL | 1]), max_size=30))
def test_a_value_with_no_style_is_found_only_in_its_own_lane(values: list[int]) -> None:
    """The fast path's own question: is some node's ``_SEEN`` flags ``VAL`` alone?"""
    assert Lanes(array("Q", values)).holds(_SEEN, VAL) == any(v & _SEEN == VAL for v in values)


def test_no_lanes() -> None:
    lanes = Lanes(array("Q"))
    assert not lanes.any(FLOW) and lanes.flagged(FLOW) == [] and not lanes.holds(_SEEN, VAL)
