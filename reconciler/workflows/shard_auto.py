"""``--shard auto``: runners that share a fleet's accounts through the known-state database.

Each runner goes through the accounts in an order of its own (random) and takes each one
whose lock it gets at once (``pg_try_advisory_lock``), never waiting: an account another
runner holds is left to it. Only once it holds an account's lock does it read the account's
inputs (settings, desired file) and run the command on it, recording on the lock's
connection. So an account's settings are read by the runner that takes it alone, and an
account another runner finished plans empty: no account is applied by two runners.

An apply makes another pass over the accounts it found held, as long as its last pass took
one: a runner that ended (finished, or died: the server releases its locks) leaves them to be
taken and planned from what is recorded. One that plans empty then was finished by the runner
that held it, and is only noted; one that does not is applied. A plan or a refresh leaves the
accounts it found held to their holders.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from pydantic import SecretStr

from reconciler.errors import ReconcilerError, SettingsError
from reconciler.storage.backends import shares_runners
from reconciler.workflows.apply_run import Applied
from reconciler.workflows.fleet_run import Account, AccountRun, Shard, in_parallel
from reconciler.workflows.target import Target, with_state_url

R = TypeVar("R")
S = TypeVar("S")

AUTO = "auto"
TAKEN = "taken by another runner"
FINISHED = "finished by another runner"


@dataclass(frozen=True)
class AutoShard:
    """``--shard auto``: whichever accounts this runner gets the lock of first."""


def parse_shard(text: str) -> Shard | AutoShard:
    """``auto``, or ``K/N`` (``Shard.parse``)."""
    return AutoShard() if text == AUTO else Shard.parse(text)


def shared_database(template: Target) -> str:
    """The database whose locks share the accounts out: ``--state-url``, else
    ``RECONCILER_STATE_URL``; without one, ``--shard auto`` is a usage error."""
    url = with_state_url(template).state_url
    if not shares_runners(url):
        raise SettingsError(
            "--shard auto shares the accounts out through the known-state database's locks: "
            "set RECONCILER_STATE_URL (or give --state-url)"
        )
    return url.get_secret_value()


@dataclass(frozen=True)
class Claims(Generic[S]):
    """The accounts of a fleet run with ``--shard auto``: each one this runner takes is read
    with ``load`` and run under its lock; ``left`` is told of each one left to another
    runner, with why (``TAKEN`` or ``FINISHED``). With ``finished`` (an apply's), accounts
    found held are tried again, and one whose result ``finished`` says was done by then by
    its holder is left to it."""

    accounts: Sequence[Account]
    url: str
    command: str
    load: Callable[[Account], S]
    left: Callable[[Account, str], None]
    finished: Callable[[object], bool] | None = None

    def run(self, step: Callable[[Account, S], R], at_once: int) -> list[AccountRun[R]]:
        """Take and run the accounts as described above; the results of those this runner
        worked on, in the fleet's order."""
        taken: dict[str, AccountRun[R]] = {}
        elsewhere: set[str] = set()
        remaining = _shuffled(self.accounts)
        first = True
        while remaining:
            runs = in_parallel(remaining, lambda account: self._take(account, step), at_once)
            took = [run for run in runs if run is not None]
            for run in took:
                if not first and self.finished is not None and self.finished(run.result):
                    elsewhere.add(run.account.name)
                else:
                    taken[run.account.name] = run
            held = [a for a, run in zip(remaining, runs, strict=True) if run is None]
            remaining, first = _shuffled(held), False
            if self.finished is None or not took:
                break
        for account in self.accounts:
            if account.name in elsewhere:
                self.left(account, FINISHED)
            elif account.name not in taken:
                self.left(account, TAKEN)
        return [taken[a.name] for a in self.accounts if a.name in taken]

    def _take(self, account: Account, step: Callable[[Account, S], R]) -> AccountRun[R] | None:
        """The account run under its lock, or ``None`` when another runner holds it."""
        owner = f"reconciler {self.command} --shard auto -f {account.target.file}"
        try:
            # The account's settings are read only once its lock is taken.
            with account.target.backend(settings=False).claimed(owner) as got:
                if not got:
                    return None
                return AccountRun(account, step(account, self.load(account)))
        except ReconcilerError as error:
            return AccountRun(account, None, error)


def claims(
    accounts: Sequence[Account],
    url: str,
    command: str,
    load: Callable[[Account], S],
    left: Callable[[Account, str], None],
) -> Claims[S]:
    """``accounts`` to be taken as ``command`` goes, each keeping its known state in the
    database at ``url``, whose locks decide."""
    shared = SecretStr(url)
    kept = [replace(a, target=replace(a.target, state_url=shared)) for a in accounts]
    finished = _applied_empty if command == "apply" else None
    return Claims(kept, url, command, load, left, finished)


def _applied_empty(result: object) -> bool:
    """Whether an apply's account planned empty: nothing was left to do."""
    return isinstance(result, Applied) and result.session.plan.is_empty


def _shuffled(accounts: Sequence[Account]) -> list[Account]:
    order = list(accounts)
    random.SystemRandom().shuffle(order)
    return order
