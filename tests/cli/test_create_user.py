"""`sgwrs create-user`: an admin, officer or partner account, from options or prompts."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import cli
from bot.core.accounts import authenticate
from bot.runtime.container import Container
from bot.store.models import User

PASSWORD = "correct horse battery"


def _users(container: Container) -> list[tuple[str, str, str, str | None]]:
    with container.db.session() as session:
        users = session.exec(select(User)).all()
        return [(user.email, user.name, user.role, user.partner_code) for user in users]


def test_create_user_from_options(runner: CliRunner, container: Container) -> None:
    options = ["--email", "Ann@Example.gov.uk", "--name", "Ann Jones", "--role", "officer"]

    result = runner.invoke(cli, ["create-user", *options, "--password", PASSWORD])

    assert result.exit_code == 0, result.output
    assert result.output == "officer account created for Ann@Example.gov.uk\n"
    assert _users(container) == [("ann@example.gov.uk", "Ann Jones", "officer", None)]
    with container.db.session() as session:
        assert authenticate(session, "ann@example.gov.uk", PASSWORD) is not None


def test_create_user_asks_for_what_is_missing(runner: CliRunner, container: Container) -> None:
    typed = f"bob@example.gov.uk\nBob Evans\npartner\n{PASSWORD}\n{PASSWORD}\n"

    result = runner.invoke(cli, ["create-user", "--partner", "LIB1"], input=typed)

    assert result.exit_code == 0, result.output
    for prompt in ("Email: ", "Name: ", "Role (admin, officer, partner): ", "Password: "):
        assert prompt in result.output
    assert "Repeat for confirmation: " in result.output
    assert PASSWORD not in result.output
    assert "partner account created for bob@example.gov.uk" in result.output
    assert _users(container) == [("bob@example.gov.uk", "Bob Evans", "partner", "LIB1")]


def test_create_user_refuses_a_short_password(runner: CliRunner, container: Container) -> None:
    options = ["--email", "ann@example.gov.uk", "--name", "Ann", "--role", "admin"]

    result = runner.invoke(cli, ["create-user", *options, "--password", "short"])

    assert result.exit_code == 1
    assert "Error: The password must be at least 12 characters." in result.output
    assert _users(container) == []


def test_create_user_refuses_bad_input(runner: CliRunner, container: Container) -> None:
    base = ["create-user", "--name", "Ann", "--password", PASSWORD]

    bad_email = runner.invoke(cli, [*base, "--email", "ann", "--role", "admin"])
    bad_role = runner.invoke(cli, [*base, "--email", "ann@example.gov.uk", "--role", "boss"])
    no_code = runner.invoke(cli, [*base, "--email", "ann@example.gov.uk", "--role", "partner"])

    assert bad_email.exit_code == 1
    assert "Error: Enter an email address like name@example.gov.uk." in bad_email.output
    assert bad_role.exit_code == 2
    assert "'boss' is not one of 'admin', 'officer', 'partner'" in bad_role.output
    assert no_code.exit_code == 1
    assert "Error: A partner account needs the partner's code." in no_code.output
    assert _users(container) == []


def test_create_user_refuses_a_second_account_for_one_email(
    runner: CliRunner, container: Container
) -> None:
    command = ["create-user", "--email", "ann@example.gov.uk", "--name", "Ann"]
    runner.invoke(cli, [*command, "--role", "admin", "--password", PASSWORD])

    again = runner.invoke(cli, [*command, "--role", "officer", "--password", PASSWORD])

    assert again.exit_code == 1
    assert "Error: There is already an account with that email address." in again.output
    assert _users(container) == [("ann@example.gov.uk", "Ann", "admin", None)]


def test_a_partner_account_asks_for_the_code_straight_after_the_role(
    runner: CliRunner, container: Container
) -> None:
    typed = f"cat@example.org\nCat Hughes\npartner\nFOODBANK2\n{PASSWORD}\n{PASSWORD}\n"

    result = runner.invoke(cli, ["create-user"], input=typed)

    assert result.exit_code == 0, result.output
    role_at = result.output.index("Role (admin, officer, partner): ")
    code_at = result.output.index("Partner code: ")
    assert role_at < code_at < result.output.index("Password: ")
    assert _users(container) == [("cat@example.org", "Cat Hughes", "partner", "FOODBANK2")]


def test_a_short_typed_password_asks_again_for_the_password_only(
    runner: CliRunner, container: Container
) -> None:
    typed = f"dai@example.gov.uk\nDai\nofficer\nshort\n{PASSWORD}\n{PASSWORD}\n"

    result = runner.invoke(cli, ["create-user"], input=typed)

    assert result.exit_code == 0, result.output
    assert "The password must be at least 12 characters." in result.output
    assert result.output.count("Email: ") == 1
    assert result.output.count("Password: ") == 2
    assert _users(container) == [("dai@example.gov.uk", "Dai", "officer", None)]
