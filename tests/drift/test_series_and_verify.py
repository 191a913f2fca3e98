"""Sequences named by serie, and read-back verification after an apply."""

from __future__ import annotations

from tests.drift.conftest import applied, write
from tests.support.cli_env import Env

ACCOUNT = """account:
  id: 12345
  credentials:
    username: 999999990/1
    password: ${AT_PASSWORD}
"""


def test_series_resolve_to_ids_and_are_recorded(env: Env) -> None:
    write(env, ACCOUNT + 'sequences:\n  default: "2025"\n  register: ["2025"]\n')
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "serie '2025' is sequence 146090" in result.output
    assert ("PUT", "/sequences/146090/register.json") in env.calls()
    assert ("PUT", "/sequences/146090/set_current.json") in env.calls()
    env.sandbox.clear_requests()
    again = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert env.calls() == []  # the serie's id was recorded: no look-up


def test_unquoted_number_is_an_id_quoted_is_a_serie(env: Env) -> None:
    write(env, "sequences:\n  default: 2025\n  register: [146110]\n")
    result = env.run("plan", "-f", str(env.desired))
    assert "set default sequence 2025" in result.output  # an id, taken as written
    assert not any(path == "/sequences.json" for _, path in env.calls())


def test_unknown_serie_is_an_error_listing_the_series(env: Env) -> None:
    write(env, 'sequences:\n  register: [146110, "2030"]\n')
    result = env.run("plan", "-f", str(env.desired))
    assert result.exit_code == 1
    assert (
        "state.yaml:2:22: sequences.register[1]: no sequence has serie '2030' "
        "(the account has 2024, 2025, 2026)"
    ) in result.output


def test_serie_and_id_naming_the_same_sequence_is_an_error(env: Env) -> None:
    write(env, 'sequences:\n  register: [146090, "2025"]\n')
    result = env.run("plan", "-f", str(env.desired))
    assert result.exit_code == 1
    assert "sequence 146090 is listed more than once (as '2025' here)" in result.output


def test_verify_catches_a_rewritten_field(env: Env) -> None:
    applied(env)
    env.sandbox.rewrites = {"client.phone": lambda value: f"+351 {value}"}
    write(env, env.desired.read_text().replace('phone: "213456789"', 'phone: "213456700"'))
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--verify")
    assert result.exit_code == 3, result.output
    assert (
        'not converged: update client 42: phone: sent "213456700", live "+351 213456700"'
    ) in result.output
    assert "Verify: 1 call read back; 1 applied but not converged." in result.output


def test_verify_passes_when_everything_took_and_absorbs_harmless_rewrites(env: Env) -> None:
    env.sandbox.rewrites = {"client.email": lambda value: f" {value.upper()} "}
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--verify")
    assert result.exit_code == 0, result.output
    assert "Verify: 5 calls read back; all converged." in result.output
    reads = [path for method, path in env.calls() if method == "GET"]
    assert {"/api/accounts/12345/get.json", "/clients/42.json", "/clients/43.json"} <= set(reads)


def test_verify_checks_a_created_client(env: Env) -> None:
    env.sandbox.rewrites = {"client.city": lambda value: value.upper()}
    write(env, "clients:\n  - code: C-0100\n    name: New Client, Lda\n    city: Faro\n")
    result = env.run(
        "apply", "-f", str(env.desired), "--auto-approve", "--verify", "--create-missing"
    )
    assert result.exit_code == 3, result.output
    assert 'create client \'C-0100\': city: sent "Faro", live "FARO"' in result.output
