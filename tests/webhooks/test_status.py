"""POST /twilio/status: delivery reports update our sends, and never move them backwards."""

from __future__ import annotations

from flask.testing import FlaskClient

from bot.runtime.container import Container
from bot.store.models import Message
from tests.helpers import new_sid, signed_post
from tests.webhooks.support import load_payload, make_outbound, row_counts

PATH = "/twilio/status"


def stored(services: Container, message_id: int) -> Message:
    with services.db.session() as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def report(client: FlaskClient, sid: str, status: str, **extra: str) -> None:
    params = load_payload("status_delivered", MessageSid=sid, SmsSid=sid, MessageStatus=status)
    params["SmsStatus"] = status
    params.update(extra)
    response = signed_post(client, PATH, params)
    assert response.status_code == 204, response.data
    assert response.data == b""


def test_recorded_delivered_callback_updates_the_message(
    client: FlaskClient, services: Container
) -> None:
    params = load_payload("status_delivered")
    message_id = make_outbound(services, params["MessageSid"], status="sent")

    response = signed_post(client, PATH, params)

    assert response.status_code == 204
    assert response.data == b""
    message = stored(services, message_id)
    assert message.status == "delivered"
    assert message.error_code is None


def test_recorded_failed_callback_stores_the_error_code(
    client: FlaskClient, services: Container
) -> None:
    params = load_payload("status_failed")
    message_id = make_outbound(services, params["MessageSid"], status="sent")

    response = signed_post(client, PATH, params)

    assert response.status_code == 204
    message = stored(services, message_id)
    assert message.status == "failed"
    assert message.error_code == 30007


#: Callbacks in the order they arrive -> the status the message must end with.
SEQUENCES = {
    "delivered then sent": (["delivered", "sent"], "delivered"),
    "sent then delivered": (["sent", "delivered"], "delivered"),
    "read after delivered": (["delivered", "read"], "read"),
    "everything after read": (["read", "delivered", "sent", "queued"], "read"),
    "queued after sending": (["sending", "queued"], "sending"),
    "delivered twice": (["delivered", "delivered"], "delivered"),
    "undelivered then sent": (["undelivered", "sent"], "undelivered"),
    # An outcome is final: a failure never turns into a delivery, nor one failure into another.
    "failed then delivered then read": (["failed", "delivered", "undelivered", "read"], "failed"),
    "delivered then undelivered": (["delivered", "undelivered"], "delivered"),
    "undelivered then failed": (["undelivered", "failed"], "undelivered"),
    "partially delivered, then read": (["sent", "partially_delivered", "read"], "read"),
    "partially delivered then sent": (["partially_delivered", "sent"], "partially_delivered"),
}


def test_statuses_only_move_forwards(client: FlaskClient, services: Container) -> None:
    finals = {}
    for case, (sequence, _) in SEQUENCES.items():
        sid = new_sid()
        message_id = make_outbound(services, sid)
        for status in sequence:
            report(client, sid, status)
        finals[case] = stored(services, message_id).status

    assert finals == {case: final for case, (_, final) in SEQUENCES.items()}


def test_a_late_sent_does_not_clear_a_failure(client: FlaskClient, services: Container) -> None:
    sid = new_sid()
    message_id = make_outbound(services, sid)

    report(client, sid, "failed", ErrorCode="30007")
    report(client, sid, "sent")

    message = stored(services, message_id)
    assert (message.status, message.error_code) == ("failed", 30007)


def test_a_report_for_a_sid_not_saved_yet_is_kept_and_changes_nothing_else(
    client: FlaskClient, services: Container
) -> None:
    message_id = make_outbound(services, new_sid())
    before = row_counts(services)

    report(client, new_sid(), "delivered")

    assert row_counts(services) == {**before, "early_statuses": before["early_statuses"] + 1}
    assert stored(services, message_id).status == "queued"


def test_unsigned_callback_is_refused(client: FlaskClient, services: Container) -> None:
    params = load_payload("status_delivered")
    message_id = make_outbound(services, params["MessageSid"], status="sent")

    response = client.post(PATH, data=params)

    assert response.status_code == 403
    assert stored(services, message_id).status == "sent"


MALFORMED = {
    "no MessageSid": {"MessageSid": ""},
    "short MessageSid": {"MessageSid": "SM123"},
    "no MessageStatus": {"MessageStatus": ""},
    "shouted status": {"MessageStatus": "DELIVERED!"},
    "overlong status": {"MessageStatus": "x" * 40},
}


def test_malformed_callbacks_are_a_400_and_change_nothing(
    client: FlaskClient, services: Container
) -> None:
    params = load_payload("status_delivered")
    message_id = make_outbound(services, params["MessageSid"], status="sent")
    outcomes = {}
    for case, changes in MALFORMED.items():
        response = signed_post(client, PATH, {**params, **changes})
        outcomes[case] = (response.status_code, response.mimetype)

    assert outcomes == dict.fromkeys(MALFORMED, (400, "text/plain"))
    assert stored(services, message_id).status == "sent"


#: ErrorCode values Twilio never sends; the callback may be refused (400) or the code ignored.
ODD_ERROR_CODES = {
    "letters": "abc",
    "negative": "-1",
    "superscript two": "²",
    "5000 digits": "9" * 5000,
}


def test_an_odd_error_code_is_never_a_server_error(
    client: FlaskClient, services: Container
) -> None:
    acceptable = {(400, "sent", None), (204, "failed", None)}
    outcomes = {}
    for case, error_code in ODD_ERROR_CODES.items():
        sid = new_sid()
        message_id = make_outbound(services, sid, status="sent")
        response = signed_post(
            client, PATH, load_payload("status_failed", MessageSid=sid, ErrorCode=error_code)
        )
        message = stored(services, message_id)
        outcomes[case] = (response.status_code, message.status, message.error_code)

    assert {case: o for case, o in outcomes.items() if o not in acceptable} == {}
