"""The dashboard in a real browser: Debian's chromium driven by Playwright (no browser download).

A server (``voice serve``'s app, werkzeug in a thread) over a seeded store: a login, the KPI tiles'
numbers, charts whose canvases hold drawn pixels, filters that change the numbers, a review action
that changes a copy of the skill, and an anonymous request that is refused. Screenshots go to the
test's temporary folder. Skipped when chromium or Playwright is missing (scripts/bootstrap --with-node
installs both).
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from voice import Dialog, Router, Turn, load_skill
from voice.assistant import build_assistant
from voice.config import Config
from voice.dashboard import Accounts, DashboardSettings
from voice.dialog.knowledge import knowledge_answerer
from voice.knowledge.reviewed import read_reviewed
from voice.server import create_app
from voice.store import open_store

from .dashboard_client import PASSWORD, USER
from .seed import DAY, NOW_TURN, Said, conversation, missed, seed

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
SKILL = Path(__file__).resolve().parents[3] / "skills" / "customer_service"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard at http://127.0.0.1:PORT over a seeded store, with a copy of the shipped skill."""
    folder = tmp_path_factory.mktemp("browser")
    skill = folder / "browser_skill"
    shutil.copytree(SKILL, skill, ignore=shutil.ignore_patterns("__pycache__"))
    url = f"sqlite://{folder / 'sessions.db'}"
    with open_store(url) as store:
        seed(store, skill="customer_service")
    assistant = build_assistant(Config(store=url, skills=(str(skill),), dashboard={"secure_cookies": False}))
    Accounts(assistant.store, DashboardSettings()).add(USER, PASSWORD)
    http = make_server(
        "127.0.0.1", 0, create_app({"alexa_verify": False}, assistant=assistant), threaded=True
    )
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", skill
    http.shutdown()
    assistant.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium with a fresh profile folder (a browser context: ``new_page`` opens a tab)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=FLAGS, viewport={"width": 1280, "height": 900}
        )
        yield context
        context.close()


def _drawn_pixels(page: Any, canvas: str) -> int:
    """Pixels of the canvas that are not transparent: the chart was drawn."""
    return int(
        page.evaluate(
            """(id) => { const c = document.getElementById(id);
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""",
            canvas,
        )
    )


def _tiles(page: Any) -> dict[str, str]:
    return {
        element.get_attribute("data-kpi"): element.inner_text()
        for element in page.query_selector_all("[data-kpi]")
    }


def _open(page: Any, url: str) -> None:
    """Open ``url``, logging in first when the browser's profile has no session yet."""
    page.goto(url)
    if "/dashboard/login" in page.url:
        page.fill("input[name=name]", USER)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(url)


