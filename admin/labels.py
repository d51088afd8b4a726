"""Plain English labels for values the database stores, so every page names a thing alike.

Templates translate them with `_()`; admin/catalogues/conversations.py has the Welsh.
"""

from __future__ import annotations

STATUS_LABELS = {
    "active": "In progress",
    "completed": "Completed",
    "declined": "Declined",
    "expired": "Stopped replying",
    "handed_on": "Handed on",
    "opted_out": "Opted out",
}
LANGUAGE_LABELS = {"cy": "Welsh", "en": "English"}
ROLE_LABELS = {"admin": "Admin", "officer": "Officer", "partner": "Partner"}
CHANNEL_LABELS = {"sms": "SMS", "whatsapp": "WhatsApp", "voice": "Phone call"}
#: Answer.kind: the transcript, the answers page and the export all use these words.
KIND_LABELS = {
    "choice": "Choice",
    "unexpected": "Unexpected reply to a choice",
    "hope": "Hope",
    "fear": "Fear",
    "feedback": "Feedback",
    "experience": "Experience",
    "other": "Other",
    "reaction": "Reaction to an explanation",
}
#: Answer.filed_as, as an officer filed it (the answers page's filter and the transcript).
FILED_LABELS = {
    "answer": "Answers",
    "not_an_answer": "Not answers",
    "question": "Filed as questions",
}
MESSAGE_STATUS_LABELS = {
    "received": "Received",
    "replied": "Replied at once",
    "accepted": "Queued",
    "scheduled": "Queued",
    "queued": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "delivered": "Delivered",
    "partially_delivered": "Partly delivered",
    "undelivered": "Not delivered",
    "failed": "Failed",
    "canceled": "Cancelled",
    "read": "Read",
}

#: What an officer can do to many answers at once (bot/core/bulk.py), in the bulk form's order.
BULK_ACTION_LABELS = {
    "tag": "Add the theme",
    "untag": "Take off the theme",
    "significant": "Flag as significant",
    "not_significant": "Remove significant flag",
    "not_an_answer": "Mark as not an answer",
}

#: Who a broadcast is for (bot.store.recipients.AUDIENCES): the compose form and the list.
AUDIENCE_LABELS = {
    "hear_back": "Residents who asked to hear back",
    "took_part": "Everyone who took part and gave consent",
}
