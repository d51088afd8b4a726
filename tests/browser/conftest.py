"""Browser fixtures: the real app on a live local server, a fake Twilio, Debian's Chromium, axe.

One server and one browser per test session (per xdist worker), seeded once through the real
conversation service; each test gets fresh browser contexts, so tests share data but not cookies.
Signing in goes through the real form (password, then the code from the role's known TOTP
secret) once per role; later contexts reuse that session cookie, which keeps sign-in
throttling switched on.

axe is injected with `page.evaluate(source)`: the admin's CSP (`script-src 'self'`) rightly
blocks `page.add_script_tag`, which adds an inline script, and a context with `bypass_csp=True`
would also hide the CSP violations these tests look for. Evaluating through the DevTools
protocol runs axe without loosening the page's policy.
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    sync_playwright,
)
from werkzeug.serving import WSGIRequestHandler, make_server

from bot.channels.fake_twilio import FakeTwilio
from bot.core import two_factor
from bot.core.accounts import create_user
from bot.runtime.clock import utc_now
from bot.runtime.config import PROJECT_ROOT
from bot.runtime.container import Container
from bot.store.participants import get_current_participant
from tests.admin.conftest import TO_HOPES, talk
from tests.conftest import TEST_AUTH_TOKEN, make_container, need_service
from wsgi import create_app

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
AXE = PROJECT_ROOT / "tests" / "vendor" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"
#: axe impacts that fail a page; every violation, whatever its impact, goes in the JSON report.
FAILING_IMPACTS = ("serious", "critical")
#: Milliseconds Playwright waits for an element or a navigation before failing.
TIMEOUT_MS = 5_000

PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "officer": ("officer@council.example", None),
    "partner": ("partner@library.example", "LIB1"),
    "admin": ("admin@council.example", None),
}
#: Each account's TOTP secret: `sign_in` types the code an authenticator app would show.
SECRETS = {role: pyotp.random_base32() for role in ACCOUNTS}
#: The last time step whose code each role used: a code is refused a second time.
_used_steps: dict[str, int] = {}
FROM_NUMBER = "+447700900000"
#: Residents, all in Ofcom's drama range; the simulator uses 07700 900500 and up.
ENGLISH = "+447700900123"
ASKER = "+447700900124"
LIBRARY = "+447700900125"
WELSH = "+447700900126"
HOPE = "Warm homes for everyone on our street"
FEAR = "Being watched by the council"
QUESTION = "when will you decide?"
WELSH_QUESTION = "Pryd fydd y cyngor yn penderfynu?"

#: Reports every CSP violation on the console, where the page watcher sees it. An init script
#: runs through the DevTools protocol, so the policy it watches does not block it.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


class QuietHandler(WSGIRequestHandler):
    """The live server's request handler, without a log line per request (pages are checked)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class Live:
    """The running app: its address, its services and the fake Twilio it sends through."""

    url: str
    services: Container
    fake: FakeTwilio
    participants: dict[str, int]


