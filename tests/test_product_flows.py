"""The flows Sgwrs ships (`flows/`): they load, pass `sgwrs flows check`, and are the default.

Every other test runs on the copies in tests/data/flows, so that rewording a product text
breaks nothing but what is about the product itself: these tests.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.core.flow_check import check_flows
from bot.flowspec.loading import load_library
from bot.runtime.config import Settings, load_settings
from tests.conftest import FIXTURE_FLOWS, PRODUCT_FLOWS

DEFAULT_FLOW = Settings.default_flow


def test_the_product_flows_are_what_settings_load_by_default(tmp_path: Path) -> None:
    settings = load_settings(environ={}, dotenv_path=tmp_path / "no.env")
    assert settings.flows_path == PRODUCT_FLOWS
    assert PRODUCT_FLOWS != FIXTURE_FLOWS


def test_the_product_flows_load() -> None:
    library = load_library(PRODUCT_FLOWS, DEFAULT_FLOW)

    assert library.default_flow == DEFAULT_FLOW
    assert {library.welcome_flow, DEFAULT_FLOW} <= set(library.flows)


def test_the_product_flows_pass_the_check() -> None:
    report = check_flows(PRODUCT_FLOWS, DEFAULT_FLOW)

    assert report.errors == []
    assert any(line.startswith(f"{DEFAULT_FLOW} v") for line in report.lines)


def test_sgwrs_flows_check_passes_on_the_product_flows(tmp_path: Path) -> None:
    runner = CliRunner(env={"ENV": "test", "FLOWS_DIR": str(tmp_path / "not-these")})

    result = runner.invoke(cli, ["flows", "check", "--dir", str(PRODUCT_FLOWS)])

    assert result.exit_code == 0, result.output
    assert f"{DEFAULT_FLOW}/" in result.output
    assert "0 error(s)" in result.output
