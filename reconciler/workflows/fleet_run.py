"""Fleets: many accounts in one run, one desired file each, worked on in parallel.

An account is named by its file's stem; its settings come from the variables suffixed with
that name (``settings.account_suffix``), falling back to the unsuffixed ones. Each account has
its own client (rate limiter, retry budget), lock and known state, so one account's failure
is its own: the runner reports it and carries on with the others, but for a known-state
database that can't be reached, which every account kept there would meet: the runner starts
no further account, and those not started are reported as not attempted.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from pydantic import SecretStr

from reconciler.desired.loader import shorten
from reconciler.errors import DatabaseUnreachable, InputError, ReconcilerError, SettingsError
from reconciler.settings import account_suffix
from reconciler.storage.backends import during_fleet, reach_location
from reconciler.workflows.session import Inputs, load_inputs
from reconciler.workflows.target import Target
from reconciler.workflows.target import is_fleet as is_fleet

R = TypeVar("R")
S = TypeVar("S")
S_co = TypeVar("S_co", covariant=True)
T = TypeVar("T")

_SHARD = re.compile(r"([0-9]+)/([0-9]+)")
SHARD_DIGITS = 6
"""The most digits of K and N in ``--shard K/N``: up to 999,999 shares."""


@dataclass(frozen=True)
class Shard:
    """The ``index``-th of ``count`` stable shares of a fleet (1-based)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N`` with ``1 <= K <= N``, in decimal digits."""
        found = _SHARD.fullmatch(text)
        if found is None:
            raise SettingsError(
                f"--shard {shorten(text)!r}: give K/N, e.g. 1/4 (or auto, with the known state "
                "in a database: plan, apply and refresh)"
            )
        if max(len(found[1]), len(found[2])) > SHARD_DIGITS:
            raise SettingsError(
                f"--shard {shorten(text)}: K and N have at most {SHARD_DIGITS} digits each"
            )
        index, count = int(found[1]), int(found[2])
        if not 1 <= index <= count:
            raise SettingsError(f"--shard {text}: K must be between 1 and N")
        return cls(index, count)

    def holds(self, name: str) -> bool:
        """Whether the account ``name`` is in this share: sha256(name) mod N = K - 1, so the
        share of an account never depends on which other accounts there are."""
        digest = int.from_bytes(hashlib.sha256(name.encode()).digest(), "big")
        return digest % self.count == self.index - 1


def fleet_files(paths: Sequence[Path]) -> list[Path]:
    """The desired files a fleet is made of: each file given, and every ``*.yaml`` of each
    folder given, sorted; two files whose names map to one settings suffix (one account's
    settings: ``porto-2`` and ``porto_2``) are refused, naming both."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(child for child in path.glob("*.yaml") if child.is_file())
            if not found:
                raise InputError(f"{path} is a directory holding no *.yaml file")
            files.extend(found)
        else:
            files.append(path)
    seen: dict[str, Path] = {}
    for file in files:
        suffix = account_suffix(file.stem)
        if suffix in seen:
            raise InputError(
                f"{seen[suffix]} and {file} both name the account whose settings end "
                f"_{suffix}: rename one, so each file is an account of its own"
            )
        seen[suffix] = file
    return files


@dataclass(frozen=True)
class Account:
    """One account of a fleet: its name and what a command works on for it."""

    name: str
    target: Target


def fleet_accounts(paths: Sequence[Path], shard: Shard | None, template: Target) -> list[Account]:
    """The accounts of the fleet (only this shard's, with ``shard``), each targeted like
    ``template`` but with its own file and settings."""
    accounts = []
    for file in fleet_files(paths):
        if shard is None or shard.holds(file.stem):
            accounts.append(Account(file.stem, template.for_account(file)))
    return accounts


@dataclass(frozen=True)
class AccountRun(Generic[R]):
    """What a step gave for one account: its result, or the error that ended it; neither when
    the fleet stopped before the account was started (``attempted`` false)."""

    account: Account
    result: R | None
    error: ReconcilerError | None = None
    attempted: bool = True


def load_fleet(accounts: Sequence[Account]) -> list[AccountRun[Inputs]]:
    """Each account's inputs, read and checked once; a bad file ends only its account."""
    return [_attempt(account, partial(load_inputs, account.target)) for account in accounts]