def seed_residents(services: Container) -> dict[str, int]:
    """Residents texting the real bot in English and Welsh, through LIB1, and two asking."""
    talk(services, ENGLISH, "hi", *TO_HOPES[1:], HOPE, FEAR, "More help", "no", "1")
    talk(services, ASKER, "hi", "2", "next", f"ASK {QUESTION}")
    talk(services, LIBRARY, "LIB1", *TO_HOPES[1:], "Cheaper bills", "Data leaks", "No", "no", "2")
    welsh = ("hi", "1", *TO_HOPES[2:], "Cartrefi cynnes", "Cael fy ngwylio", "Dim", "na", "1")
    talk(services, WELSH, *welsh, f"GOFYN {WELSH_QUESTION}")
    with services.db.session() as session:
        found = {
            number: get_current_participant(session, services.vault.number_hashes(number), "sms")
            for number in (ENGLISH, ASKER, LIBRARY, WELSH)
        }
        return {number: participant.id for number, participant in found.items() if participant}


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Live]:
    """The real app, served by werkzeug on a free local port in a thread; texts go to a fake."""
    path = tmp_path_factory.mktemp("browser") / "sgwrs.db"
    shutil.copy(sqlite_template, path)
    fake = FakeTwilio(TEST_AUTH_TOKEN)
    fake.start()
    apps: dict[str, Any] = {}
    # Bound first, so the app's PUBLIC_URL (where Twilio's status callbacks go) is this server.
    server = make_server(
        "127.0.0.1",
        0,
        lambda environ, reply: apps["app"](environ, reply),
        threaded=True,
        request_handler=QuietHandler,
    )
    url = f"http://127.0.0.1:{server.server_port}"
    services = make_container(
        f"sqlite:///{path}",
        TWILIO_API_URL=fake.base_url,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_FROM_SMS=FROM_NUMBER,
        PUBLIC_URL=url,
    )
    with services.db.session() as session:
        for role, (email, partner) in ACCOUNTS.items():
            name = f"{role.title()} Tester"
            user = create_user(
                session, email=email, name=name, role=role, password=PASSWORD, partner_code=partner
            )
            assert user.id is not None
            two_factor.enrol(session, services.vault, user.id, SECRETS[role], utc_now())
    participants = seed_residents(services)
    apps["app"] = create_app(services=services)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield Live(url, services, fake, participants)
    server.shutdown()
    thread.join(timeout=5)
    fake.stop()
    services.db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        need_service("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE.exists():
        need_service("axe-core", f"{AXE} is missing (run: python3 scripts/dev.py setup)")
    playwright = sync_playwright().start()
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield launched
    launched.close()
    playwright.stop()


@dataclass
class Watch:
    """Console errors, uncaught exceptions and CSP violations one page logged, by page checked."""

    problems: list[str] = field(default_factory=list)
    #: (page name, problem) for every problem seen up to each check_page.
    by_page: list[tuple[str, str]] = field(default_factory=list)
    #: Documents that are meant to fail (a 401 or 403 page): Chromium logs those as errors too.
    expected_failures: set[str] = field(default_factory=set)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and where in self.expected_failures:
            return
        self.problems.append(f"{message.text} [{where}]")

    def settle(self, name: str) -> None:
        """File what was logged so far under `name`, the page just checked."""
        self.by_page += [(name, problem) for problem in self.problems]
        self.problems = []


_watches: dict[int, Watch] = {}


def expect_failure(page: Page, url: str) -> None:
    """Let the document at `url` answer with an error status without failing the console check."""
    _watches[id(page)].expected_failures.add(url)


RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""


def check_page(page: Page, name: str) -> None:
    """Save a screenshot, run axe (no serious or critical violations), note console errors.

    Console errors and CSP violations fail the test at its end (see `open_page`), listed by
    page, so one broken asset does not hide the axe results of the pages after it.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    # Headless Chromium fetches a font only when it paints text in it: after the screenshot,
    # wait for those fetches, so a missing font is reported on the page that needs it.
    page.evaluate("() => document.fonts.ready")
    page.evaluate(axe_source())
    results = page.evaluate(RUN_AXE)
    AXE_RESULTS[name] = results
    _watches[id(page)].settle(name)
    failing = [v for v in results if v["impact"] in FAILING_IMPACTS]
    report = "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']}\n    on {', '.join(v['targets'][:5])}"
        for v in failing
    )
    assert not failing, f"axe on {name} ({page.url}):\n{report}"


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


#: Every page's axe violations (any impact) by screenshot name, written next to the screenshots
#: at the end of the run as axe-results-<xdist worker>.json.
AXE_RESULTS: dict[str, list[dict[str, Any]]] = {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    if AXE_RESULTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
        target = SCREENSHOTS / f"axe-results-{worker}.json"
        target.write_text(json.dumps(AXE_RESULTS, indent=2, sort_keys=True), encoding="utf-8")


def console_report(watches: list[tuple[Watch, str]]) -> str:
    """Each problem once, with the pages it was seen on (`watches`: with each page's last URL)."""
    pages: dict[str, list[str]] = {}
    for watched, last_url in watches:
        watched.settle(f"after the last check, on {last_url}")
        for name, problem in watched.by_page:
            pages.setdefault(problem, []).append(name)
    return "\n".join(f"  {problem}\n    on: {', '.join(names)}" for problem, names in pages.items())


@pytest.fixture(scope="session")
def sessions() -> dict[str, Any]:
    """Each role's signed-in cookies, from signing in through the real form once (lazily)."""
    return {}


@pytest.fixture
def open_page(
    browser: Browser, live: Live, sessions: dict[str, Any]
) -> Iterator[Callable[[str | None], Page]]:
    """`open_page(role)`: a page in a fresh context, signed in as `role` (None: anonymous)."""
    contexts: list[tuple[BrowserContext, Page]] = []

    def new_page(state: dict[str, Any] | None) -> Page:
        context = browser.new_context(
            base_url=live.url, storage_state=state, viewport={"width": 1024, "height": 768}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_REPORTER)
        page = context.new_page()
        watched = Watch()
        _watches[id(page)] = watched
        page.on("console", watched.on_console)
        page.on("pageerror", lambda error: watched.problems.append(f"uncaught: {error}"))
        contexts.append((context, page))
        return page

    def opened(role: str | None) -> Page:
        if role is not None and role not in sessions:
            page = new_page(None)
            sign_in(page, role)
            page.wait_for_url("**/admin/overview")
            sessions[role] = page.context.storage_state()
            page.context.close()
        return new_page(sessions[role] if role else None)

    yield opened
    watches = [(_watches.pop(id(page)), page.url) for _context, page in contexts]
    for context, _page in contexts:
        context.close()
    report = console_report(watches)
    if report:
        pytest.fail(f"the browser logged errors:\n{report}", pytrace=False)


def sign_in(page: Page, role: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form as `role`, then the code when it is asked for."""
    if "/admin/sign-in" not in page.url:
        page.goto("/admin/sign-in")
    page.get_by_label("Email address").fill(ACCOUNTS[role][0])
    page.get_by_label("Password").fill(password)
    follow(page.get_by_role("button", name="Sign in"))
    if "/admin/two-factor" in page.url:
        page.get_by_label("Code").fill(unused_code(role))
        follow(page.get_by_role("button", name="Continue"))


def unused_code(role: str) -> str:
    """The role's code for the earliest step the app still takes (now, or one ahead when now's
    is spent), waiting for the next step only when both are used."""
    totp = pyotp.TOTP(SECRETS[role])
    while True:
        current = totp.timecode(utc_now())
        for step in (current, current + 1):
            if step > _used_steps.get(role, -1):
                _used_steps[role] = step
                return totp.generate_otp(step)
        time.sleep(1)


def follow(target: Locator) -> None:
    """Click a link or button that loads a page, and wait until that page has loaded.

    Reading the new page before its stylesheets arrive would make Chromium lay it out early,
    which no visitor's browser does, and fetch fonts the finished page never uses.
    """
    with target.page.expect_event("load"):
        target.click()
