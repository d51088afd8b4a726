"""Sgwrs without the web: the conversation engine, its use cases, storage and adapters.

Rooms, from the bottom up (each may import only the rooms below it; tests/test_layout.py checks):
  flowspec/  the flow model and loading: pydantic, YAML, the standard library
  engine/    the pure conversation engine: flowspec and the standard library only
  channels/  SMS rules, WhatsApp's window, Twilio addressing, sending and TwiML, the fake Twilio
  runtime/   clock, config, crypto, rate limits, loop guard, quiet hours, the job queue
  store/     every query, the models and the database session
  core/      the use cases, the only callers of the engine and of store writes
  runtime/container.py, jobs.py, background.py   the wiring on top, and cli/, the `sgwrs` command
Nothing here imports Flask, webhooks/, admin/ or wsgi.py.
"""
