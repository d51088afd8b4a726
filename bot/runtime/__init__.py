"""How the processes run: configuration, the clock, crypto, rate limits, the loop guard,
quiet hours and the job queue (RQ on Redis, or in-process) below core; and on top of core the
wiring: container.py (the only builder of database engines, Redis connections and senders),
jobs.py (what an RQ worker runs) and background.py (the in-process pump and the sweeper).
"""
