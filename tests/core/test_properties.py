"""Properties of plan and apply, checked against the sandbox over real HTTP.

- After applying any valid desired state, the next plan is empty.
- The number of calls equals the number of resources whose declared fields differ.
- Rendering a plan never fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from stdnum.pt import nif

from reconciler.api.api_client import ApiClient
from reconciler.core.known import KnownState
from reconciler.core.plan import Plan
from reconciler.core.plan_document import plan_document
from reconciler.core.plan_reading import plan_from_document
from reconciler.desired.models import countries
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_plan
from reconciler.sandbox import Sandbox, demo_data
from reconciler.settings import ToolSettings
from reconciler.storage.state_file import StateStore
from reconciler.workflows.apply import apply_plan
from tests.support.plans import API_KEY, plan_of

EXAMPLES = int(os.environ.get("RECONCILER_PROPERTY_EXAMPLES", "25"))
TOOL = ToolSettings(rate_limit=0, retry_budget=5, max_attempts=3)

# Text a user might write: letters (accented too), digits, punctuation; no "$" (that would be
# an environment reference) and no leading/trailing space.
_text = (
    st.text(
        alphabet=st.characters(
            whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" .,-'&ºª/"
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
_email = st.builds(
    "{}@{}.pt".format,
    st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z0-9]{1,4})?", fullmatch=True),
    st.from_regex(r"[a-z]{2,10}", fullmatch=True),
)
_phone = st.from_regex(r"0?[1-9][0-9]{8}", fullmatch=True)
_postal = st.from_regex(r"[1-9][0-9]{3}-[0-9]{3}", fullmatch=True)

_client_fields: dict[str, st.SearchStrategy[Any]] = {
    "email": _email,
    "language": st.sampled_from(["pt", "en", "es"]),
    "address": _text,
    "city": _text,
    "postal_code": _postal,
    "country": st.sampled_from(countries()),
    "fiscal_id": st.from_regex(r"[1-9][0-9]{7}", fullmatch=True).map(
        lambda first: first + nif.calc_check_digit(first)
    ),
    "website": st.from_regex(r"www\.[a-z]{3,10}\.pt", fullmatch=True),
    "phone": _phone,
    "fax": _phone,
    "observations": _text,
    "send_options": st.integers(1, 3),
    "preferred_contact": st.fixed_dictionaries(
        {}, optional={"name": _text, "email": _email, "phone": _phone}
    ),
}
_account_fields: dict[str, st.SearchStrategy[Any]] = {
    "organization_name": _text,
    "first_name": _text,
    "last_name": _text,
    "email": _email,
    "phone": _phone,
    "address": _text,
    "postal_code": _postal,
    "city": _text,
    "language": st.sampled_from(["pt", "en", "es"]),
    "fiscal_id": st.just("999999990"),  # the sandbox account's: a VAT number can't change
    "terms": st.just(1),
    "marketing": st.sampled_from([0, 1]),
}


@st.composite
def desired_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid desired state over the sandbox's account, sequences and generated clients."""
    ids = draw(st.lists(st.integers(1, 10_000), min_size=0, max_size=6, unique=True))
    clients = []
    for number, client_id in enumerate(ids):
        fields = draw(st.fixed_dictionaries({}, optional=_client_fields))
        clients.append(
            {"id": client_id, "code": f"P{number}", "name": f"Client {number}", **fields}
        )
    document: dict[str, Any] = {"clients": clients}
    if draw(st.booleans()):
        account = draw(st.fixed_dictionaries({"id": st.just(12345)}, optional=_account_fields))
        if draw(st.booleans()):
            account["credentials"] = {"username": "999999990/1", "password": "${AT_PASSWORD}"}
            document["sequences"] = {"default": 146090, "register": [146090]}
        document["account"] = account
    return document


def _sandbox_with_clients(client_ids: list[int]) -> dict[str, Any]:
    data = demo_data()
    template = data["clients"][0]
    data["clients"] = [
        {**template, "id": cid, "name": f"Existing {cid}", "code": f"E{cid}"} for cid in client_ids
    ]
    return data


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[Sandbox, str]]:
    server = Sandbox(api_key=API_KEY, rate_limit=0)
    with server.running_in_thread() as base_url:
        yield server, base_url


async def _apply(plan: Plan, base_url: str, store: StateStore) -> KnownState:
    async with ApiClient(base_url, SecretStr(API_KEY), TOOL) as client:
        report = await apply_plan(plan, client, store, store.load(), concurrency=4)
    assert report.ok, [o.detail for o in report.outcomes if o.detail]
    store.save(report.state)
    return report.state


def _reset(server: Sandbox, document: dict[str, Any]) -> None:
    fresh = _sandbox_with_clients([c["id"] for c in document["clients"]])

    def replace_all(data: dict[str, Any]) -> None:
        data.clear()
        data.update(fresh)

    server.edit(replace_all)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=desired_documents())
def test_after_apply_the_next_plan_is_empty(
    sandbox: tuple[Sandbox, str], document: dict[str, Any]
) -> None:
    server, base_url = sandbox
    _reset(server, document)
    with tempfile.TemporaryDirectory() as folder:
        store = StateStore(Path(folder) / "state.json")
        plan = plan_of(Path(folder), document, store.load())
        known = asyncio.run(_apply(plan, base_url, store))
        assert plan_of(Path(folder), document, store.load()).is_empty
        assert known == store.load()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=desired_documents(),
    changes=st.lists(st.tuples(st.integers(0, 5), _text), max_size=6),
)
def test_calls_equal_resources_whose_declared_fields_differ(
    sandbox: tuple[Sandbox, str], document: dict[str, Any], changes: list[tuple[int, str]]
) -> None:
    server, base_url = sandbox
    _reset(server, document)
    with tempfile.TemporaryDirectory() as folder:
        store = StateStore(Path(folder) / "state.json")
        asyncio.run(_apply(plan_of(Path(folder), document, store.load()), base_url, store))
        changed = json.loads(json.dumps(document))
        for index, city in changes:
            if index < len(changed["clients"]):
                changed["clients"][index]["city"] = city
        differing = sum(
            1
            for before, after in zip(document["clients"], changed["clients"], strict=True)
            if before != after
        )
        plan = plan_of(Path(folder), changed, store.load())
        assert len(plan.calls) == differing
        assert all(call.path.startswith("/clients/") for call in plan.calls)


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(document=desired_documents())
def test_rendering_never_fails(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plan = plan_of(Path(folder), document, KnownState.new())
        text = render_plan(plan, show_requests=True).plain
        assert text.endswith(("in sync.", "resources in sync."))
        assert "property-pass" not in text


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(document=desired_documents())
def test_a_plan_read_back_from_its_document_renders_as_the_plan(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plan = plan_of(Path(folder), document, KnownState.new())
    saved = json.loads(json.dumps(plan_document(plan)))  # as a saved plan stores it
    shown = plan_from_document(saved, where="plan.json")
    assert plan_document(shown) == saved
    assert (
        render_plan(shown, show_requests=True).plain == render_plan(plan, show_requests=True).plain
    )
    assert render_markdown(shown) == render_markdown(plan)
