"""A kind updated by id, and the plan built over the kinds: what each call holds (source,
reason, record, secrets compared or not), which resources are in sync or unmanaged, what the
plan carries of its inputs, and how a kind reads, folds, asks for and verifies its resources.

The kinds here are defined in the test and registered for it alone, so each behaviour of
``UpdatedById``, ``Planning`` and ``build_plan`` is seen without the kinds of today around it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from reconciler.core.calls import Call, InSync, Reason, Source
from reconciler.core.diff import FieldChange
from reconciler.core.kinds import planning as planning_module
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Reading
from reconciler.core.kinds.by_id import UpdatedById
from reconciler.core.kinds.folding import Folder
from reconciler.core.kinds.planning import IN_SYNC, Planning
from reconciler.core.known import KnownState, Record
from reconciler.core.live_fold import Drift
from reconciler.core.live_state import LiveState
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey
from reconciler.core.verification import NOT_FOUND, NotConverged
from reconciler.desired.document import Desired
from reconciler.desired.loader import SourceMap, YamlPath
from reconciler.desired.models import DesiredState

KEY = DigestKey("by-id-test-key")
WHEN = "2026-01-01T00:00:00Z"


class Memo(BaseModel):
    """The desired model of the test kind; ``id`` None: not created yet."""

    id: int | None = None
    text: str | None = None
    pin: SecretStr | None = None


class MemoKind(UpdatedById):
    """A kind updated by id that remembers what it was asked to plan without an id."""

    name = "memo"
    phase = 6
    update_path = "/memos/{id}.json"
    target_group = "memos"
    reading: Reading | None = Reading("each", "memos", item_key="memo", one="/memos/{id}.json")

    def __init__(self, *memos: Memo) -> None:
        super().__init__()
        self.memos = memos
        self.without_id: list[tuple[Planning, YamlPath, BaseModel]] = []

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        for index, memo in enumerate(self.memos):
            yield ("memos", index), memo, memo.id

    def plan_without_id(self, planning: Planning, path: YamlPath, model: BaseModel) -> None:
        self.without_id.append((planning, path, model))

    def normalised(self, view: Mapping[str, Any]) -> Mapping[str, Any]:
        """The live answer without its id, as the declared fields are written."""
        return {k: v for k, v in view.items() if k != "id"}


class OneMemoKind(MemoKind):
    """The same kind, read as one resource (as the account is)."""

    reading = Reading("one", "memos", item_key="memo", one="/memo.json")


class UnreadMemoKind(MemoKind):
    """The same kind, with nothing to read it by."""

    reading = None


def _desired() -> Desired:
    source = SourceMap()
    source.values[("memos", 0)] = (4, 3)
    source.values[("memos", 1)] = (7, 3)
    return Desired("memos.yaml", DesiredState(), source)


def _known(lineage: str = "memos", key_id: str | None = None, **texts: str) -> KnownState:
    records = {key.replace("_", ":"): Record({"text": text}, WHEN) for key, text in texts.items()}
    return KnownState(lineage=lineage, serial=3, key_id=key_id, resources=records)


def test_a_resource_without_an_id_goes_to_plan_without_id_and_the_next_is_still_planned() -> None:
    kind = MemoKind(Memo(text="Not created yet"), Memo(id=7, text="Hello"))
    desired = _desired()
    with registry.registered(kind):
        plan = build_plan(desired, _known(), KEY, creatable=frozenset({"memo-code"}))
    [(planning, path, model)] = kind.without_id
    assert (planning.desired, planning.creatable) == (desired, frozenset({"memo-code"}))
    assert (path, model) == (("memos", 0), kind.memos[0])
    assert [call.resource for call in plan.calls] == ["memo:7"]


def test_a_call_holds_where_it_was_declared_its_record_and_why() -> None:
    kind = MemoKind(Memo(id=7, text="Hello"), Memo(id=8, text="Changed"))
    with registry.registered(kind):
        plan = build_plan(_desired(), _known(memo_8="Before"), KEY)
    never, changed = plan.calls
    assert (never.resource, never.reason, never.source) == (
        "memo:7",
        Reason.NEVER_APPLIED,
        Source("memos.yaml", 4, 3),
    )
    assert (changed.resource, changed.reason, changed.source) == (
        "memo:8",
        Reason.CHANGED,
        Source("memos.yaml", 7, 3),
    )
    assert (never.method, never.path, never.body) == (
        "PUT",
        "/memos/7.json",
        {"memo": {"text": "Hello"}},
    )
    assert (never.record, changed.record) == ({"text": "Hello"}, {"text": "Changed"})
    assert changed.changes == (FieldChange("text", "Before", "Changed"),)


def test_the_plan_carries_its_inputs_and_only_what_is_undeclared_is_unmanaged() -> None:
    kind = MemoKind(Memo(id=7, text="Changed"), Memo(id=8, text="Same"))
    known = _known(lineage="memo-history", memo_7="Before", memo_8="Same", memo_9="Gone")
    with registry.registered(kind):
        plan = build_plan(_desired(), known, KEY)
    assert (plan.lineage, plan.serial, plan.key_id) == ("memo-history", 3, KEY.key_id)
    assert [call.resource for call in plan.calls] == ["memo:7"]
    assert plan.in_sync == (InSync("memo:8", IN_SYNC),)
    assert IN_SYNC == "declared fields match what was last applied"
    assert plan.unmanaged == ("memo:9",)


def test_a_resource_recorded_as_declared_is_in_sync_without_comparing_a_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compared: list[str] = []
    real = planning_module.diff_fields

    def counted(*args: Any, **kwargs: Any) -> tuple[FieldChange, ...]:
        compared.append("diff")
        return real(*args, **kwargs)

    monkeypatch.setattr(planning_module, "diff_fields", counted)
    kind = MemoKind(Memo(id=7, text="Changed"), Memo(id=8, text="Same"))
    with registry.registered(kind):
        plan = build_plan(_desired(), _known(memo_7="Before", memo_8="Same"), KEY)
    assert plan.in_sync == (InSync("memo:8", IN_SYNC),)
    assert compared == ["diff"]  # memo:7's alone


def test_a_record_holding_an_undeclared_field_is_in_sync_by_its_declared_fields() -> None:
    kind = MemoKind(Memo(id=8, text="Same"))
    known = KnownState(
        lineage="memos", resources={"memo:8": Record({"text": "Same", "note": "old"}, WHEN)}
    )
    with registry.registered(kind):
        plan = build_plan(_desired(), known, KEY)
    assert (plan.calls, plan.in_sync) == ((), (InSync("memo:8", IN_SYNC),))


def test_a_secret_recorded_under_another_key_id_is_sent_again_though_its_digest_matches() -> None:
    kind = MemoKind(Memo(id=7, text="Same", pin=SecretStr("1234")))
    # The digest recorded is even the one of today's key: under another key id it is not
    # compared, so the secret is sent again.
    recorded = {"text": "Same", "pin": KEY.digest(SecretStr("1234"))}
    known = KnownState(
        lineage="memos", key_id="an-older-key", resources={"memo:7": Record(recorded, WHEN)}
    )
    with registry.registered(kind):
        plan = build_plan(_desired(), known, KEY)
    [call] = plan.calls
    assert [change.path for change in call.changes] == ["pin"]
    assert call.reason is Reason.CHANGED


def test_live_view_finds_one_resource_or_one_of_many_and_nothing_else() -> None:
    each, one, unread = MemoKind(), OneMemoKind(), UnreadMemoKind()
    memo = {"id": "7", "text": "Hello"}
    assert each.live_view(LiveState(others={"memos": {7: memo}}), 7) == memo
    assert each.live_view(LiveState(others={"memos": {7: memo}}), 8) is None
    assert each.live_view(LiveState(others={"memos": {7: "not a memo"}}), 7) is None
    assert each.live_view(LiveState(others={"memos": ["not", "by", "id"]}), 7) is None
    assert one.live_view(LiveState(others={"memos": memo}), 7) == memo
    assert one.live_view(LiveState(others={"memos": ["not", "a", "memo"]}), 7) is None
    assert unread.live_view(LiveState(others={"memos": {7: memo}}), 7) is None


def test_fold_reads_every_resource_with_an_id_and_drops_one_gone_from_the_account() -> None:
    kind = MemoKind(Memo(text="No id"), Memo(id=7, text="Hello", pin=SecretStr("1234")), Memo(id=8))
    live = LiveState(others={"memos": {7: {"id": "7", "text": "Changed live"}}})
    folder = Folder(_known(memo_7="Hello", memo_8="Was there"), WHEN)
    kind.fold(folder, DesiredState(), live, KEY)
    assert folder.read == 2
    assert folder.drift == [
        Drift("memo:7", (FieldChange("text", "Hello", "Changed live"),)),
        Drift("memo:8", gone=True),
    ]
    assert folder.state.get("memo:8") is None


def test_wanted_is_every_id_or_for_a_kind_read_as_one_none_without_any() -> None:
    with_ids = (Memo(text="No id"), Memo(id=7), Memo(id=8))
    assert MemoKind(*with_ids).wanted(DesiredState()) == (7, 8)
    assert MemoKind(Memo(text="No id")).wanted(DesiredState()) == ()
    assert UnreadMemoKind().wanted(DesiredState()) == ()
    assert OneMemoKind(*with_ids).wanted(DesiredState()) == (7, 8)
    assert OneMemoKind(Memo(text="No id")).wanted(DesiredState()) is None


def test_verified_names_a_resource_not_found_and_each_field_not_as_sent() -> None:
    kind = MemoKind(Memo(id=7, text="Hello"))
    with registry.registered(kind):
        [call] = build_plan(_desired(), _known(), KEY).calls
    assert isinstance(call, Call)
    assert kind.verified(call, None) == [NotConverged(call, "(resource)", "present", NOT_FOUND)]
    assert kind.verified(call, {"id": "7", "text": "Hello"}) == []
    assert kind.verified(call, {"id": "7", "text": "Other"}) == [
        NotConverged(call, "text", "Hello", "Other")
    ]


@pytest.mark.parametrize("record_exists", [True, False])
def test_a_call_says_why_by_whether_a_record_exists(record_exists: bool) -> None:
    from reconciler.core.kinds.planning import reason

    wanted = Reason.CHANGED if record_exists else Reason.NEVER_APPLIED
    assert reason(record_exists) is wanted
