"""A fleet of accounts: each with its own desired file, sandbox, API key and known state."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reconciler.sandbox import DROPPED, Sandbox
from reconciler.settings import account_suffix
from reconciler.storage.state_file import StateStore
from tests.support.cli_process import AT_PASSWORD
from tests.support.many_clients import Fleet

NAMES = ("lisboa", "porto", "braga-norte", "faro")
CLIENTS = 30


@dataclass
class Account:
    """One account of the fleet: its desired file and the sandbox playing it."""

    name: str
    shape: Fleet
    sandbox: Sandbox
    file: Path
    base_url: str = ""

    @property
    def api_key(self) -> str:
        return f"key-of-{self.name}"

    def puts(self) -> Counter[str]:
        """The PUT paths the sandbox answered, each with how often."""
        return Counter(
            r.path for r in self.sandbox.requests if r.method == "PUT" and r.status != DROPPED
        )

    def accepted(self) -> int:
        """How many PUTs the sandbox accepted (answered 2xx)."""
        return sum(
            1
            for r in self.sandbox.requests
            if r.method == "PUT" and isinstance(r.status, int) and 200 <= r.status < 300
        )

    def state_file(self) -> Path:
        return self.file.parent / ".reconciler" / f"{self.name}.state.json"

    def recorded(self) -> int:
        return len(StateStore(self.state_file()).load().resources)


def make_accounts(
    folder: Path, names: tuple[str, ...] = NAMES, clients: int = CLIENTS
) -> list[Account]:
    """A desired file per account in ``folder/accounts`` and a sandbox holding its ``clients``
    clients."""
    files = folder / "accounts"
    files.mkdir(parents=True, exist_ok=True)
    accounts = []
    for name in names:
        shape = Fleet(folder / f"shape-{name}", clients)
        shape.folder.mkdir()
        shape.write()
        file = files / f"{name}.yaml"
        file.write_text(shape.desired.read_text())
        sandbox = Sandbox(api_key=f"key-of-{name}", data=shape.sandbox_data(), rate_limit=0)
        accounts.append(Account(name, shape, sandbox, file))
    return accounts


@contextlib.contextmanager
def serving(accounts: list[Account]) -> Iterator[dict[str, str]]:
    """Every account's sandbox running; the environment naming each one's URL and key by the
    account's suffix (the AT password and tool settings unsuffixed, shared)."""
    with contextlib.ExitStack() as stack:
        env = {"AT_PASSWORD": AT_PASSWORD, "RECONCILER_RATE_LIMIT": "0", "NO_COLOR": "1"}
        for account in accounts:
            account.base_url = stack.enter_context(account.sandbox.running_in_thread())
            suffix = account_suffix(account.name)
            env[f"INVOICEXPRESS_BASE_URL_{suffix}"] = account.base_url
            env[f"INVOICEXPRESS_API_KEY_{suffix}"] = account.api_key
        yield env


def headings(output: str) -> list[str]:
    """The accounts a fleet's text output has a heading for, in order."""
    return re.findall(r"^== (\S+) \(", output, flags=re.MULTILINE)
