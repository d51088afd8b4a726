"""The floor: a bare Flask app answering every webhook with fixed TwiML.

Run under the Procfile's gunicorn settings, it is the most any Flask service could do on this
machine in the same run, so Sgwrs's figures are ratios to it rather than numbers that change
with the machine's neighbours.
"""

from __future__ import annotations

from flask import Flask, Response

app = Flask(__name__)

REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you.</Message></Response>'


@app.post("/twilio/messages")
def reply() -> Response:
    return Response(REPLY, mimetype="text/xml")
