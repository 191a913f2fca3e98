"""Synthetic desired and known states of any size, with a known set of differing clients.

The generator writes YAML text directly (no YAML library), and the known state's records
directly in their normalized form, so the set of clients that truly differ is known here,
independently of the code under test.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdnum.pt import nif

from reconciler.core.kinds.client import KIND as CLIENTS
from reconciler.core.known import KnownState, Record
from reconciler.storage.state_file import StateStore

ACCOUNT_ID = 12345
FIRST_CLIENT_ID = 100_001
APPLIED_AT = "2025-01-01T00:00:00+00:00"
CITIES = ("Lisboa", "Porto", "Braga", "Coimbra", "Faro", "Évora", "Aveiro", "Funchal")
STREETS = ("Rua das Flores", "Avenida da Liberdade", "Largo do Carmo", "Rua de São Bento")
COUNTRIES = ("Portugal", "Spain", "Brazil")
LANGUAGES = ("pt", "en", "es")


@dataclass(frozen=True)
class Scenario:
    """A desired-state file, a known-state file, and the clients whose records differ."""

    desired: Path
    known: Path
    clients: int
    changed: frozenset[str]


def _nif(first_eight: str) -> str:
    """A Portuguese NIF with its check digit, as the file's validation requires."""
    return first_eight + nif.calc_check_digit(first_eight)


def client_fields(index: int) -> dict[str, Any]:
    """One client's declared fields (id included), already in the models' normalized form."""
    client_id = FIRST_CLIENT_ID + index
    rng = random.Random(client_id)
    country = COUNTRIES[rng.randrange(1, 3)] if index % 7 == 0 else COUNTRIES[0]
    return {
        "id": client_id,
        "code": f"C{client_id}",
        "name": f"Cliente {client_id} Lda",
        "email": f"geral@cliente{client_id}.example.pt",
        "language": LANGUAGES[rng.randrange(3)],
        "address": f"{STREETS[rng.randrange(len(STREETS))]} {rng.randrange(1, 400)}, 2º Esq",
        "city": CITIES[rng.randrange(len(CITIES))],
        "postal_code": f"{rng.randrange(1000, 9999)}-{rng.randrange(100, 999)}",
        "country": country,
        "fiscal_id": _nif(f"5{client_id:07d}"),
        "phone": f"021{rng.randrange(10**7):07d}",
        "website": f"https://cliente{client_id}.example.pt",
        "preferred_contact": {
            "name": f"Contacto {rng.randrange(1000)}",
            "phone": f"9{rng.randrange(10**8):08d}",
        },
        "send_options": rng.randrange(1, 4),
    }


def _client_yaml(fields: dict[str, Any]) -> Iterator[str]:
    contact = fields["preferred_contact"]
    yield f"  - id: {fields['id']}\n"
    yield f'    code: "{fields["code"]}"\n'
    yield f"    name: {fields['name']}\n"
    yield f"    email: {fields['email']}\n"
    yield f"    language: {fields['language']}\n"
    yield f'    address: "{fields["address"]}"\n'
    yield f"    city: {fields['city']}\n"
    yield f"    postal_code: {fields['postal_code']}\n"
    yield f"    country: {fields['country']}\n"
    yield f'    fiscal_id: "{fields["fiscal_id"]}"\n'
    yield f"    phone: {fields['phone']}\n"  # unquoted on purpose: must keep its leading zero
    yield f"    website: {fields['website']}\n"
    yield "    preferred_contact:\n"
    yield f"      name: {contact['name']}\n"
    yield f"      phone: {contact['phone']}\n"
    yield f"    send_options: {fields['send_options']}\n"


def desired_yaml(clients: int) -> str:
    """A desired-state file with an account, sequences and ``clients`` clients."""
    parts = [
        "# Generated for benchmarks.\n",
        "account:\n",
        f"  id: {ACCOUNT_ID}\n",
        "  organization_name: Empresa de Medição, Lda\n",
        "  email: geral@empresa.example.pt\n",
        "  postal_code: 1500-555\n",
        "  city: Lisboa\n",
        "sequences:\n",
        "  default: 146090\n",
        "  register: [146090]\n",
        "clients:\n",
    ]
    for index in range(clients):
        parts.extend(_client_yaml(client_fields(index)))
    return "".join(parts)


def changed_clients(clients: int, percent: float, seed: int = 7) -> frozenset[int]:
    """The indexes of exactly ``percent`` % of the clients (rounded), chosen by ``seed``."""
    count = round(clients * percent / 100)
    return frozenset(random.Random(seed).sample(range(clients), count))


def known_state(clients: int, changed: frozenset[int]) -> KnownState:
    """Everything in the desired state applied, except an older city for ``changed`` clients."""
    resources: dict[str, Record] = {
        f"account:{ACCOUNT_ID}": Record(
            {
                "organization_name": "Empresa de Medição, Lda",
                "email": "geral@empresa.example.pt",
                "postal_code": "1500-555",
                "city": "Lisboa",
            },
            APPLIED_AT,
        ),
        "registration:146090": Record({"registered": True}, APPLIED_AT),
        "default_sequence": Record({"id": 146090}, APPLIED_AT),
    }
    for index in range(clients):
        applied = client_fields(index)
        key = CLIENTS.key(applied.pop("id"))
        if index in changed:
            applied = {**applied, "city": applied["city"] + " (antiga)"}
        resources[key] = Record(applied, APPLIED_AT)
    return KnownState(
        lineage="00000000-0000-4000-8000-000000000000",
        serial=len(resources),
        resources=resources,
    )


def write_scenario(folder: Path, clients: int, percent: float) -> Scenario:
    """Write ``desired-N.yaml`` and a known state with ``percent`` % of clients changed."""
    folder.mkdir(parents=True, exist_ok=True)
    desired = folder / f"desired-{clients}.yaml"
    if not desired.exists():
        desired.write_text(desired_yaml(clients), encoding="utf-8")
    changed = changed_clients(clients, percent)
    known = folder / f"known-{clients}-{percent:g}.state.json"
    if not known.exists():
        StateStore(known).save(known_state(clients, changed))
    keys = frozenset(CLIENTS.key(FIRST_CLIENT_ID + index) for index in changed)
    return Scenario(desired, known, clients, keys)
