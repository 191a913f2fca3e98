"""Which desired-state file, known state, account and settings a command works on."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from reconciler.desired.secrets_in_play import Snapshot
from reconciler.settings import (
    Environment,
    account_suffix,
    load_api_settings,
    load_tool_settings,
)
from reconciler.storage.backend import Backend, Place, StateBackend
from reconciler.storage.backends import chosen_location, open_backend
from reconciler.storage.paths import sandbox_data_path, state_path
from reconciler.workflows.repository import repository_root

if TYPE_CHECKING:  # the settings' models, imported when settings are first read
    from reconciler.settings import ApiValues, ToolValues


@dataclass(frozen=True)
class Target:
    """The desired file, the explicit known-state path (if any), sandbox or live, the settings
    file the operator named (if any), the database keeping the known state instead of a file
    (if any), the suffix of the account's own settings variables (in a fleet), the tool
    settings the command line gives, how long to wait for the known-state lock, and every
    desired file or folder ``-f`` named (a fleet's). Made by ``new_target`` only."""

    file: Path
    state: Path | None
    sandbox: bool
    env_file: Path | None
    state_url: SecretStr | None = None
    settings_suffix: str | None = None
    tuning: tuple[tuple[str, int], ...] = ()
    """Tool settings given on the command line (``--parallelism``): they win over variables."""
    lock_timeout: float = 0.0
    """Seconds to wait for the known-state lock another run holds (``--lock-timeout``)."""
    files: tuple[Path, ...] = ()
    """Every path ``-f`` gave, in order (``file`` is the first): a fleet's files and folders."""
    environment: Environment = field(
        default_factory=lambda: run_environment(), compare=False, repr=False
    )
    """The run's reading of the environment: the targets of a fleet's accounts, made from one
    template, share it, so what is the same for every account is worked out once."""

    def api_settings(self) -> ApiValues:
        """Which account to talk to, and how: the account's own variables first; read once
        per run (``Environment.settings`` keeps it)."""
        return load_api_settings(
            self.env_file,
            self.settings_suffix,
            repository=self.repository,
            environment=self.environment,
        )

    def tool_settings(self) -> ToolValues:
        """The tool's settings for this account: the account's own variables first; read
        once per run."""
        return load_tool_settings(
            self.env_file,
            self.settings_suffix,
            repository=self.repository,
            overrides=dict(self.tuning),
            environment=self.environment,
        )

    @property
    def variables(self) -> Snapshot:
        """The process environment as this run took it (secrets found once)."""
        variables = self.environment.variables
        assert isinstance(variables, Snapshot)
        return variables

    @cached_property
    def repository(self) -> Path:
        """The top of the repository the desired file is in: a settings file inside it may
        not say where the API key or the known state goes."""
        return repository_root(self.file)

    @property
    def state_path(self) -> Path:
        return state_path(self.file, self.state, self.sandbox)

    @property
    def sandbox_data_path(self) -> Path:
        return sandbox_data_path(self.file)

    @property
    def account(self) -> str:
        """The name the database keeps this known state under: the desired file's stem
        (``sandbox/<stem>`` for the sandbox's, so the two never mix)."""
        return f"sandbox/{self.file.stem}" if self.sandbox else self.file.stem

    def store(self) -> StateBackend:
        """The known-state store of this target's backend."""
        return self.backend().store()

    def backend(self, *, settings: bool = True) -> Backend:
        """This target's state backend, chosen by its state URL's scheme (``backends``); the
        known-state file without one. Without ``settings``, the account's settings are not
        read (the backend's own connection timeout is used)."""
        timeout = (lambda: self.tool_settings().connect_timeout) if settings else None
        return open_backend(self.state_url, Place(self.account, self.state_path, timeout))

    def file_backend(self) -> Backend:
        """This target's known-state file (``--state``, else the default beside the desired
        file), whatever its state URL says."""
        return open_backend(None, Place(self.account, self.state_path))

    def for_account(self, file: Path) -> Target:
        """The target of a fleet's account: this one's options, the account's own file and
        settings variables (suffixed with its name), the same reading of the environment."""
        return new_target(
            (file,),
            state=self.state,
            state_url=self.state_url,
            sandbox=self.sandbox,
            env_file=self.env_file,
            lock_timeout=self.lock_timeout,
            tuning=dict(self.tuning),
            environment=self.environment,
            account=file.stem,
        )


def new_target(
    files: Sequence[Path],
    *,
    state: Path | None = None,
    state_url: str | SecretStr | None = None,
    sandbox: bool = False,
    env_file: Path | None = None,
    lock_timeout: float = 0.0,
    tuning: Mapping[str, int] | None = None,
    environment: Environment | None = None,
    account: str | None = None,
) -> Target:
    """The one way a ``Target`` is made: from what the command line names (``-f`` once or
    more, ``--state``, ``--state-url``, ``--sandbox``, ``--env-file``, ``--lock-timeout``, the
    tool settings given as flags), a saved plan's binding, or a fleet's template for one of
    its ``account``s. ``environment`` is the run's reading of the environment (a new one when
    none is given); reading nothing, it never fails."""
    if not files:
        raise ValueError("a target names at least one desired file")
    url = SecretStr(state_url) if isinstance(state_url, str) else state_url
    return Target(
        files[0],
        state,
        sandbox,
        env_file,
        url,
        None if account is None else account_suffix(account),
        tuple(sorted((tuning or {}).items())),
        lock_timeout,
        tuple(files),
        environment=run_environment() if environment is None else environment,
    )


def run_environment() -> Environment:
    """A snapshot of the process environment for one run."""
    return Environment(Snapshot(os.environ))


def with_state_url(target: Target, *, unless_state_file: bool = True) -> Target:
    """The target with ``RECONCILER_STATE_URL`` when ``--state-url`` gave none (and, with
    ``unless_state_file``, ``--state`` named no file either); the URL checked."""
    url = chosen_location(
        target.state_url,
        lambda: target.tool_settings().state_url,
        file_named=unless_state_file and target.state is not None,
    )
    return target if url is target.state_url else replace(target, state_url=url)


def is_fleet(paths: Sequence[Path], shard: object | None) -> bool:
    """Whether the files given make a fleet: several, a folder, or a share of them."""
    return len(paths) != 1 or paths[0].is_dir() or shard is not None
