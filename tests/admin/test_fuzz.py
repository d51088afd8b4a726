"""No value an officer or admin can send makes the admin answer 500, or reaches a log.

Every admin GET route comes from the URL map (with real ids) and is opened as the role; each
page's forms and links say which fields and query parameters exist, and a short scan of the
view modules adds the query parameters a page only reads (`?page=`, filters). Then each field
and parameter gets a sample of awkward values, alone, with every other field of its form as the
page gave it (all hidden inputs included: the CSRF token and any one-time token ride along as a
browser would send them): a fixed list of nasties (unicode digits, huge and negative numbers,
far years, NUL, CR/LF, lone surrogates as raw bytes, 10 KB, SQL and HTML) and values hypothesis
generates. Values go on the wire as UTF-8 with surrogates passed through, so the server sees
the invalid bytes a hostile client could send.

Every answer must be below 500, a 4xx must say what is wrong, and no value of four characters
or more may appear in any log record, tracebacks included. It runs as an officer and as an
admin, on SQLite and PostgreSQL, and counts what it sent.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from tests.admin.conftest import csrf_token, post_form
from tests.admin.pages import Form, read_page
from tests.admin.test_access import PUBLIC, seeded_ids  # noqa: F401  (seeded_ids: a fixture)

VIEWS = Path(__file__).resolve().parents[2] / "admin" / "views"
#: Values sent per database, over both roles: the issue's figure.
AT_LEAST = 5_000
#: Requests of generated values per form or query string, after those of the fixed ones.
GENERATED_PER_TARGET = 24
POOL_SIZE = 300
#: Hidden tokens are fuzzed alone, with this many values: with a bad token nothing else is read.
TOKENS = {"csrf_token", "once"}
TOKEN_VALUES = 4
#: Forms the fuzz leaves alone, and why.
SKIPPED_ACTIONS = {"/admin/sign-out": "it only ends the session the fuzz runs in"}

FIXED = [
    # Digits that are digits only to str.isdigit, and numbers no column holds.
    "²",
    "٣",
    "９",
    "١٢",
    "²³⁴⁵",
    "10" + "0" * 29,
    str(10**30),
    "-1",
    "-99999999999",
    "9" * 19,
    "9" * 4301,
    "1e309",
    "0x1F",
    "1_000",
    " 7 ",
    "NaN",
    "Infinity",
    # Far years, for any field that is part of a date.
    "9999",
    "10000",
    "0",
    "0000",
    "1899",
    "99999",
    # Characters databases, headers and logs choke on.
    "\x00",
    "a\x00b\x00c",
    "%00",
    "abc%00def",
    "\r\n",
    "line one\r\nSet-Cookie: fuzz=1",
    "/admin/\r\nLocation: //evil.example",
    "\ud800",
    "lone \udfff surrogate",
    "\ufeff\u200b\u202eevil",
    "😀" * 50,
    "x" * 10_240,
    "ŵŷ" * 5_120,
    # Metacharacters.
    "' OR '1'='1' --",
    '"; DROP TABLE participants; --',
    "<script>alert('fuzz')</script>",
    "{{ 7*7 }}{% raw %}",
    "%s%s%n%x",
    "../../etc/passwd",
    "=cmd|' /C calc'!A0",
    "//evil.example/admin/",
]


def _generated(count: int) -> list[str]:
    """`count` values hypothesis generates: any text (surrogates too), digits of any script,
    long runs, and numbers as text."""
    found: list[str] = []
    strategy = st.one_of(
        st.text(max_size=30),
        st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=12),
        st.builds(
            lambda run, times: run * times, st.text(min_size=1, max_size=4), st.integers(1, 3000)
        ),
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.dates().map(lambda day: f"{day.day} {day.month} {day.year}"),
    )

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,  # the same values every run: a failure here can be run again
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: str) -> None:
        found.append(value)

    collect()
    return found


@dataclass(frozen=True)
class Target:
    """One form or one page's query string: its fields, what each holds when no one types,
    and which of them the fuzz fills in."""

    method: str
    path: str
    endpoint: str
    defaults: tuple[tuple[str, str], ...]
    names: tuple[str, ...]


def _module_query_names() -> dict[str, set[str]]:
    """Query parameters each view module reads (by blueprint name), from its source."""
    reads = re.compile(
        r'args\.get(?:list)?\("([\w-]+)"|page_number\(request\.args(?:, "([\w-]+)")?\)'
    )
    return {
        path.stem: {a or b or "page" for a, b in reads.findall(path.read_text(encoding="utf-8"))}
        for path in VIEWS.glob("*.py")
    }


def _get_routes(app: Flask, role: str, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(endpoint, path) of every admin GET route this role may open, with real ids."""
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        if not rule.rule.startswith("/admin") or rule.endpoint == "admin.static":
            continue
        if "GET" not in (rule.methods or ()) or (allowed is None and rule.endpoint not in PUBLIC):
            continue
        if allowed is not None and role not in allowed:
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
        routes.append((rule.endpoint, path))
    return routes


