"""Reading a fleet's accounts: all before any runs, or each as it is taken (``--shard auto``);
and the secrets each one configures, added to those redacted from output."""

from __future__ import annotations

import contextlib
import threading

import click

from reconciler.cli.command_secrets import InPlay, in_play
from reconciler.errors import SettingsError
from reconciler.render.escape import terminal
from reconciler.workflows.fleet_run import Account, fleet_accounts
from reconciler.workflows.session import Inputs, declared_secrets, load_inputs
from reconciler.workflows.shard_auto import Claims, claims, shared_database
from reconciler.workflows.target import Target


def keep_secrets(secrets: InPlay, account: Account, inputs: Inputs | None) -> None:
    """Add every secret the account configures to those redacted from output."""
    with contextlib.suppress(SettingsError):
        secrets.add(account.target.api_settings().api_key)
    with contextlib.suppress(SettingsError):
        secrets.add(account.target.tool_settings().digest_key)
    if inputs is not None and inputs.desired is not None:
        secrets.add(*declared_secrets(inputs.desired))


def claimed_fleet(template: Target) -> Claims[Inputs]:
    """The fleet's accounts for ``--shard auto``: none read yet; each one this runner takes is
    read then (its settings and secrets too), and each left to another runner is noted on
    stderr."""
    url = shared_database(template)
    secrets = in_play()  # the command's, reached from the accounts' threads
    guard = threading.Lock()

    def load(account: Account) -> Inputs:
        inputs = None
        try:
            inputs = load_inputs(account.target)
            return inputs
        finally:
            with guard:
                keep_secrets(secrets, account, inputs)

    def left(account: Account, why: str) -> None:
        click.echo(f"note: {terminal(account.name)}: {why}", err=True)

    command = click.get_current_context().info_name or "plan"
    return claims(fleet_accounts(template.files, None, template), url, command, load, left)
