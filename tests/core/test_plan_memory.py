"""What a big plan keeps: every call of a plan of changed clients is held until it is printed,
so each must stay small (compact call objects, nothing kept twice). Measured in bytes allocated
and still referenced (``tracemalloc``), which no clock or machine load moves."""

from __future__ import annotations

import gc
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from reconciler.core.known import KnownState, Record
from reconciler.core.plan import build_plan
from reconciler.desired.document import load_desired
from tests.support.plans import KEY, plan_of

CLIENTS = 2_000
BYTES_PER_CALL = 1_950
"""What one update of a client with a contact keeps, at most (2,200 bytes before)."""
BYTES_PER_RECORD = 100
"""What a record object and its place in the known state keep, beside its data (122 before)."""


def _client(index: int) -> dict[str, Any]:
    """A client as the benchmarks declare them: every field, a contact, send options."""
    return {
        "id": 1000 + index,
        "code": f"C{index}",
        "name": f"Cliente {index} Lda",
        "email": f"geral@cliente{index}.example.pt",
        "language": "pt",
        "address": f"Rua das Flores {index}, 2º Esq",
        "city": "Lisboa",
        "postal_code": "1000-100",
        "country": "Portugal",
        "phone": f"021{index:07d}",
        "website": f"https://cliente{index}.example.pt",
        "preferred_contact": {"name": f"Contacto {index}", "phone": f"9{index:08d}"},
        "send_options": 1 + index % 3,
    }


def test_each_call_of_a_big_plan_keeps_little() -> None:
    clients = [_client(i) for i in range(CLIENTS)]
    known = KnownState(
        lineage="00000000-0000-4000-8000-000000000000",
        resources={
            f"client:{c['id']}": Record(
                {**{k: v for k, v in c.items() if k != "id"}, "city": "Porto"}, "2026-01-01"
            )
            for c in clients
        },
    )
    with tempfile.TemporaryDirectory() as folder:
        first = plan_of(Path(folder), {"clients": clients}, known)
        desired = load_desired(Path(folder) / "state.yaml", {})
    build_plan(desired, known, KEY)  # what the desired state keeps of its own once placed
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        plan = build_plan(desired, known, KEY)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(plan.calls) == CLIENTS
    assert [(c.resource, c.body, c.record, c.changes) for c in plan.calls] == [
        (c.resource, c.body, c.record, c.changes) for c in first.calls
    ]
    assert kept / CLIENTS <= BYTES_PER_CALL, f"{kept / CLIENTS:.0f} bytes per call"


def test_a_loaded_known_state_keeps_little_beside_its_records_data() -> None:
    """Each record read from the file keeps its ``applied`` mapping as parsed (no copy) in a
    compact record object."""
    content = {
        "lineage": "00000000-0000-4000-8000-000000000000",
        "serial": CLIENTS,
        "resources": {
            f"client:{1000 + i}": {"applied": {"code": f"C{i}"}, "applied_at": "2026-01-01"}
            for i in range(CLIENTS)
        },
    }
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        known = KnownState.from_json(content)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    record = known.resources["client:1000"]
    assert record.applied is content["resources"]["client:1000"]["applied"]  # type: ignore[index]
    assert kept / CLIENTS <= BYTES_PER_RECORD, f"{kept / CLIENTS:.0f} bytes per record"
