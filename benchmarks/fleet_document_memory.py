"""Peak memory of a fleet's JSON and Markdown documents: every account's plan kept until the
end (the whole-document renderers) against each account's text built as it ends
(``FleetJson``, ``FleetMarkdown``).

Each account's plan is made by the planner (a desired state of CLIENTS clients against an empty
known state, so every client is a call), handed over as the account ends, and dropped by the
fleet unless the document keeps it. Peak traced by ``tracemalloc``.

    python -m benchmarks.fleet_document_memory             # 200 accounts × 50 clients
    python -m benchmarks.fleet_document_memory 200 200     # accounts, clients
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

from reconciler.core.fleet_document import FleetEntry
from reconciler.core.known import KnownState
from reconciler.core.plan import Plan, build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.render.json import FleetJson, render_fleet_json
from reconciler.render.markdown import FleetMarkdown, render_fleet_markdown

KEY = DigestKey("fleet-document-memory")


def _plan(folder: Path, document: dict[str, object]) -> Plan:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "state.yaml"
    path.write_text(json.dumps(document), "utf-8")  # JSON is YAML
    return build_plan(load_desired(path, {}), KnownState.new(), KEY)


def _plans(folder: Path, accounts: int, clients: int) -> Iterator[tuple[str, Plan]]:
    """Each account's plan, made when the account ends (one at a time)."""
    for number in range(accounts):
        desired = {
            "account": {"id": 1, "city": "Lisboa"},
            "clients": [
                {"id": 1000 + c, "code": f"C{number}-{c}", "name": f"Cliente {c}"}
                for c in range(clients)
            ],
        }
        yield f"conta-{number:03}", _plan(folder / str(number), desired)


def _kept(plans: Iterator[tuple[str, Plan]], fmt: str) -> str:
    entries = [FleetEntry(name, f"{name}.yaml", plan) for name, plan in plans]
    return render_fleet_json(entries) if fmt == "json" else render_fleet_markdown(entries)


def _built(plans: Iterator[tuple[str, Plan]], fmt: str, accounts: int) -> str:
    document = FleetJson() if fmt == "json" else FleetMarkdown(accounts)
    for where, (name, plan) in enumerate(plans):
        document.add((where, name), FleetEntry(name, f"{name}.yaml", plan))
    return document.text()


def _peak(run: Callable[[], str]) -> tuple[float, int]:
    gc.collect()
    tracemalloc.start()
    text = run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20, len(text)


def main(accounts: int, clients: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for fmt in ("json", "markdown"):
            kept = _peak(lambda: _kept(_plans(base / fmt / "k", accounts, clients), fmt))  # noqa: B023
            built = _peak(
                lambda: _built(_plans(base / fmt / "b", accounts, clients), fmt, accounts)  # noqa: B023
            )
            for how, (mib, size) in (("plans kept", kept), ("built as each ends", built)):
                print(f"{fmt:8} {how:18} peak {mib:7.1f} MiB  document {size:,} characters")


if __name__ == "__main__":
    given = [int(arg) for arg in sys.argv[1:3]]
    accounts, clients = given + [200, 50][len(given) :]
    main(accounts, clients)
