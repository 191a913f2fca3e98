"""Numbers too long to be real are refused where they are written, never converted, never taken
for something else: an id or sequence id is below 2^63 (at most 19 digits), and ``--shard K/N``
takes at most 6 digits each. A 5,000-digit unquoted ``sequences.default`` is a too-large id at
its ``file:line:col``, not a serie to look up.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.errors import SettingsError
from reconciler.workflows.fleet_run import Shard

ROOT = Path(__file__).resolve().parents[2]
HUGE = "9" * 5000
LONG = "9" * 20  # one digit more than any id below 2^63 has


def _validate(tmp_path: Path, old: str, new: str) -> tuple[int, str, Path]:
    desired = tmp_path / "state.yaml"
    text = (ROOT / "state.example.yaml").read_text("utf-8")
    assert old in text
    desired.write_text(text.replace(old, new, 1), "utf-8")
    result = CliRunner().invoke(main, ["validate", "-f", str(desired)], catch_exceptions=False)
    return result.exit_code, result.output, desired


@pytest.mark.parametrize("digits", [HUGE, LONG])
@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("default: 146090", "default: {}", "46:12: sequences.default"),
        ("register: [146090]", "register: [{}]", "47:14: sequences.register[0]"),
        ("register: [146090]", "register:\n    - {}", "48:7: sequences.register[0]"),
        ("  id: 12345", "  id: {}", "18:7: account.id"),
        ("  - id: 42", "  - id: {}", "50:9: clients[0].id"),
    ],
)
def test_a_number_too_long_to_be_an_id_is_refused_at_its_place(
    tmp_path: Path, digits: str, old: str, new: str, where: str
) -> None:
    code, output, desired = _validate(tmp_path, old, new.format(digits))
    assert code == 1, output
    assert "Traceback" not in output
    assert f"{desired}:{where}: is too large ({len(digits)} digits; at most 19)" in output
    assert digits not in output  # never echoed whole


def test_a_quoted_run_of_digits_is_still_a_serie(tmp_path: Path) -> None:
    code, output, _ = _validate(tmp_path, "default: 146090", f'default: "{LONG}"')
    assert code == 0, output


@pytest.mark.parametrize("text", [f"1/{HUGE}", f"{HUGE}/{HUGE}", "1/1234567", "1234567/9"])
def test_a_shard_too_long_to_be_real_is_refused(text: str) -> None:
    with pytest.raises(SettingsError, match="at most 6 digits") as refused:
        Shard.parse(text)
    assert HUGE not in str(refused.value)


def test_a_huge_shard_on_the_command_line_is_one_line_naming_the_flag(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text((ROOT / "state.example.yaml").read_text("utf-8"), "utf-8")
    result = CliRunner().invoke(
        main, ["plan", "-f", str(tmp_path), "--shard", f"1/{HUGE}"], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --shard "), result.stderr
    assert "at most 6 digits" in lines[0] and HUGE not in lines[0]


@pytest.mark.parametrize("digits", [HUGE, LONG, "9223372036854775808"])
def test_an_account_id_too_large_to_be_real_is_refused_naming_the_flag(
    tmp_path: Path, digits: str
) -> None:
    desired = tmp_path / "state.yaml"
    result = CliRunner().invoke(
        main,
        ["import", "-f", str(desired), "--account-id", digits],
        env={"INVOICEXPRESS_API_KEY": "k", "INVOICEXPRESS_BASE_URL": "http://127.0.0.1:9"},
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    assert "Invalid value for '--account-id'" in result.stderr
    assert "too large" in result.stderr and HUGE not in result.stderr
    assert not desired.exists()


def test_a_target_too_long_to_be_real_is_not_echoed_whole(tmp_path: Path) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text((ROOT / "state.example.yaml").read_text("utf-8"), "utf-8")
    result = CliRunner().invoke(
        main,
        ["plan", "-f", str(desired), "--target", f"client:{HUGE}"],
        env={"INVOICEXPRESS_API_KEY": "k", "AT_PASSWORD": "a-password"},
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    assert "unknown target 'client:999" in result.stderr and HUGE not in result.stderr


def test_a_key_too_long_to_be_a_number_is_refused_as_a_number_key(tmp_path: Path) -> None:
    explicit_key = f"id: 12345\n  ? {HUGE}\n  : x\n  #"
    code, output, desired = _validate(tmp_path, "id: 12345 ", explicit_key)
    assert code == 1, output
    assert f"{desired}:19:5: account: key 9999" in output and "must be text: quote it" in output
