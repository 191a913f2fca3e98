"""A state backend is chosen in one place: the table keyed by the known state's URL scheme
(``storage/backends.py``). No other module decides between the file and a database, and
``state move --to`` takes any registered backend's URL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler.core.known import KnownState, Record
from reconciler.sandbox import Sandbox
from reconciler.storage.postgres import PostgresStore
from reconciler.storage.state_file import StateStore
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
TABLE = PACKAGE / "storage" / "backends.py"
CONCRETE = {"PostgresStore", "StateStore", "DatabaseLock", "StateLock"}
"""The classes of the two backends that ship: only the storage layer names them."""
CONCRETE_MODULES = {
    "reconciler.storage.postgres",
    "reconciler.storage.postgres_lock",
    "reconciler.storage.postgres_reads",
    "reconciler.storage.postgres_backend",
    "reconciler.storage.database",
    "reconciler.storage.state_file",
    "reconciler.storage.file_backend",
}
SECRET = "SENTINEL-to-pw-5521"


def _is_state_url(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "state_url"


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _tests_truth(node: ast.AST) -> bool:
    if isinstance(node, (ast.If, ast.IfExp, ast.While)):
        return _is_state_url(node.test)
    return isinstance(node, ast.BoolOp) and any(map(_is_state_url, node.values))


def backend_decisions(path: Path) -> list[str]:
    """Where ``path`` decides between backends itself: a state URL compared with None or
    tested for truth, an ``isinstance`` naming a backend's class."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(map(_is_state_url, sides)) and any(map(_is_none, sides)):
                found.append(f"{path.name}:{node.lineno}: state_url compared with None")
        elif _tests_truth(node):
            found.append(f"{path.name}:{node.lineno}: state_url tested for truth")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and CONCRETE & {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
        ):
            found.append(f"{path.name}:{node.lineno}: isinstance of a backend's class")
    return found


def concrete_imports(path: Path) -> list[str]:
    """The modules of a backend that ``path`` imports (the storage layer's own business)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        found += [f"{path.name}:{node.lineno}: {n}" for n in names if n in CONCRETE_MODULES]
    return found


def test_no_module_but_the_table_decides_which_backend_a_target_uses() -> None:
    decisions = [
        found
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != TABLE
        for found in backend_decisions(path)
    ]
    assert decisions == []


def test_the_scan_finds_a_decision_between_backends(tmp_path: Path) -> None:
    source = tmp_path / "deciding.py"
    source.write_text(
        "def store(target):\n"
        "    if target.state_url is not None:\n"
        "        return 1\n"
        "    return 2 if target.state_url else isinstance(target, PostgresStore)\n"
    )
    assert len(backend_decisions(source)) == 3


def test_use_cases_and_commands_reach_a_backend_only_through_the_table() -> None:
    imports = [
        found
        for layer in ("workflows", "cli")
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for found in concrete_imports(path)
    ]
    assert imports == []


def test_the_lock_and_move_modules_have_names_unique_in_the_package() -> None:
    names = [path.name for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"]
    for name in ("state_lock.py", "state_move.py"):
        assert names.count(name) == 1, name
    assert not (PACKAGE / "workflows" / "locking.py").exists()
    assert not (PACKAGE / "workflows" / "moving.py").exists()


@pytest.mark.parametrize("where", ["--state-url", "RECONCILER_STATE_URL", "state move --to"])
def test_an_unknown_scheme_is_refused_naming_the_known_ones(tmp_path: Path, where: str) -> None:
    fleet = Fleet(tmp_path, 1).write()
    kept = KnownState.new().applied("client:1", _record("Lisboa"))
    StateStore(fleet.state_file).save(kept)
    before = fleet.state_file.read_bytes()
    url = f"mysql://app:{SECRET}@db.example/known"
    env = environment("http://127.0.0.1:9")
    if where == "--state-url":
        args = ["plan", "-f", str(fleet.desired), "--state-url", url]
    elif where == "RECONCILER_STATE_URL":
        args, env = ["plan", "-f", str(fleet.desired)], {**env, "RECONCILER_STATE_URL": url}
    else:
        args = ["state", "move", "-f", str(fleet.desired), "--to", url]
    result = run_cli(args, env)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for scheme in ("file:", "postgresql:", "postgres:"):
        assert scheme in lines[0], lines[0]
    assert "mysql://app:***@db.example/known" in lines[0], lines[0]
    assert SECRET not in result.output
    assert fleet.state_file.read_bytes() == before, "nothing is written"
    assert not fleet.state_file.with_name(fleet.state_file.name + ".moved").exists()


def test_state_move_to_a_database_url_and_on_to_a_file_url(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet = Fleet(tmp_path, 3).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with_password = postgres_url.replace("postgres@", f"postgres:{SECRET}@")
    elsewhere = tmp_path / "elsewhere" / "kept.json"
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        applied = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        assert applied.exit_code == 0, applied.output
        original = fleet.known()
        move = ["state", "move", "-f", str(fleet.desired)]
        to_database = run_cli([*move, "--to", with_password], env)
        assert to_database.exit_code == 0, to_database.output
        assert SECRET not in to_database.output
        assert "(account 'state')" in to_database.stdout
        assert not fleet.state_file.exists()
        assert PostgresStore(postgres_url, "state").load().to_json() == original.to_json()
        from_database = [*move, "--state-url", with_password, "--to", f"file:{elsewhere}"]
        to_file = run_cli(from_database, env)
        assert to_file.exit_code == 0, to_file.output
        assert "deleted from the database" in to_file.stdout
        assert SECRET not in to_file.output
        assert StateStore(elsewhere).load().to_json() == original.to_json()
        assert not PostgresStore(postgres_url, "state").exists()
        plan = ["plan", "-f", str(fleet.desired), "--detailed-exitcode"]
        replanned = run_cli([*plan, "--state-url", f"file://{elsewhere}"], env)
        assert replanned.exit_code == 0 and "No changes" in replanned.stdout, replanned.output
        again = run_cli([*move, "--state", str(elsewhere), "--to", f"file:{elsewhere}"], env)
        assert again.exit_code == 1 and "kept there already" in again.stderr, again.output


def _record(city: str) -> Record:
    return Record(applied={"city": city}, applied_at="2026-01-01T00:00:00+00:00")


@pytest.mark.parametrize("url", ["file://db.example/srv/state.json", "file:", "file://"])
def test_a_file_url_naming_a_host_or_no_path_is_refused(tmp_path: Path, url: str) -> None:
    fleet = Fleet(tmp_path, 1).write()
    result = run_cli(["plan", "-f", str(fleet.desired), "--state-url", url], {})
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "file:PATH" in result.stderr, result.stderr


def test_a_backend_imported_when_first_named_is_registered_for_its_own_schemes() -> None:
    """The table names the schemes of a backend it imports later as that backend's ``Kind``
    has them: each of them reaches the backend, and nothing else does."""
    from reconciler.storage import backends

    for schemes, kind in backends._LATER.items():
        assert kind().schemes == schemes
        for scheme in schemes:
            assert backends.kind_of(f"{scheme}://host/db") is kind()
