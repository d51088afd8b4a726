"""The `sgwrs` command line: flow checks and the phone simulator."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import wsgi  # noqa: F401  (registers `sgwrs run` on the group, as the console script does)
from bot.cli import cli
from bot.flowspec.loading import load_library
from bot.runtime.config import PROJECT_ROOT
from tests.conftest import TEST_AUTH_TOKEN

FLOWS = PROJECT_ROOT / "flows"
LIBRARY = load_library(FLOWS, "energy-data")


def text_of(flow_id: str, step_id: str, language: str) -> str:
    return LIBRARY.flow(flow_id).step(step_id).text.in_(language)


@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    """A runner whose environment points at a throwaway database and the real flows."""
    return CliRunner(
        env={
            "ENV": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "REDIS_URL": "",
            "SECRET_KEY": "test-secret-key",
            "DATA_KEY": "test-data-key-0123456789abcdef",
            "TWILIO_ACCOUNT_SID": "",
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "TWILIO_API_URL": "",
            "FLOWS_DIR": str(FLOWS),
        }
    )


def test_the_group_has_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])

    assert result.exit_code == 0
    for command in ("chat", "flows", "db", "run"):
        assert command in cli.commands
        assert command in result.output


def test_flows_check_passes_on_the_real_flows(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["flows", "check"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("GSM-7" in line and "segment(s)" in line for line in lines)
    assert any("UCS-2" in line and "segment(s)" in line for line in lines)
    assert any("energy-data/plan" in line for line in lines)
    assert "Welsh texts await review" in result.output
    assert "0 error(s)" in result.output


def test_flows_check_fails_on_a_missing_welsh_text(runner: CliRunner, tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    path = flows / "energy-data.yaml"
    welsh = f"      cy: {text_of('energy-data', 'view', 'cy')}\n"
    original = path.read_text(encoding="utf-8")
    assert original.count(welsh) == 1
    path.write_text(original.replace(welsh, ""), encoding="utf-8")

    result = runner.invoke(cli, ["flows", "check", "--dir", str(flows)])

    assert result.exit_code == 1
    problem = next(line for line in result.output.splitlines() if "missing Welsh" in line)
    assert "energy-data.yaml" in problem
    assert "'view'" in problem
    assert "missing Welsh translation" in problem


def test_chat_in_english_goes_through_the_flow(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chat", "--lang", "en"], input="next\n")

    assert result.exit_code == 0, result.output
    output = result.output
    assert "> English" in output
    keywords = output.index(text_of("welcome", "keywords", "en"))
    plan = output.index(text_of("energy-data", "plan", "en"))
    smart_meters = output.index(text_of("energy-data", "smart-meters", "en"))
    assert keywords < plan < smart_meters
    assert text_of("energy-data", "plan", "cy") not in output


def test_chat_without_a_language_gets_the_bilingual_welcome(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chat"], input="helo\n")

    assert result.exit_code == 0, result.output
    welsh = result.output.index(text_of("welcome", "language", "cy"))
    english = result.output.index(text_of("welcome", "language", "en"))
    assert welsh < english
