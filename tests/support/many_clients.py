"""A desired state of many clients and a sandbox that has them, for tests that apply at scale.

``Fleet`` writes a desired-state file declaring the account, a registration, the default
sequence and ``size`` clients, and builds the matching sandbox data set (the clients exist on
the server with other values), so that a first apply makes ``size + 3`` calls.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.core.known import KnownState
from reconciler.sandbox import Sandbox, demo_data
from reconciler.storage.state_file import StateStore

SEQUENCE = 146090
ACCOUNT = 12345
FIRST_CLIENT = 1000


def client_fields(number: int, revision: int = 0) -> dict[str, str]:
    """The declared fields of the ``number``-th client in a revision of the desired state."""
    return {
        "code": f"C{number:05d}",
        "name": f"Cliente {number}, Lda",
        "city": f"Cidade {number}" + (f" r{revision}" if revision else ""),
        "email": f"c{number}@exemplo.pt",
    }


@dataclass(frozen=True)
class Fleet:
    """A desired state of ``size`` clients, in ``folder``."""

    folder: Path
    size: int
    revision: int = 0

    @property
    def desired(self) -> Path:
        return self.folder / "state.yaml"

    @property
    def state_file(self) -> Path:
        return self.folder / ".reconciler" / "state.state.json"

    @property
    def client_ids(self) -> range:
        return range(FIRST_CLIENT, FIRST_CLIENT + self.size)

    @property
    def calls(self) -> int:
        """Calls the first apply makes; a later revision changes the clients only."""
        return self.size + 3 if self.revision == 0 else self.size

    def write(self) -> Fleet:
        lines = [
            "account:",
            f"  id: {ACCOUNT}",
            "  organization_name: Frota de Testes, Lda",
            '  fiscal_id: "999999990"',
            "  postal_code: 1500-555",
            "  city: Lisboa",
            "  credentials:",
            "    username: 999999990/1",
            "    password: ${AT_PASSWORD}",
            "sequences:",
            f"  default: {SEQUENCE}",
            f"  register: [{SEQUENCE}]",
            "clients:",
        ]
        for number in self.client_ids:
            fields = client_fields(number, self.revision)
            lines.append(f"  - id: {number}")
            lines.extend(f'    {name}: "{value}"' for name, value in fields.items())
        self.desired.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self

    def sandbox_data(self) -> dict[str, Any]:
        """The demo data set with this fleet's clients added, each with other values."""
        data = demo_data()
        template = data["clients"][0]
        for number in self.client_ids:
            client = copy.deepcopy(template)
            client.update(id=number, code=f"OLD{number}", name=f"Old {number}", city="", email="")
            data["clients"].append(client)
        return data

    def converged(self, sandbox: Sandbox) -> list[str]:
        """How the sandbox differs from the desired state ([] when it is exactly there)."""
        data = sandbox.snapshot()
        differences = []
        clients = {c["id"]: c for c in data["clients"]}
        for number in self.client_ids:
            for name, value in client_fields(number, self.revision).items():
                if clients[number][name] != value:
                    differences.append(f"client {number} {name}: {clients[number][name]!r}")
        account = data["account"]
        expected = {"organization_name": "Frota de Testes, Lda", "postal_code": "1500-555"}
        differences += [
            f"account {k}: {account[k]!r}" for k, v in expected.items() if account[k] != v
        ]
        if (account.get("credentials") or {}).get("username") != "999999990/1":
            differences.append("account credentials not set")
        sequence = next(s for s in data["sequences"] if s["id"] == SEQUENCE)
        codes = [v for k, v in sequence.items() if k.endswith("_validation_code")]
        if not codes or "N/D" in codes:
            differences.append(f"sequence {SEQUENCE} not registered")
        if sequence.get("default_sequence") != 1:
            differences.append(f"sequence {SEQUENCE} is not the default")
        return differences

    def known(self) -> KnownState:
        return StateStore(self.state_file).load()

    def done(self, known: KnownState) -> set[str]:
        """The resources the known state records as applied in this revision."""
        keys = {f"account:{ACCOUNT}", f"registration:{SEQUENCE}", "default_sequence"}
        done = {key for key in keys if known.get(key) is not None}
        for number in self.client_ids:
            record = known.get(f"client:{number}")
            if (
                record is not None
                and record.applied.get("city") == client_fields(number, self.revision)["city"]
            ):
                done.add(f"client:{number}")
        return done


_PATHS = [
    (re.compile(r"/clients/(\d+)\.json"), "client:{}"),
    (re.compile(r"/api/accounts/(\d+)/update\.json"), "account:{}"),
    (re.compile(r"/sequences/(\d+)/register\.json"), "registration:{}"),
    (re.compile(r"/sequences/\d+/set_current\.json"), "default_sequence"),
]


def resource_of(path: str) -> str:
    """The known-state key of the resource a PUT path changes."""
    for pattern, key in _PATHS:
        match = pattern.fullmatch(path)
        if match:
            return key.format(*match.groups())
    raise ValueError(f"no resource for {path}")
