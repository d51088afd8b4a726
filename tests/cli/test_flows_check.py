"""`sgwrs flows check`: the report a flow author reads, and a failing exit on any error."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from tests.cli.conftest import text_of
from tests.conftest import FIXTURE_FLOWS


def test_flows_check_passes_on_the_flows_in_flows_dir(runner: CliRunner) -> None:
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
    shutil.copytree(FIXTURE_FLOWS, flows)
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


def test_flows_check_fails_on_a_folder_without_the_flows(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["flows", "check", "--dir", str(tmp_path / "empty")])

    assert result.exit_code == 1
    assert "'welcome' is required but missing" in result.output
    assert "1 error(s)" in result.output
