"""The use cases: what happens when a resident texts, a timer fires, a send is due, an officer
answers or broadcasts, a status arrives, the sweep runs, and what the overview and flow check say.

The only callers of the engine, and the only writers through the store. Imports the engine,
flowspec, store, channels and the lower runtime (never the container, jobs or background loops).
"""
