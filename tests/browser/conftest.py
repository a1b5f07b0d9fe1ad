"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, cache, viewport) and page per
test. Each test gets the same small newsroom, built with the factories; the live server needs
a transactional database, which is emptied after every test, so it is built anew each time.
"""

import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.utils import timezone
from playwright import sync_api

from articles.models import Article, Author, Category
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    ReadMoreLinkFactory,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
REPO_ROOT = Path(__file__).resolve().parents[2]
# Where the browser tests keep their screenshots: the editors' guide's own (docs/screenshots/)
# only when asked (`make screenshots`), so that a test run leaves the checkout as it was.
DOCS_SCREENSHOTS = REPO_ROOT / (
    "docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else "test-output/screenshots"
)

# Records Content-Security-Policy violations, which Chromium may not always log to the console.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="session")
def browser():
    # A missing browser is a failure, never a skip: `.ci/run` installs Debian's Chromium.
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop running in this thread, so Django would
        # refuse the ORM calls that build each test's data (SynchronousOnlyOperation).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()


@pytest.fixture(autouse=True)
def media_served(settings):
    """The live server serves uploaded images too, as the web server does in production."""
    settings.ROOT_URLCONF = "tests.browser.urls"


@pytest.fixture(autouse=True)
def site_address(settings, live_server):
    """Canonical and absolute URLs point at the live server, the site's address here."""
    settings.NEWSROOM_SITE_URL = live_server.url


@dataclass
class PageProblems:
    """What went wrong in the page as the browser saw it, for a test to assert on."""

    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)


@pytest.fixture
def problems():
    return PageProblems()


class InFlight:
    """Counts the live server's requests under way, so that a test ends only when they have.

    A request the browser was still making when the test ended (a script's poll, a stylesheet
    axe-core fetches) would otherwise hold the in-memory database while the next fixture empties
    it, and that test and the next would fail.
    """

    def __init__(self):
        self.count = 0
        self.idle = threading.Condition()

    def started(self, **kwargs):
        with self.idle:
            self.count += 1

    def finished(self, **kwargs):
        with self.idle:
            self.count = max(self.count - 1, 0)
            self.idle.notify_all()

    def wait(self, timeout=10):
        deadline = time.monotonic() + timeout
        with self.idle:
            while self.count and time.monotonic() < deadline:
                self.idle.wait(deadline - time.monotonic())


@pytest.fixture
def new_page(browser, live_server, problems):
    """``new_page(viewport=PHONE)``: a page in a fresh context, pointed at the live server."""
    contexts = []
    in_flight = InFlight()
    # Connected after Django's own receivers, so "finished" comes once the request let go
    # of its database connection.
    request_started.connect(in_flight.started, weak=False)
    request_finished.connect(in_flight.finished, weak=False)

    def make(viewport=DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris"
        )
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(CSP_LISTENER)

        def on_console(message):
            if message.type == "error":
                problems.console_errors.append(f"{page.url}: {message.text}")

        def on_dialog(dialog):
            problems.dialogs.append(f"{page.url}: {dialog.type} {dialog.message}")
            dialog.dismiss()

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.page_errors.append(f"{page.url}: {error}"))
        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()
    in_flight.wait()
    request_started.disconnect(in_flight.started)
    request_finished.disconnect(in_flight.finished)


@pytest.fixture
def page(new_page):
    return new_page()


@dataclass
class Newsroom:
    section: Category  # "Actualité"
    subsection: Category  # "International", in Actualité
    other_section: Category
    marie: Author
    jean: Author
    lead_story: Article  # in the sub-section, by Marie and Jean, with read-more links
    picked_story: Article  # the lead story's read-more pick, by Jean
    otan_stories: list[Article]  # what a search for "Otan" finds
    published: list[Article]
    draft: Article


def _story(title, category, authors, tags, colour, **kwargs):
    # Explicit text, so that only the stories meant to match a search do match.
    kwargs.setdefault("lead", "Les faits, le contexte et les réactions, heure par heure.")
    return ArticleFactory(
        title=title,
        category=category,
        authors=authors,
        tags=tags,
        featured_image=ImageFactory(file__color=colour, alt_text=f"Illustration : {title}"),
        **kwargs,
    )


