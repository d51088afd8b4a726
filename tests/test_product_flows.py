"""The flows Sgwrs ships (`flows/`): they load, pass `sgwrs flows check`, and are the default.

Every other test runs on the copies in tests/data/flows, so that rewording a product text
breaks nothing but what is about the product itself: these tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core.flow_check import check_flows
from bot.engine.render import step_prompt
from bot.flowspec.loading import load_library
from bot.flowspec.model import ConsentStep, SayStep
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


def _privacy_notice(language: str) -> list[str]:
    """The default flow's privacy notice as residents get it: the say steps straight before the
    consent step, then the consent prompt itself (text and read_more, sent as one text)."""
    flow = load_library(PRODUCT_FLOWS, DEFAULT_FLOW).flow(DEFAULT_FLOW)
    consent = next(step for step in flow.steps if isinstance(step, ConsentStep))
    before: list[SayStep] = []
    for step in reversed(flow.steps[: flow.steps.index(consent)]):
        if not isinstance(step, SayStep):
            break
        before.insert(0, step)
    texts = [step_prompt(flow, step) for step in (*before, consent)]
    return [text.in_(language) for text in texts]  # type: ignore[arg-type]


#: What the notice must promise in each language: how to erase, how to stop, how long we keep.
PROMISES = {
    "en": (r"\bDELETE\b", r"\bSTOP\b", r"\b12 months\b"),
    "cy": (r"\bDILEU\b", r"\bSTOPIO\b", r"\b12 mis\b"),
}


@pytest.mark.parametrize("language", sorted(PROMISES))
def test_the_privacy_notice_says_how_to_erase_and_stop_and_how_long_we_keep(
    language: str,
) -> None:
    notice = "\n".join(_privacy_notice(language))

    for promise in PROMISES[language]:
        assert re.search(promise, notice), f"{language} notice lacks {promise}:\n{notice}"
    # "12 months" is the retention setting, so changing either alone fails here.
    assert Settings.retention_days == 365


@pytest.mark.parametrize(("language", "reply"), [("en", "Reply "), ("cy", "Atebwch ")])
def test_each_privacy_text_ends_with_what_to_reply(language: str, reply: str) -> None:
    texts = _privacy_notice(language)

    assert len(texts) >= 2, "the notice should be a few short texts, not one long one"
    for text in texts:
        last_sentence = re.split(r"(?<=[.?!])\s+", text.strip())[-1]
        assert last_sentence.startswith(reply), f"the reply instruction is not last: {text!r}"
