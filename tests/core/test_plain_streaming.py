"""A big plan is printed as it is rendered: the plain renderer hands the text on in batches of
bounded size, never as one string of the whole plan, and the batches are, byte for byte, the
text it renders at once."""

from __future__ import annotations

import io
import re
import sys
import tempfile
from pathlib import Path

import pytest

from reconciler.cli.printing import show_plan
from reconciler.core.calls import Action, Call, Reason
from reconciler.core.diff import FieldChange
from reconciler.core.known import KnownState, Record
from reconciler.core.plan import Plan
from reconciler.render.plain import BATCH_CHARS, MEASURED, plain_plan, write_plain_plan
from reconciler.render.text import summary_line
from tests.support.plans import plan_of

CLIENTS = 3_000


class Recording(io.StringIO):
    """A stream that is no terminal and keeps the size of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


def _big_plan() -> Plan:
    """Every one of ``CLIENTS`` clients changed since it was applied."""
    clients = [
        {"id": 1000 + i, "code": f"C{i}", "name": f"Cliente {i}", "city": "Lisboa"}
        for i in range(CLIENTS)
    ]
    known = KnownState(
        lineage="00000000-0000-4000-8000-000000000000",
        resources={
            f"client:{1000 + i}": Record(
                {"code": f"C{i}", "name": f"Cliente {i}", "city": "Porto"}, "2026-01-01"
            )
            for i in range(CLIENTS)
        },
    )
    with tempfile.TemporaryDirectory() as folder:
        return plan_of(Path(folder), {"clients": clients}, known)


@pytest.mark.parametrize("show_requests", [False, True])
def test_a_big_plan_reaches_its_stream_in_bounded_batches(
    monkeypatch: pytest.MonkeyPatch, show_requests: bool
) -> None:
    plan = _big_plan()
    whole = plain_plan(plan, show_requests=show_requests)
    assert len(whole) > 10 * BATCH_CHARS  # many batches' worth
    out = Recording()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    show_plan(plan, show_requests=show_requests)
    assert out.getvalue() == whole
    assert len(out.sizes) > 10
    # A batch ends within MEASURED calls past the bound: no call here is 1,000 characters long.
    assert max(out.sizes) < BATCH_CHARS + MEASURED * 1_000


def test_a_batch_is_written_at_the_first_look_that_finds_the_bound_reached() -> None:
    # The batch's size is looked at after every MEASURED calls; a batch ends at the first look
    # that finds BATCH_CHARS characters or more, after its last call's lines; the rest, with
    # the summary, is the last.
    plan = _big_plan()
    batches: list[str] = []
    write_plain_plan(batches.append, plan)
    whole = plain_plan(plan)
    calls = re.findall(r"  ~ [^\n]*\n(?:      [^\n]*\n)*", whole)
    assert len(calls) == CLIENTS and "".join(calls) == whole[: len("".join(calls))]
    expected, batch = [], ""
    for number, call in enumerate(calls, 1):
        batch += call
        if number % MEASURED == 0 and len(batch) >= BATCH_CHARS:
            expected.append(batch)
            batch = ""
    expected.append(batch + whole[len("".join(calls)) :])
    assert len(expected) > 10
    assert batches == expected


def _calls_of_one_size(size: int, count: int) -> Plan:
    """``count`` calls whose lines are ``size`` characters each, newline included."""

    def plan(path: str) -> Plan:
        change = FieldChange(path, None, "v", False)
        call = Call(
            sort_key=(0, 0),
            action=Action("update", "client"),
            resource="client:7",
            target_id=7,
            method="PUT",
            path="/clients/7.json",
            body=None,
            changes=(change,),
            reason=Reason.CHANGED,
            depends_on=(),
            source=None,
        )
        return Plan(calls=(call,) * count, in_sync=(), lineage="l", serial=0, key_id="k")

    short = (len(plain_plan(plan("p")).partition("\n\n")[0]) + 1) // count
    sized = plan("p" * (1 + size - short))
    assert len(plain_plan(sized).partition("\n\n")[0]) == size * count - 1
    return sized


def test_a_batch_that_reaches_the_bound_exactly_is_written() -> None:
    # Calls of BATCH_CHARS / MEASURED characters: each look finds exactly the bound reached.
    plan = _calls_of_one_size(BATCH_CHARS // MEASURED, MEASURED * 5)
    batches: list[str] = []
    write_plain_plan(batches.append, plan)
    assert [len(batch) for batch in batches[:-1]] == [BATCH_CHARS] * 5
    assert batches[-1] == "\n" + summary_line(plan) + "\n"
