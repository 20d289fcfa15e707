"""Browser tests: the real app served on a free port (once per module), Debian's chromium driven by
playwright (one browser per test session), and axe-core run on every page in every state the tests
reach. Screenshots of each journey's pages are kept under var/screenshots."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from licensing.bootstrap import Crosscheck
from licensing.config import Settings
from tests.conftest import REPO
from tests.integration.pages.register import cheap_password_hashing, load_register

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists() or not AXE.exists():
        pytest.fail("The browser tests need /usr/bin/chromium and node_modules/axe-core: run `make test`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory, sqlite_template, postcode_directory):
    """The app on SQLite with the small register, served by werkzeug in a thread."""
    from api.app import create_app

    home = tmp_path_factory.mktemp("served")
    shutil.copy(sqlite_template, home / "crosscheck.db")
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{home / 'crosscheck.db'}",
                                  "CROSSCHECK_VAR_DIR": str(home / "var"),
                                  "CROSSCHECK_REFERENCE_DIR": str(REPO / "var" / "reference")})
    crosscheck = Crosscheck(settings, postcodes=postcode_directory)
    with cheap_password_hashing():
        register = load_register(crosscheck)
        server = make_server("127.0.0.1", 0, create_app(crosscheck), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield Served(f"http://127.0.0.1:{server.server_port}", crosscheck, register)
        server.shutdown()
        thread.join()
    crosscheck.engine.dispose()


class Served:
    def __init__(self, url: str, crosscheck: Crosscheck, register: dict):
        self.url, self.crosscheck, self.register = url, crosscheck, register


class Journey:
    """One journey through the pages in a fresh browser context: every page it reaches is checked
    with axe-core (WCAG 2.2 AA), checked for Content-Security-Policy violations, and photographed."""

    def __init__(self, context, base_url: str, name: str):
        self.context, self.base_url, self.name = context, base_url, name
        self.page = context.new_page()
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)
        self.shots = 0

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    def go(self, path: str, state: str):
        self.page.goto(self.base_url + path)
        return self.check(state)

    def check(self, state: str):
        """axe-core on the page as it is now; a screenshot named for the journey and the state."""
        page = self.page
        page.wait_for_load_state("load")
        # Evaluated over the DevTools protocol, which the page's CSP does not govern (a <script>
        # tag would be refused, as it should be).
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text())
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
            WCAG_22_AA)
        assert violations == [], f"{self.name} / {state}: {violations}"
        assert self.csp_violations == [], f"{self.name} / {state}: {self.csp_violations}"
        self.shots += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{self.name}-{self.shots:02d}-{state}.png", full_page=True)
        return page

    def sign_in(self, email: str, password: str):
        self.go("/sign-in", "sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("button:has-text('Sign in')")
        return self.page


@pytest.fixture
def journey(browser, served, request):
    """journey(name, phone=False) -> a Journey in its own browser context (its own cookies); `phone`
    is a 360-pixel-wide screen."""
    contexts = []

    def start(name: str, *, phone: bool = False) -> Journey:
        viewport = {"width": 360, "height": 740} if phone else {"width": 1024, "height": 800}
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Journey(context, served.url, name)

    yield start
    for context in contexts:
        context.close()
