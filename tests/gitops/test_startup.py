"""A plan starts only what it uses: a plan of a small file with its known state, without
look-ups or refresh, imports no HTTP client, retry, lock or terminal-rendering library, no
email checker for plain addresses, and reads its settings (the digest key) without the settings
library, pydantic-settings, and the ``asyncio``, ``ssl`` and ``argparse`` it imports; a plan that
looks a client up starts the client.

The plan runs as ``python -m reconciler`` would, in a child process that lists the modules it
imported once the command has ended (its exit included).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.cli_env import ROOT, Env

MINIMAL = (ROOT / "examples" / "minimal.yaml").read_text("utf-8")

# Runs the CLI as ``python -m reconciler ARGS`` and writes the names of the modules loaded
# by the end, its exit included, to the file named first.
# The listing is written by an exit handler: a finished run ends the process once they have
# run (``reconciler.process_end``), so nothing after ``run_module`` would.
LISTING = """\
import atexit, json, runpy, sys
listing = sys.argv.pop(1)

def write_listing():
    with open(listing, "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)

atexit.register(write_listing)
runpy.run_module("reconciler", run_name="__main__", alter_sys=True)
"""

NOT_FOR_A_PLAN = (
    "aiohttp",  # the HTTP client
    "yarl",
    "multidict",
    "tenacity",  # retries
    "tornado",
    "filelock",  # a plan without --refresh takes no lock
    "psycopg",  # the known state is a file
    "rich",  # the plan is printed as plain text off a terminal
    "email_validator",  # every address is a plain one
    "deepdiff",
    "ruamel",
    "reconciler.api",
    "reconciler.sandbox",
    "reconciler.workflows.apply",
    "reconciler.cli.fleet_command",
    "reconciler.cli.progress",  # nothing is read from the live account
    "pydantic_settings",  # the settings are read through plain models of their fields
    "reconciler.settings_models",
    "asyncio",  # pydantic-settings' imports
    "ssl",
    "argparse",
    "dotenv",  # no settings file is read
    "reconciler.storage.postgres_backend",  # the known state is a file: no database code
    "reconciler.storage.database",
    "reconciler.storage.conninfo",
)


NOT_FOR_A_VALIDATE = (
    *NOT_FOR_A_PLAN,
    "reconciler.settings_values",  # no settings are read: nothing to redact was shown
)


def _modules_of_a_plan(env: Env, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    return _modules_of(env, "plan", *args)


def _modules_of(
    env: Env, *args: str, variables: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    listing = env.folder / "modules.json"
    inherited = {
        name: value
        for name, value in env.child_environment().items()
        if name not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")
    }
    ran = subprocess.run(
        [sys.executable, "-c", LISTING, str(listing), *args],
        capture_output=True,
        text=True,
        env={**inherited, "RECONCILER_DIGEST_KEY": "startup-digest-key", **(variables or {})},
        cwd=env.folder,
        timeout=120,
        check=False,
    )
    return ran, set(json.loads(listing.read_text("utf-8")))


def _loaded(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(f"{package}."))


def test_a_small_plan_without_look_ups_starts_no_client_lock_or_rich(env: Env) -> None:
    env.desired.write_text(MINIMAL, "utf-8")
    known = str(env.folder / "known.json")
    applied = env.run("apply", "-f", str(env.desired), "--auto-approve", "--state", known)
    assert applied.exit_code == 0, applied.output
    env.edit("name: Client Name", "name: Client Renamed")

    ran, modules = _modules_of_a_plan(env, "-f", str(env.desired), "--state", known)

    assert ran.returncode == 0, ran.stderr
    assert "~ update client 42" in ran.stdout and "name:" in ran.stdout, ran.stdout
    assert "Plan: 1 call (1 update client); 0 resources in sync." in ran.stdout
    assert "reconciler.desired.models" in modules and "reconciler.cli.plan_command" in modules
    assert {p: _loaded(modules, p) for p in NOT_FOR_A_PLAN if _loaded(modules, p)} == {}


def test_a_plan_that_looks_a_client_up_starts_the_client(env: Env) -> None:
    """The listing sees what a plan uses: looking a client up by its code loads the client."""
    env.desired.write_text(MINIMAL.replace("  - id: 42\n    code", "  - code"), "utf-8")

    ran, modules = _modules_of_a_plan(env, "-f", str(env.desired))

    assert ran.returncode == 0, ran.stderr
    assert "client '12345' found on the live account: adopted as 42" in ran.stdout
    assert _loaded(modules, "aiohttp") and _loaded(modules, "reconciler.api")
    assert "reconciler.cli.progress" in modules  # what is shown while the account is read
    assert "asyncio" in modules and "tenacity" not in modules  # no request was retried


def test_a_validate_of_a_valid_file_reads_no_settings(env: Env) -> None:
    """Valid files show no message, so nothing is redacted and no settings are read: neither
    pydantic-settings (with the ``asyncio`` and ``argparse`` it imports) nor python-dotenv."""
    env.desired.write_text(MINIMAL, "utf-8")

    ran, modules = _modules_of(env, "validate", "-f", str(env.desired))

    assert ran.returncode == 0, ran.stderr
    assert ": valid (" in ran.stdout, ran.stdout
    assert "reconciler.desired.models" in modules and "reconciler.settings" in modules
    assert {p: _loaded(modules, p) for p in NOT_FOR_A_VALIDATE if _loaded(modules, p)} == {}


def test_a_validate_that_shows_a_problem_reads_the_settings_to_redact_it(env: Env) -> None:
    """The lazy path still reads the settings' secrets once a message is to be shown, through
    the plain models of their fields, not pydantic-settings."""
    env.desired.write_text(MINIMAL.replace("name: Client Name", "colour: red"), "utf-8")

    ran, modules = _modules_of(env, "validate", "-f", str(env.desired))

    assert ran.returncode == 1, ran.stdout
    assert "clients[0]" in ran.stderr and "colour" in ran.stderr, ran.stderr
    assert "reconciler.settings_values" in modules
    assert "pydantic_settings" not in modules and "reconciler.settings_models" not in modules


def test_help_reads_no_settings(env: Env) -> None:
    """``--help`` names the commands and their options; it reads no settings, so neither
    pydantic-settings nor python-dotenv is loaded (the API client names the settings' class
    for its type only)."""
    ran, modules = _modules_of(env, "--help")

    assert ran.returncode == 0, ran.stderr
    assert "apply" in ran.stdout and "plan" in ran.stdout, ran.stdout
    settings_libraries = (
        "pydantic_settings",
        "reconciler.settings_models",
        "reconciler.settings_values",
        "dotenv",
    )
    assert {p: _loaded(modules, p) for p in settings_libraries if _loaded(modules, p)} == {}


def test_an_apply_reads_its_settings_without_pydantic_settings(env: Env) -> None:
    """An apply reads its settings as a plan does, through the plain models of their fields:
    it reaches the API without loading pydantic-settings or its settings classes."""
    env.desired.write_text(MINIMAL, "utf-8")
    known = str(env.folder / "known.json")

    ran, modules = _modules_of(
        env, "apply", "-f", str(env.desired), "--auto-approve", "--state", known
    )

    assert ran.returncode == 0, ran.stderr
    assert "update client 42" in ran.stdout, ran.stdout
    assert "reconciler.settings_values" in modules and _loaded(modules, "aiohttp")
    assert "pydantic_settings" not in modules and "reconciler.settings_models" not in modules
