"""What every `sgwrs` command starts from: the container, migrated, and the local stand-ins
(a fake Twilio, the simulator's number) that let the embedded run work with no accounts."""

from __future__ import annotations

import click

from bot.channels.fake_twilio import FakeTwilio
from bot.runtime.config import ConfigError, Settings, load_settings, with_changes
from bot.runtime.container import Container, build_container

#: Ofcom's range for drama: never a real resident's number.
SIMULATOR_NUMBER = "+447700900001"
#: The account the embedded run's fake Twilio pretends to be.
FAKE_ACCOUNT_SID = "AC" + "0" * 32


def open_container() -> Container:
    """Settings from the environment, services built, and the database migrated to head."""
    try:
        services = build_container(load_settings())
    except (ConfigError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    services.db.upgrade()
    return services


def with_local_twilio(
    settings: Settings, public_url: str, *, callbacks: bool = True
) -> tuple[Settings, FakeTwilio | None]:
    """Without a Twilio account, a local fake Twilio takes the sends: nothing reaches a phone."""
    if settings.twilio_account_sid:
        return settings, None
    fake = FakeTwilio(settings.twilio_auth_token, auto_callbacks=callbacks)
    return with_changes(
        settings,
        twilio_account_sid=FAKE_ACCOUNT_SID,
        twilio_api_url=fake.start(),
        twilio_from_sms=settings.twilio_from_sms or "+447700900000",
        public_url=public_url,
    ), fake
