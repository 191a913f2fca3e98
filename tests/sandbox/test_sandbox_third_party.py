"""A third-party client, the PyPI package ``invoicexpress-api`` (0.1.2), against the sandbox.

It is a thin synchronous wrapper over ``requests``: it builds
``https://<account>.app.invoicexpress.com/`` from the account name and has no option for
another server, so the test points its ``base_url`` at the sandbox after constructing it, and
serves the sandbox from a thread. It raises ``ValueError`` on any answer but 200 and 201, and
hands back the decoded JSON as it came.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import invoicexpress_api as ie
import pytest

from reconciler.sandbox import Quirks, Sandbox
from tests.sandbox.conftest import KEY


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, Any]]:
    """A sandbox served from a thread, and the package's client pointed at it."""
    sandbox = Sandbox(api_key=KEY, rate_limit=0)
    with sandbox.running_in_thread() as base:
        client = ie.Client("sandbox-account", KEY)
        assert client.base_url == "https://sandbox-account.app.invoicexpress.com/"
        client.base_url = base + "/"
        yield sandbox, client


def test_reads_and_writes_through_the_package(served: tuple[Sandbox, Any]) -> None:
    sandbox, client = served
    got = ie.clients.get(client, 42)["client"]
    assert (got["id"], got["name"], got["code"], got["city"]) == (
        42,
        "Client Name",
        "12345",
        "Lisboa",
    )

    body = {"client": {"name": "Client Name", "code": "12345", "city": "Porto", "send_options": 2}}
    assert ie.clients.update(client, 42, body) is None  # 200 with no body, as documented
    assert ie.clients.get(client, 42)["client"]["city"] == "Porto"
    assert ie.clients.get(client, 42)["client"]["send_options"] == "2"

    found = ie.clients.code_search(client, "C-0043")["client"]
    assert (found["id"], found["name"]) == (43, "Cliente Exemplo, S.A.")

    created = ie.clients.create(client, {"client": {"name": "Novo, Lda", "code": "N-1"}})
    assert created["client"]["id"] == 45

    listed = client.get("/clients.json", urlparams={"page": "1", "per_page": "30"})
    assert [c["id"] for c in listed["clients"]] == [42, 43, 44, 45]
    assert listed["pagination"] == {
        "current_page": 1,
        "total_pages": 1,
        "total_entries": 4,
        "per_page": 30,
    }
    # The package sent the key in the query string, as the API wants it; the log leaves it out.
    assert [(r.method, r.path, r.status) for r in sandbox.requests] == [
        ("GET", "/clients/42.json", 200),
        ("PUT", "/clients/42.json", 200),
        ("GET", "/clients/42.json", 200),
        ("GET", "/clients/42.json", 200),
        ("GET", "/clients/find-by-code.json", 200),
        ("POST", "/clients.json", 201),
        ("GET", "/clients.json", 200),
    ]
    assert all("api_key" not in r.query for r in sandbox.requests)


def test_errors_reach_the_package_as_its_value_error(served: tuple[Sandbox, Any]) -> None:
    sandbox, client = served
    with pytest.raises(ValueError, match=r"\(404 Not Found\)"):
        ie.clients.get(client, 99)
    with pytest.raises(ValueError, match="Name has already been taken"):
        ie.clients.update(client, 42, {"client": {"name": "Old Customer Ltd", "code": "12345"}})
    assert sandbox.snapshot()["clients"][0]["name"] == "Client Name"
    sandbox.quirks = Quirks(text_numbers=True)  # the package passes either form through
    assert ie.clients.get(client, 42)["client"]["id"] == "42"
