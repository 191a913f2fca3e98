"""``reconciler state list / show / rm``: read and edit the known state's records."""

from __future__ import annotations

import json
from typing import Any

import click

from reconciler.cli.exits import console, exits_cleanly
from reconciler.cli.gitops_options import format_option
from reconciler.cli.state_command import state_group
from reconciler.cli.target_option import target_option
from reconciler.core.kinds import registry
from reconciler.core.known import KnownState
from reconciler.render.escape import json_text, terminal
from reconciler.render.json import render_document
from reconciler.workflows.backend_choice import known_state_where
from reconciler.workflows.state_records import find_keys, read_state, remove_records, shown_record
from reconciler.workflows.target import Target, with_state_url


@state_group.command("list")
@target_option(lock=False)
@format_option("the document of schema/state-list.schema.json")
@exits_cleanly
def list_(target: Target, output_format: str) -> None:
    """List the resources the known state records, one a line: resource, then when applied."""
    target = with_state_url(target)
    known = read_state(target)
    if output_format == "json":
        click.echo(render_document(state_list_document(known, known_state_where(target))), nl=False)
        return
    for key in sorted(known.resources):
        click.echo(f"{terminal(key)}\t{terminal(known.resources[key].applied_at)}")


def state_list_document(known: KnownState, known_state: str) -> dict[str, Any]:
    """The records the known state holds, for tools: no record's content, so no secret."""
    return {
        "format_version": 1,
        "kind": "state-list",
        "known_state": known_state,
        "lineage": known.lineage,
        "serial": known.serial,
        "resources": [
            {"resource": key, "applied_at": known.resources[key].applied_at}
            for key in sorted(known.resources)
        ],
    }


@state_group.command("show")
@click.argument("resource")
@target_option(lock=False)
@exits_cleanly
def show(resource: str, target: Target) -> None:
    """Show what was last applied to RESOURCE (e.g. client:42), secrets as (sensitive), as
    JSON."""
    known = read_state(with_state_url(target))
    for key in find_keys(known, (resource,)):
        record = json.dumps(shown_record(known, key), indent=2, ensure_ascii=False)
        click.echo(json_text(record))


@state_group.command("rm")
@click.argument("resources", nargs=-1, required=True)
@target_option()
@exits_cleanly
def rm(resources: tuple[str, ...], target: Target) -> None:
    """Forget RESOURCES (e.g. client:42): drop their records, under the lock. Nothing changes
    on the account; the next plan treats them as never applied."""
    removed = remove_records(with_state_url(target), resources, target.lock_timeout)
    names = terminal(", ".join(registry.describe(key) for key in removed.keys))
    kept = f"; the previous file is kept as {removed.backup}" if removed.backup else ""
    console().print(
        f"Removed {names} from the known state (serial {removed.state.serial}){kept}. "
        "Nothing was changed on the account.",
        style="bold",
    )