def discover(app: Flask, client: FlaskClient, role: str, ids: dict[str, int]) -> list[Target]:
    """The query string of every GET route the role may open, and every form on those pages
    (one per route: a form repeated for each row reads its fields the same whatever the id)."""
    module_names = _module_query_names()
    routes = {path: endpoint for endpoint, path in _get_routes(app, role, ids)}
    queries: dict[str, set[str]] = {
        path: set(module_names.get(endpoint.split(".")[1], ())) for path, endpoint in routes.items()
    }
    forms: dict[str, Form] = {}
    for path in routes:
        response = client.get(path)
        assert response.status_code < 400, f"{role} GET {path}: {response.status}"
        if response.mimetype != "text/html":
            continue
        page = read_page(response.get_data(as_text=True))
        for form in page.forms:
            action = form.action or path
            if form.method == "get":
                queries.setdefault(urlsplit(action).path, set()).update(form.names)
            elif urlsplit(action).path not in SKIPPED_ACTIONS:
                forms.setdefault(action, form)
        for link in page.links:
            target = urlsplit(link)
            if target.query and target.path in queries:
                queries[target.path].update(name for name, _ in parse_qsl(target.query))
    targets = [
        Target("GET", path, routes[path], (), tuple(sorted(names)))
        for path, names in sorted(queries.items())
        if path in routes and names
    ]
    adapter, seen = app.url_map.bind("localhost"), set()
    for action, form in sorted(forms.items()):
        endpoint, _arguments = adapter.match(urlsplit(action).path, method="POST")
        if endpoint not in seen:
            seen.add(endpoint)
            names = tuple(dict.fromkeys(form.names + [name for name, _ in form.fields]))
            targets.append(Target("POST", action, endpoint, tuple(form.fields), names))
    return targets


def requests_for(
    target: Target, pool: list[str], rng: random.Random, *, fixed: bool = True
) -> Iterator[dict[str, str]]:
    """The fuzzed fields of each request to send: first every fixed nasty in every field, a
    different one in each field at a time (so every field meets every nasty, next to others),
    then generated values; the tokens each get a few alone, or nothing past them would run.
    Without `fixed`, only the generated values."""
    fields = [name for name in target.names if name not in TOKENS]
    if fields and fixed:
        offsets = {name: rng.randrange(len(FIXED)) for name in fields}
        for step in range(len(FIXED)):
            yield {name: FIXED[(step + offsets[name]) % len(FIXED)] for name in fields}
    if fields:
        for _ in range(GENERATED_PER_TARGET):
            yield {name: rng.choice(pool) for name in fields}
    for name in target.names:
        if name in TOKENS and fixed:
            for value in rng.sample(FIXED, TOKEN_VALUES):
                yield {name: value}