@pytest.fixture
def newsroom(transactional_db):
    """Two main sections (one with a sub-section), two authors, nine stories and a draft."""
    section = CategoryFactory(name="Actualité", slug="actualite", menu_order=0)
    subsection = CategoryFactory(name="International", slug="international", parent=section)
    other_section = CategoryFactory(name="Culture", slug="culture", menu_order=1)
    marie = AuthorFactory(
        name="Marie Dupont", slug="marie-dupont", bio="Correspondante à Bruxelles."
    )
    jean = AuthorFactory(name="Jean Martin", slug="jean-martin", bio="Journaliste politique.")
    now = timezone.now()

    def hours_ago(hours):
        return now - timedelta(hours=hours)

    picked_story = _story(
        "Sommet de Vilnius : les alliés de l’Otan divisés sur l’Ukraine",
        subsection,
        [jean],
        ["Otan", "Ukraine"],
        "darkslateblue",
        lead="Les membres de l’Otan se sont quittés sans accord sur le calendrier d’adhésion.",
        body="<p>À Vilnius, l’Otan a longuement débattu.</p><h2>Un calendrier flou</h2><p>Fin.</p>",
        published_at=hours_ago(5),
    )
    lead_story = _story(
        "L’Otan renforce son flanc est face à la Russie",
        subsection,
        [marie, jean],
        ["Otan", "Défense"],
        "steelblue",
        kicker="Défense",
        lead="L’Otan annonce le déploiement de quatre nouveaux bataillons en Europe de l’Est.",
        body=(
            "<p>L’Otan a annoncé mardi un renforcement de sa présence.</p>"
            "<h2>Quatre bataillons</h2><p>Les troupes arriveront au printemps.</p>"
            "<blockquote><p>« Nous sommes prêts », dit le secrétaire général.</p></blockquote>"
        ),
        published_at=hours_ago(1),
        featured=True,
    )
    ReadMoreLinkFactory(article=lead_story, target_article=picked_story, position=0)
    ReadMoreLinkFactory(article=lead_story, external=True, position=1)
    others = [
        _story(
            "Le budget de la défense en hausse de 7 %",
            section,
            [marie],
            ["Défense"],
            "seagreen",
            published_at=hours_ago(2),
        ),
        _story(
            "Réforme des retraites : le Sénat adopte le texte",
            section,
            [jean],
            ["Politique"],
            "indianred",
            published_at=hours_ago(3),
        ),
        _story(
            "Élections européennes : la campagne est lancée",
            section,
            [marie],
            ["Europe", "Politique"],
            "goldenrod",
            published_at=hours_ago(4),
        ),
        _story(
            "Ukraine : Kiev demande davantage de défense aérienne",
            subsection,
            [marie],
            ["Ukraine", "Défense"],
            "slategray",
            published_at=hours_ago(6),
        ),
        _story(
            "Défense européenne : Paris et Berlin relancent le char du futur",
            section,
            [jean],
            ["Défense", "Europe"],
            "darkolivegreen",
            published_at=hours_ago(6.5),
        ),
        _story(
            "Le Festival de Cannes dévoile sa sélection",
            other_section,
            [jean],
            ["Cinéma"],
            "darkorange",
            published_at=hours_ago(7),
        ),
        _story(
            "Une rétrospective Matisse au Grand Palais",
            other_section,
            [marie],
            ["Expositions"],
            "mediumpurple",
            published_at=hours_ago(8),
        ),
    ]
    draft = _story(
        "Brouillon : l’Otan prépare un plan secret",
        section,
        [marie],
        ["Otan", "Défense"],
        "black",
        draft=True,
        lead="L’Otan ne doit jamais apparaître ici : ce texte est un brouillon.",
    )
    assert draft.status == Article.Status.DRAFT
    return Newsroom(
        section=section,
        subsection=subsection,
        other_section=other_section,
        marie=marie,
        jean=jean,
        lead_story=lead_story,
        picked_story=picked_story,
        otan_stories=[lead_story, picked_story],
        published=[lead_story, picked_story, *others],
        draft=draft,
    )


def load_all_images(page):
    """Scroll to the foot of the page step by step, so lazy images load, and wait for them.

    Asserts that every image shown loaded (one hidden by CSS is never fetched, by design).
    """
    broken = page.evaluate(
        """async () => {
          const root = document.documentElement;
          for (let y = 0; y < root.scrollHeight; y += window.innerHeight / 2) {
            window.scrollTo(0, y);
            await new Promise((resolve) => requestAnimationFrame(resolve));
          }
          window.scrollTo(0, root.scrollHeight);
          const loaded = (img) => img.complete || new Promise((resolve) => {
            img.addEventListener("load", resolve, { once: true });
            img.addEventListener("error", resolve, { once: true });
          });
          const shown = Array.from(document.images).filter((img) => img.getClientRects().length);
          const timeout = new Promise((resolve) => setTimeout(resolve, 5000));
          await Promise.race([Promise.all(shown.map(loaded)), timeout]);
          window.scrollTo(0, 0);
          return shown
            .filter((img) => !(img.complete && img.naturalWidth > 0))
            .map((img) => img.currentSrc || img.src);
        }"""
    )
    assert broken == [], f"images not loaded on {page.url}: {broken}"


# The reader pages that every page-wide check visits: name -> path in the test newsroom.
READER_PAGES = {
    "home": lambda newsroom: "/",
    "section": lambda newsroom: newsroom.section.get_absolute_url(),
    "article": lambda newsroom: newsroom.lead_story.get_absolute_url(),
    "author": lambda newsroom: newsroom.marie.get_absolute_url(),
    "search": lambda newsroom: "/recherche/?q=Otan",
    "404": lambda newsroom: "/cette-page-n-existe-pas/",
}
