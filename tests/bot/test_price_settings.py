"""PRICE_PER_VOICE_MINUTE: pounds a minute of a call, read like PRICE_PER_SEGMENT, and refused
at start-up when it cannot be a price."""

from __future__ import annotations

import pytest

from bot.runtime.config import PROJECT_ROOT, ConfigError, load_settings
from tests.conftest import settings_for


def test_a_call_minute_costs_what_the_setting_says() -> None:
    assert load_settings(settings_for("sqlite://"), environ={}).price_per_voice_minute == 0.013
    settings = load_settings(settings_for("sqlite://", PRICE_PER_VOICE_MINUTE="0.02"), environ={})
    assert settings.price_per_voice_minute == 0.02
    free = load_settings(settings_for("sqlite://", PRICE_PER_VOICE_MINUTE="0"), environ={})
    assert free.price_per_voice_minute == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("cheap", r"PRICE_PER_VOICE_MINUTE must be a number, not 'cheap'"),
        ("-0.01", r"PRICE_PER_VOICE_MINUTE must be a price in pounds, 0 or more .* not -0\.01"),
        ("nan", r"PRICE_PER_VOICE_MINUTE must be a price in pounds"),
        ("inf", r"PRICE_PER_VOICE_MINUTE must be a price in pounds"),
        ("1.3", r"PRICE_PER_VOICE_MINUTE is in pounds: 1\.3 would be £1\.30 a minute .* 0\.013"),
    ],
)
def test_a_price_that_cannot_be_one_fails_at_start_up(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(settings_for("sqlite://", PRICE_PER_VOICE_MINUTE=value), environ={})


def test_the_example_settings_list_it_with_its_default() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    assert "PRICE_PER_VOICE_MINUTE=0.013" in example
