"""A server answering a redirect never gets a request resent elsewhere (issue "Hostile servers",
item 2): the PUTs carry the AT password and the query string the API key."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from yarl import URL

from tests.support.cli_process import environment, run_cli
from tests.support.hostile import Seen, serving
from tests.support.many_clients import Fleet


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_an_error_and_its_target_receives_nothing(
    tmp_path: Path, status: int
) -> None:
    fleet = Fleet(tmp_path, 2).write()
    stolen, seen = Seen(), Seen()

    async def thief(request: web.Request) -> web.StreamResponse:
        await stolen.note(request)
        return web.json_response({"client": {}})

    with serving(thief) as thief_url:
        elsewhere = URL(thief_url).with_path("/collect").with_query(token="QUERY-IN-LOCATION")

        async def hostile(request: web.Request) -> web.StreamResponse:
            await seen.note(request)
            if request.method == "PUT" and request.path.startswith("/clients/"):
                return web.Response(status=status, headers={"Location": str(elsewhere)})
            return web.json_response({})

        with serving(hostile) as base_url:
            env = environment(
                base_url, RECONCILER_MAX_ATTEMPTS="3", RECONCILER_RETRY_BACKOFF="0.01"
            )
            result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)

    output = result.stdout + result.stderr
    assert stolen.requests == [], stolen.requests
    assert result.exit_code == 3, output
    # Never retried: each client's PUT reached the hostile server once.
    client_puts = sorted(r for r in seen.requests if r.startswith("PUT /clients/"))
    assert client_puts == [f"PUT /clients/{n}.json" for n in fleet.client_ids]
    done = fleet.done(fleet.known())
    assert not {f"client:{n}" for n in fleet.client_ids} & done
    assert f"account:{12345}" in done  # the calls that were answered 200 are recorded
    host = f"{elsewhere.host}:{elsewhere.port}"
    assert f"HTTP {status}" in output and f"redirect to {host}" in output, output
    assert "QUERY-IN-LOCATION" not in output and "/collect" not in output
