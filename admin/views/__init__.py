"""Admin views, one module per page, each with a blueprint of its own (`bp`).

Importing a module registers nothing: admin/__init__.py nests each `bp` under the parent
"admin" blueprint by name.
"""
