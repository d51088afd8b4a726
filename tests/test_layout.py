"""The layout's rules as tests: who may import whom, where queries live, who builds adapters.

Each rule reads the code's imports and calls from its syntax tree (nothing is run), so a new
module that breaks a rule fails here with the file, the line and the rule it broke.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = sys.stdlib_module_names | {"__future__"}

#: Room -> what it may import besides the standard library (prefixes of module names).
ALLOWED: dict[str, tuple[str, ...]] = {
    "bot/engine": ("bot.engine", "bot.flowspec", "rapidfuzz"),
    "bot/flowspec": ("bot.flowspec", "pydantic", "yaml", "ruamel"),
}
#: Room -> what it must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bot": ("flask", "werkzeug", "jinja2", "webhooks", "admin", "wsgi"),
    "bot/channels": ("bot.core", "bot.store", "bot.engine", "bot.runtime"),
    "bot/store": ("bot.core", "bot.engine"),
    "bot/core": ("bot.runtime.container", "bot.runtime.jobs", "bot.runtime.background"),
    "webhooks": ("admin", "bot.engine"),
    "admin": ("webhooks", "bot.engine"),
}
#: The wiring on top of runtime; the rest of runtime sits below core and never imports it.
RUNTIME_WIRING = {"container.py", "jobs.py", "background.py"}
#: Only the store (and the migrations) speak SQL.
SQL_PACKAGES = ("sqlmodel", "sqlalchemy")
SESSION_METHODS = {"get", "exec", "execute", "add", "add_all", "delete", "query", "flush", "scalar"}
#: Calls that build a database engine, a Redis connection or a Twilio sender.
BUILDERS = {"create_engine", "make_engine", "from_url", "TwilioSender", "Redis"}


def _sources(*rooms: str) -> Iterator[Path]:
    for room in rooms:
        path = ROOT / room
        yield from [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def _room_of(path: Path) -> str:
    return path.relative_to(ROOT).parent.as_posix()


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_a_pure_room_imports_only_what_it_may(room: str) -> None:
    wrong = [
        f"{_where(path, line)} imports {module}"
        for path in _sources(room)
        for line, module in _imports(path)
        if module.split(".")[0] not in STDLIB and not _within(module, ALLOWED[room])
    ]
    assert not wrong, f"{room} may import only {ALLOWED[room]} and the standard library"


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_no_room_imports_what_it_must_not(room: str) -> None:
    wrong = [
        f"{_where(path, line)} imports {module}"
        for path in _sources(room)
        for line, module in _imports(path)
        if _within(module, FORBIDDEN[room])
    ]
    assert not wrong, f"{room} must not import {FORBIDDEN[room]}"


def test_runtime_below_the_wiring_never_imports_core() -> None:
    wrong = [
        f"{_where(path, line)} imports {module}"
        for path in _sources("bot/runtime")
        if path.name not in RUNTIME_WIRING
        for line, module in _imports(path)
        if _within(module, ("bot.core",))
    ]
    assert not wrong


def _is_session_query(node: ast.AST) -> bool:
    """`session.get(Model, id)`, `session.exec(...)`…, but not Flask's `session.get("key")`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    if node.func.attr not in SESSION_METHODS:
        return False
    if not ast.unparse(node.func.value).endswith("session"):
        return False
    first = node.args[0] if node.args else None
    return not (isinstance(first, ast.Constant) and isinstance(first.value, str))


def test_only_the_store_speaks_sql() -> None:
    wrong = []
    for path in _sources("bot", "webhooks", "admin", "wsgi.py"):
        if _room_of(path).startswith("bot/store"):
            continue
        wrong += [
            f"{_where(path, line)} imports {module}"
            for line, module in _imports(path)
            if _within(module, SQL_PACKAGES)
        ]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _is_session_query(node):
                wrong.append(f"{_where(path, node.lineno)} calls {ast.unparse(node.func)}")
    assert not wrong, "queries belong in bot/store"


def test_only_the_container_builds_engines_redis_and_senders() -> None:
    wrong = []
    for path in _sources("bot", "webhooks", "admin", "wsgi.py"):
        if path.relative_to(ROOT).as_posix() in {"bot/runtime/container.py", "bot/store/db.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func).split(".")[-1]
                if name in BUILDERS:
                    wrong.append(f"{_where(path, node.lineno)} calls {ast.unparse(node.func)}")
    assert not wrong, "build adapters in bot/runtime/container.py and pass them in"


def test_the_rules_catch_a_breach(tmp_path: Path) -> None:
    """The walk itself works: an engine module importing the store would be reported."""
    module = tmp_path / "breach.py"
    module.write_text(
        "from bot.store.models import Participant\nimport sqlmodel\n"
        "session.get(Participant, 1)\nsession.get('user_id')\n"
    )
    found = [name for _, name in _imports(module)]
    assert "bot.store.models" in found
    assert not _within("bot.store.models", ALLOWED["bot/engine"])
    assert _within("sqlmodel", SQL_PACKAGES)
    calls = [node for node in ast.walk(ast.parse(module.read_text())) if _is_session_query(node)]
    assert [call.lineno for call in calls] == [3]
