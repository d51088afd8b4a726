"""Flask blueprints for Twilio's webhooks and the health check: parse, verify, call core.

Imports bot.core, bot.store (reads), bot.runtime and bot.channels (Twilio's field formats and
TwiML); never the engine or admin/.
"""
