"""Every query, the table models and the database session (SQLite or PostgreSQL, same schema).

Functions are verb-first (get_, list_, count_, add_, save_, set_, mark_, erase_…) and take the
unit of work core opened. Only this package imports sqlmodel or SQLAlchemy. It may use the lower
runtime (crypto, clock) and channels.sms (segment counts), never core or the engine.
"""