def test_a_reviewer_logs_in_reads_the_kpis_filters_and_reviews(
    server: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    base, skill = server
    page = browser.new_page()
    anonymous = page.goto(f"{base}/dashboard/?from={DAY}&to={DAY}")
    assert anonymous is not None and "/dashboard/login" in page.url  # refused: sent to the login
    assert page.request.post(f"{base}/dashboard/review", form={"utterance": "x"}).status == 401
    page.fill("input[name=name]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-kpi=conversations]")
    tiles = _tiles(page)
    assert (tiles["conversations"], tiles["containment"], tiles["handoff"], tiles["fallback"]) == (
        "4",
        "50.0%",
        "25.0%",
        "40.0%",
    )
    page.wait_for_function("document.getElementById('trend').dataset.drawn === 'true'")
    assert _drawn_pixels(page, "trend") > 500 and _drawn_pixels(page, "intents") > 200
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

    page.select_option("select[name=channel]", "chat")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**channel=chat**")
    assert (_tiles(page)["conversations"], _tiles(page)["containment"]) == ("1", "100.0%")

    page.goto(f"{base}/dashboard/not-understood?from={DAY}&to={DAY}")
    row = page.locator("tr.group", has_text="waar is mijn pakket")
    assert row.locator("td.count").inner_text() == "2"
    row.locator("form.review-sentence select").select_option("OrderStatus")
    row.locator("form.review-sentence button").click()
    page.wait_for_selector("form.review-confirm")  # the preview: the sentence that would be written
    assert "waar is mijn pakket" in page.inner_text("p.preview")
    page.click("form.review-confirm button")
    page.wait_for_selector(".flash")
    assert "Done" in page.inner_text(".flash") and "Nothing left to review" in page.content()
    page.screenshot(path=str(tmp_path / "not-understood.png"), full_page=True)
    intents = (skill / "locales" / "nl" / "intents.yaml").read_text(encoding="utf-8")
    assert '          - "waar is mijn pakket"\n' in intents


NEW_ENTRIES = {
    "nl": ("mag mijn hond mee in de winkel", "Honden aan de lijn zijn welkom in al onze winkels."),
    "en": ("can i bring my dog into the shop", "Dogs on a lead are welcome in all our shops."),
}
"""Per language: a question the assistant could not answer, and the answer the team writes for it."""
QUESTIONS = {
    "nl": ("Mag mijn hond mee in de winkel?", None),
    "en": ("Can I bring my dog into the shop?", "Are dogs welcome in your shops?"),
}
"""Per language: the question the form offers for the entry, and the team's own instead (None: as offered)."""


def test_a_reviewer_makes_a_new_knowledge_entry_that_answers_the_question(
    server: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    """The team saw questions the assistant could not answer and had no way to add their answers."""
    base, skill = server
    day = DAY - dt.timedelta(days=3)  # a day of its own: the other test empties the seeded day's list
    with open_store(f"sqlite://{skill.parent / 'sessions.db'}") as store:
        at = (NOW_TURN - dt.timedelta(days=3)).timestamp()
        missed(store, *((language, question) for language, (question, _) in NEW_ENTRIES.items()), at=at)
    page = browser.new_page()
    _open(page, f"{base}/dashboard/not-understood?from={day}&to={day}")
    for language, (question, answer) in NEW_ENTRIES.items():
        form = page.locator("tr.group", has_text=question).locator("form.review-entry")
        assert form.locator("textarea").get_attribute("lang") == language
        offered, written = QUESTIONS[language]
        assert form.locator("input[name=question]").input_value() == offered
        if written:
            form.locator("input[name=question]").fill(written)
        form.locator("textarea").fill(answer)
        form.locator("button").click()
        page.wait_for_selector(".flash")
        assert "Done" in page.inner_text(".flash"), page.inner_text(".flash")
    assert "Nothing left to review" in page.content()
    page.screenshot(path=str(tmp_path / "new-entries.png"), full_page=True)

    for language, (offered, written) in QUESTIONS.items():  # callers hear it: "Bedoelt u: ...?"
        titles = [entry.title for entry in read_reviewed(skill / "knowledge" / language).entries]
        assert (written or offered) in titles, titles
    reloaded = load_skill(skill)  # as a reload of the server builds it
    knowledge = knowledge_answerer([reloaded])
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([reloaded]), store, answerers=[knowledge] if knowledge else [])
        for language, (question, answer) in NEW_ENTRIES.items():
            turn = Turn(text=question, locale=language, session_id=f"s-{language}", time=NOW_TURN)
            assert dialog.respond(turn).speech == answer
        dialog.close()


def test_a_reviewer_opens_a_phone_calls_transcript(server: tuple[str, Path], browser: Any) -> None:
    """Every Dialogflow transcript link gave a 404 (their session ids hold slashes), as raw JSON."""
    base, skill = server
    day = DAY - dt.timedelta(days=5)  # a day of its own
    session_id = "projects/meubel/agent/sessions/4dba4efc7f1e"
    with open_store(f"sqlite://{skill.parent / 'sessions.db'}") as store:
        at = (NOW_TURN - dt.timedelta(days=5)).timestamp()
        conversation(store, session_id, "dialogflow", "nl", at, (Said("is de bank oslo leverbaar"),))
    page = browser.new_page()
    _open(page, f"{base}/dashboard/conversations?from={day}&to={day}&channel=dialogflow")
    page.click("text=transcript")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == f"Conversation {session_id}"
    assert "is de bank oslo leverbaar" in page.inner_text("ol.transcript")
    for missing in ("conversations/projects%2Fmeubel%2Fagent%2Fsessions%2Fgone", "nowhere"):
        answer = page.goto(f"{base}/dashboard/{missing}")
        assert answer is not None and answer.status == 404
        assert page.inner_text("h1") == "404" and page.is_visible("text=Back to the overview")