def _encode(pairs: Iterable[tuple[str, str]]) -> str:
    """As a hostile browser would: UTF-8, lone surrogates passed through as their bytes."""
    return urlencode([(key, value.encode("utf-8", "surrogatepass")) for key, value in pairs])


def send(client: FlaskClient, target: Target, fuzzed: dict[str, str]) -> TestResponse:
    pairs = [(key, value) for key, value in target.defaults if key not in fuzzed]
    pairs += list(fuzzed.items())
    if target.method == "GET":
        return client.get(target.path, query_string=_encode(pairs))
    return client.post(
        target.path, data=_encode(pairs), content_type="application/x-www-form-urlencoded"
    )


CLEAR = re.compile(r"govuk-error-summary|govuk-error-message|<h1[^>]*>\s*[^<\s]")


def says_what_is_wrong(response: TestResponse) -> bool:
    text = response.get_data(as_text=True)
    if response.mimetype == "text/html":
        return bool(CLEAR.search(text))
    return bool(text.strip())


def logged_text(record: logging.LogRecord) -> str:
    """All a log line would show: the message, and any traceback or stack."""
    formatter = logging.Formatter()
    parts = [record.getMessage()]
    if record.exc_info:
        parts.append(formatter.formatException(record.exc_info))
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


def telling(value: str) -> bool:
    """Whether finding `value` in a log would show it came from the request: four characters
    or more, and not a short run of hex digits, which message ids and counts hold by chance."""
    short_hex = len(value) < 12 and re.fullmatch(r"[0-9a-fA-F]+", value) is not None
    return len(value.strip()) >= 4 and not short_hex


def problem_with(response: TestResponse) -> str | None:
    status = response.status_code
    if status >= 500:
        return str(status)
    if status >= 400 and not says_what_is_wrong(response):
        return f"{status} with no message"
    if status == 302 and urlsplit(response.location).path == "/admin/sign-in":
        return "signed out"
    return None


@pytest.fixture
def sqlite_url(database_url: str) -> str:
    """The admin fixtures' database, made each kind in turn: this test runs on both."""
    return database_url


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return _generated(POOL_SIZE)


def test_no_value_in_any_field_answers_500_or_reaches_a_log(
    admin_app: Flask,
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],  # noqa: F811
    pool: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rng = random.Random(11)
    sent, problems, typed = 0, [], set()
    # Both sign in first: the fuzzed sign-in form soon meets its rate limit.
    clients = {role: sign_in(role) for role in ("officer", "admin")}
    reached: dict[str, set[str]] = {}
    requests, started, cpu = 0, time.monotonic(), time.process_time()
    for role, client in clients.items():
        targets = discover(admin_app, client, role, seeded_ids)
        reached[role] = {where for target in targets for where in (target.endpoint, target.path)}
        for target in targets:
            # The admin meets the fixed nasties on the pages only admins have; on the others
            # the officer already did, and reading a field does not depend on the role.
            fixed = role == "officer" or target.endpoint not in reached["officer"]
            for fuzzed in requests_for(target, pool, rng, fixed=fixed):
                response = send(client, target, fuzzed)
                requests += 1
                sent += len(fuzzed)
                typed.update(value for value in fuzzed.values() if telling(value))
                if problem := problem_with(response):
                    shown = {name: value[:30] for name, value in fuzzed.items()}
                    problems.append(f"{role} {target.method} {target.path} {shown}: {problem}")
    leaks = [
        f"{record.name}: {text[:300]!r}"
        for record in caplog.records
        for text in [logged_text(record)]
        if any(value in text for value in typed)
    ]
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"fuzz: {sent} values in {requests} requests, {elapsed:.0f} s ({cpu:.0f} s of CPU)")
    assert problems == [], f"{len(problems)} bad answers, e.g.\n" + "\n".join(problems[:20])
    assert leaks == [], "typed values reached the log:\n" + "\n".join(leaks[:10])
    assert sent >= AT_LEAST, f"only {sent} values sent"
    # Every page and form the roles have was reached: the admin's pages take more than the
    # officer's, and the pages that read a query string or post a form are all among them.
    assert {"admin.users.index", "/admin/audit", "admin.rights.erase"} <= reached["admin"]
    assert {"/admin/conversations", "admin.answers.tag", "/admin/export"} <= reached["officer"]