class Claiming(Protocol[S_co]):
    """A fleet whose accounts are taken as the run goes (``--shard auto``), not read up front:
    ``run`` reads and runs each account this runner takes."""

    def run(self, step: Callable[[Account, S_co], R], at_once: int) -> list[AccountRun[R]]: ...


def in_parallel(items: Sequence[T], work: Callable[[T], R], at_once: int) -> list[R]:
    """``work`` of each item, ``at_once`` in parallel (a thread each), in the items' order;
    on Ctrl-C no further item starts, and those running finish."""
    pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="account")
    try:
        return list(pool.map(work, items))
    except BaseException:  # Ctrl-C: start no further account; those running finish
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def reach_databases(loaded: Sequence[AccountRun[Inputs]]) -> DatabaseUnreachable | None:
    """Open, and close, one connection to each known-state database (each server a backend
    reaches) the accounts keep their state in, before any account starts: the first that can't
    be reached, if any."""
    tried: set[SecretStr | None] = set()
    for run in loaded:
        target = run.result.target if run.result is not None else None
        if target is None or target.state_url in tried:
            continue
        tried.add(target.state_url)
        try:
            reach_location(target.state_url, partial(_connect_timeout, target))
        except DatabaseUnreachable as error:
            return error
    return None


def _connect_timeout(target: Target) -> float:
    return target.tool_settings().connect_timeout


def unattempted(runs: Sequence[AccountRun[S]]) -> list[AccountRun[R]]:
    """Every account as not attempted, the fleet stopped before starting any (but those that
    had already failed, which keep their error)."""
    return [AccountRun(run.account, None, run.error, run.error is not None) for run in runs]


def stops_fleet(error: ReconcilerError) -> bool:
    """Whether an account's error ends the fleet: a database every account would fail to reach."""
    return isinstance(error, DatabaseUnreachable)


def run_accounts(
    runs: Sequence[AccountRun[S]] | Claiming[S],
    step: Callable[[Account, S], R],
    at_once: int,
    stops: Callable[[ReconcilerError], bool] = stops_fleet,
) -> Iterator[AccountRun[R]]:
    """Run ``step`` for every account whose previous step succeeded, ``at_once`` accounts in
    parallel (a thread each; a step runs its own event loop), and yield each account's run as
    it ends, in completion order; an account whose previous step failed is yielded with its
    error, unstarted. Once a step fails with an error ``stops`` picks, no further account
    starts: each is yielded as not attempted. Ctrl-C starts no further account; those running
    finish. A ``Claiming`` fleet runs the accounts it takes. An account read without its lock
    reads its known state over one of at most ``at_once`` database connections kept until the
    run ends (``backends.during_fleet``)."""
    with during_fleet(at_once):
        yield from _run_accounts(runs, step, at_once, stops)


def _run_accounts(
    runs: Sequence[AccountRun[S]] | Claiming[S],
    step: Callable[[Account, S], R],
    at_once: int,
    stops: Callable[[ReconcilerError], bool],
) -> Iterator[AccountRun[R]]:
    if not isinstance(runs, Sequence):
        yield from runs.run(step, at_once)
        return
    waiting = deque(runs)
    running: dict[Future[AccountRun[R]], Account] = {}
    stopped = False
    pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="account")
    try:
        while waiting or running:
            while waiting and not stopped and len(running) < at_once:
                run = waiting.popleft()
                if run.error is not None or run.result is None:
                    yield AccountRun(run.account, None, run.error, run.attempted)
                    continue
                work = partial(step, run.account, run.result)
                running[pool.submit(_attempt, run.account, work)] = run.account
            while stopped and waiting:
                yield AccountRun(waiting.popleft().account, None, attempted=False)
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f].name):
                del running[future]
                ended = future.result()
                stopped = stopped or (ended.error is not None and stops(ended.error))
                yield ended
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _attempt(account: Account, work: Callable[[], R]) -> AccountRun[R]:
    try:
        return AccountRun(account, work())
    except ReconcilerError as error:
        # Without its traceback, the error keeps nothing of the step alive (a store, its
        # connection) while the fleet goes on.
        return AccountRun(account, None, error.with_traceback(None))
