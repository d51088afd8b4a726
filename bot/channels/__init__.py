"""How messages reach residents: addresses, SMS encoding and segments, WhatsApp's 24-hour window
and templates, Twilio addressing (routing), sending (sender), the instant TwiML reply, and a local
fake Twilio for the embedded run and the tests.

Each channel rule lives here once. Imports only itself, the standard library and the Twilio and
phonenumbers libraries: nothing about residents, storage or conversations.
"""