# --- the findings, one by one --------------------------------------------------------


@pytest.mark.parametrize("page", ["²", "٣", "９", str(10**30), "9" * 4301, "-1"])
def test_a_page_number_that_is_no_number_shows_the_first_page(
    sign_in: Callable[[str], FlaskClient], page: str
) -> None:
    officer = sign_in("officer")
    for path in ("/admin/conversations", "/admin/answers", "/admin/questions"):
        assert officer.get(path, query_string={"page": page}).status_code == 200, path


def test_a_huge_theme_id_is_ignored(sign_in: Callable[[str], FlaskClient]) -> None:
    officer = sign_in("officer")
    assert officer.get("/admin/answers", query_string={"theme": str(10**30)}).status_code == 200


@pytest.mark.parametrize("year", ["9999", "1899", "0000"])
def test_a_year_out_of_range_is_refused_with_a_message(
    sign_in: Callable[[str], FlaskClient], year: str
) -> None:
    officer = sign_in("officer")
    response = officer.get(
        "/admin/conversations", query_string={"to-day": "31", "to-month": "12", "to-year": year}
    )
    assert response.status_code == 400
    assert "The end date must be in a year from 1900 to 2100" in response.get_data(as_text=True)


def test_a_nul_character_is_refused_before_any_query(
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],  # noqa: F811
) -> None:
    """On PostgreSQL (this runs on both) a NUL reaching a query fails it; it never gets there."""
    officer = sign_in("officer")
    searched = officer.get("/admin/conversations", query_string={"flow": "energy\x00"})
    path = f"/admin/conversations/{seeded_ids['participant_id']}/reveal"
    token = csrf_token(officer, f"/admin/conversations/{seeded_ids['participant_id']}")
    revealed = officer.post(path, data={"csrf_token": token, "reason": "asked\x00"})
    for response in (searched, revealed):
        assert response.status_code == 400
        assert "a null character" in response.get_data(as_text=True)


def test_an_unexpected_failure_is_a_page_and_a_log_line_without_the_values(
    admin_app: Flask,
    sign_in: Callable[[str], FlaskClient],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever a view trips over, the log gets its endpoint and the error's type, never the
    message or traceback, which would quote what was typed."""
    from admin.views import conversations

    def broken(values: object, library: object) -> None:
        raise ValueError("invalid literal for int(): 'Mrs Evans, 07700 900123'")

    monkeypatch.setattr(conversations, "parse_filters", broken)
    caplog.set_level(logging.DEBUG)
    response = sign_in("officer").get("/admin/conversations", query_string={"flow": "Mrs Evans"})
    assert response.status_code == 500
    assert "there is a problem with the service" in response.get_data(as_text=True)
    logged = "\n".join(logged_text(record) for record in caplog.records)
    assert "admin_error endpoint=admin.conversations.index error=ValueError" in logged
    assert "Mrs Evans" not in logged


def test_renaming_a_theme_to_a_name_with_a_capital_beyond_ascii_that_exists_is_refused(
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],  # noqa: F811
) -> None:
    """SQLite's lower() leaves 'Í' alone: the name taken must still be 'already a theme'."""
    officer = sign_in("officer")
    assert post_form(officer, "/admin/themes", {"name": "ÍR ŴYTHNOS"}).status_code == 302
    path = f"/admin/themes/{seeded_ids['theme_id']}/rename"
    again = post_form(officer, path, {"name": "ÍR ŴYTHNOS"}, token_from="/admin/themes")
    assert again.status_code == 400
    assert "There is already a theme called “ÍR ŴYTHNOS”." in again.get_data(as_text=True)
