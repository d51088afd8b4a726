"""Flows as data: the pydantic model of a flow file, loading and validating the YAML, and the
spec_version migrations applied to a file before it is validated.

Imports only itself, the standard library, pydantic and yaml: the engine and everything above
it build on these types, so they must not depend back on any of them.
"""
