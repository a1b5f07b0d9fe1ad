"""A reader follows a live story while an editor adds three entries and pins one: the new
entries appear without a reload (announced by a button, never pushed under the reader's eyes);
with JavaScript off, a reload shows them. And a bad night: corrections and withdrawals while
new entries wait, a failing fragment, a hidden tab, a 320-pixel phone."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import expect

from articles import views
from articles.models import Article, LiveEntry
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PHONE
from tests.browser.test_desk import _sign_in
from tests.factories import AuthorFactory, ImageFactory, UserFactory


@pytest.fixture
def live_story(newsroom, monkeypatch):
    monkeypatch.setattr(views, "LIVE_POLL_SECONDS", 1)  # 20 s for readers
    story = newsroom.lead_story
    story.live_status = Article.LiveStatus.LIVE
    story.save()
    LiveEntry.objects.create(
        article=story,
        author=newsroom.marie,
        published_at=timezone.now() - timedelta(minutes=30),
        title="Le sommet s’ouvre",
        body="<p>Les délégations arrivent à Bruxelles.</p>",
    )
    return story


def _editor():
    # Browser tests flush the database between tests, data migrations' groups included.
    editors, _ = Group.objects.get_or_create(name="Éditeurs")
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="articles"))
    user = UserFactory(username="editrice", is_staff=True, groups=["Éditeurs"])
    AuthorFactory(name="Claire Éditrice", slug="claire-editrice", user=user)
    return user


def _write_entry(page, story, text, *, screenshot=None):
    page.goto(f"/admin/articles/liveentry/add/?article={story.pk}")
    page.locator(".prose-editor > .ProseMirror").click()
    page.keyboard.type(text)
    if screenshot:
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS_SCREENSHOTS / screenshot)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("a été ajouté")


def _stream(page):
    return page.locator(".live__stream .live-entry__body")


def test_reader_sees_new_entries_without_reloading(new_page, live_story, problems):
    reader = new_page()
    reader.goto(live_story.get_absolute_url())
    expect(reader.locator("[data-live-badge]")).to_have_text("En direct")
    reader.evaluate("window.__sameDocument = true")
    expect(_stream(reader)).to_have_count(1)

    editor = new_page()
    _sign_in(editor, _editor())
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The entry's form: the story and the editor's byline chosen, the body's editor.
    _write_entry(
        editor,
        live_story,
        "Première déclaration du secrétaire général.",
        screenshot="live-entry-form-1280x900.png",
    )
    assert editor.evaluate("window.__cspViolations") == []

    button = reader.locator("[data-live-updates] button")
    expect(button).to_have_text("1 nouvelle entrée", timeout=15_000)
    expect(reader.locator("[data-live-updates]")).to_have_attribute("aria-live", "polite")
    expect(_stream(reader)).to_have_count(1)  # nothing moved until the reader asks
    reader.locator("#direct").scroll_into_view_if_needed()
    reader.screenshot(path=DOCS_SCREENSHOTS / "live-new-entries-1280x900.png")
    button.click()
    expect(_stream(reader).first).to_have_text("Première déclaration du secrétaire général.")
    expect(button).to_have_count(0)

    # Two more, and the first one pinned as a key point.
    _write_entry(editor, live_story, "Accord sur les bataillons de l’Est.")
    _write_entry(editor, live_story, "Conférence de presse à 16 heures.")
    pinned = live_story.live_entries.get(body__contains="Première déclaration")
    editor.goto(f"/admin/articles/liveentry/?article={live_story.pk}")
    row = editor.locator("#result_list tr", has_text="Première déclaration")
    row.locator("input[type=checkbox][name$='-pinned']").check()
    editor.locator("input[name=_save]").click()
    expect(editor.locator(".messagelist")).to_contain_text("modifié")
    pinned.refresh_from_db()
    assert pinned.pinned

    expect(button).to_have_text("2 nouvelles entrées", timeout=15_000)
    button.click()
    key_points = reader.locator(".live__key-points")
    expect(key_points).to_contain_text("Première déclaration du secrétaire général.")
    expect(_stream(reader)).to_have_text(
        [
            "Conférence de presse à 16 heures.",
            "Accord sur les bataillons de l’Est.",
            "Les délégations arrivent à Bruxelles.",
        ]
    )
    assert reader.evaluate("window.__sameDocument") is True  # never reloaded
    entry = live_story.live_entries.get(body__contains="Conférence")
    expect(reader.locator(f"#entree-{entry.pk} .live-entry__time")).to_have_attribute(
        "href", f"#entree-{entry.pk}"
    )
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.locator("#direct").scroll_into_view_if_needed()
    reader.screenshot(path=DOCS_SCREENSHOTS / "live-story-1280x900.png")

    # The coverage ends: the page says so and stops looking.
    live_story.live_status = Article.LiveStatus.ENDED
    live_story.save()
    expect(reader.locator("[data-live-badge]")).to_have_text("Terminé", timeout=15_000)
    expect(reader.locator(".live__ended")).to_contain_text("Le direct s’est terminé le")
    assert reader.evaluate("window.__cspViolations") == []
    assert problems.console_errors == [] and problems.page_errors == []


def test_without_javascript_a_reload_shows_new_entries(browser, live_server, live_story):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="fr-FR"
    )
    try:
        page = context.new_page()
        page.goto(live_story.get_absolute_url())
        expect(_stream(page)).to_have_count(1)
        expect(page.locator("[data-live-updates]")).to_be_empty()
        LiveEntry.objects.create(
            article=live_story,
            author=live_story.bylines.first().author,
            body="<p>Les chefs d’État posent pour la photo de famille.</p>",
            pinned=True,
        )
        page.reload()
        expect(page.locator(".live__key-points")).to_contain_text("photo de famille")
        expect(_stream(page)).to_have_count(1)
    finally:
        context.close()


def test_an_entry_link_lands_on_the_entry(page, live_story):
    entry = live_story.live_entries.get()
    page.set_viewport_size(DESKTOP)
    page.goto(entry.get_absolute_url())
    expect(page.locator(f"#entree-{entry.pk}")).to_be_in_viewport()


# A bad night: the desk corrects and withdraws, the fragment fails, a tab stays hidden ----

NARROW = {"width": 320, "height": 640}


def _add(story, text, minutes_ago=0, **fields):
    return LiveEntry.objects.create(
        article=story,
        author=story.bylines.first().author,
        published_at=timezone.now() - timedelta(minutes=minutes_ago),
        body=f"<p>{text}</p>",
        **fields,
    )


def _no_entry_twice(page):
    ids = page.eval_on_selector_all("article[data-entry]", "nodes => nodes.map(n => n.id)")
    assert len(ids) == len(set(ids)), ids
    return ids


def _script_errors(problems):
    # A failed request is logged by the browser itself: not the page's fault.
    errors = [error for error in problems.console_errors if "Failed to load resource" not in error]
    return errors + problems.page_errors


def test_corrections_and_deletions_reach_the_reader_while_new_entries_wait(
    new_page, live_story, problems
):
    wrong = _add(live_story, "Bilan : 40 morts.", minutes_ago=20)
    doubtful = _add(live_story, "Le ministre démissionne.", minutes_ago=10)
    reader = new_page()
    reader.goto(live_story.get_absolute_url())
    stream = reader.locator(".live__stream .live-entry__body")
    expect(stream).to_have_count(3)

    waiting = _add(live_story, "Conférence de presse à 18 heures.")
    button = reader.locator("[data-live-updates] button")
    expect(button).to_have_text("1 nouvelle entrée", timeout=15_000)

    # The desk withdraws an entry and corrects another: the reader sees it at once, though
    # the new entry still waits for their click.
    withdrawn = reader.locator(f"#entree-{doubtful.pk}")
    doubtful.delete()
    wrong.body = "<p>Bilan : 4 morts.</p>"
    wrong.save()
    expect(withdrawn).to_have_count(0, timeout=15_000)
    expect(reader.locator(f"#entree-{wrong.pk}")).to_contain_text("4 morts", timeout=15_000)
    expect(reader.locator(f"#entree-{waiting.pk}")).to_have_count(0)
    expect(button).to_have_text("1 nouvelle entrée")
    _no_entry_twice(reader)

    # The waiting entry withdrawn too: nothing left to offer.
    waiting.delete()
    expect(button).to_have_count(0, timeout=15_000)
    first = live_story.live_entries.earliest()
    assert _no_entry_twice(reader) == [f"entree-{wrong.pk}", f"entree-{first.pk}"]
    assert _script_errors(problems) == []


def test_a_keyboard_reader_on_an_entry_keeps_their_place_when_it_is_corrected(
    new_page, live_story, problems
):
    reader = new_page()
    reader.goto(live_story.get_absolute_url())
    corrected = live_story.live_entries.get()
    link = reader.locator(f"#entree-{corrected.pk} .live-entry__link a")
    link.focus()
    corrected.body = "<p>Les délégations sont arrivées à Bruxelles.</p>"
    corrected.save()
    entry = reader.locator(f"#entree-{corrected.pk}")
    expect(entry).to_contain_text("sont arrivées", timeout=15_000)
    assert entry.evaluate("node => node.contains(document.activeElement)")
    assert _script_errors(problems) == []


def test_a_failing_fragment_neither_breaks_the_page_nor_duplicates_entries(
    new_page, live_story, problems
):
    reader = new_page()
    answers = iter(["503", "abort", "500", "no feed"])
    asked = []

    def fragment(route):
        asked.append(route.request.url)
        answer = next(answers, None)
        if answer is None:
            route.continue_()
        elif answer == "abort":
            route.abort("internetdisconnected")
        elif answer == "no feed":  # a portal's or a proxy's page
            route.fulfill(status=200, content_type="text/html", body="<p>Connexion</p>")
        else:
            route.fulfill(status=int(answer), body="Erreur")

    reader.route("**/direct/*/entrees/", fragment)
    reader.goto(live_story.get_absolute_url())
    key = _add(live_story, "Le sommet est suspendu.", pinned=True)
    button = reader.locator("[data-live-updates] button")
    expect(button).to_have_text("1 nouvelle entrée", timeout=40_000)
    assert len(asked) >= 5  # it kept asking, less often, and recovered
    button.click()
    expect(reader.locator(".live__key-points")).to_contain_text("suspendu")
    expect(reader.locator(f"#entree-{key.pk}")).to_be_focused()

    # Unpinned, pinned again: the entry moves, never shown twice.
    key.pinned = False
    key.save()
    expect(reader.locator(".live__key-points")).to_have_count(0, timeout=15_000)
    expect(reader.locator(f".live__stream > #entree-{key.pk}")).to_have_count(1)
    key.pinned = True
    key.save()
    expect(reader.locator(f".live__key-points > #entree-{key.pk}")).to_have_count(1, timeout=15_000)
    _no_entry_twice(reader)
    assert _script_errors(problems) == []


def test_a_hidden_tab_asks_nothing_and_catches_up_when_shown(new_page, live_story, problems):
    reader = new_page()
    asked = []
    reader.on("request", lambda request: "/entrees/" in request.url and asked.append(request))
    reader.goto(live_story.get_absolute_url())
    reader.wait_for_timeout(1_500)
    assert asked  # looking every second here
    reader.evaluate(
        """() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    )
    reader.wait_for_timeout(500)  # a request under way ends
    before = len(asked)
    _add(live_story, "Pendant que l’onglet dormait.")
    reader.wait_for_timeout(3_000)
    assert len(asked) == before
    reader.evaluate(
        """() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    )
    expect(reader.locator("[data-live-updates] button")).to_have_text("1 nouvelle entrée")
    assert _script_errors(problems) == []


def test_a_live_page_fits_a_320_pixel_phone(new_page, live_story, problems):
    image = ImageFactory(file__width=1600, file__height=900)
    _add(live_story, "https://www.example.org/une-tres-longue-adresse-sans-espace-aucune-" * 3)
    _add(live_story, f'Photo</p><figure data-image="{image.pk}"></figure><p>fin', pinned=True)
    _add(
        live_story,
        '</p><figure data-embed="youtube"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure><p>Vidéo",
    )
    reader = new_page(NARROW)
    reader.goto(live_story.get_absolute_url())
    _add(live_story, "Une de plus.")
    reader.locator("[data-live-updates] button").click(timeout=15_000)
    reader.locator("#direct").scroll_into_view_if_needed()
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=DOCS_SCREENSHOTS / "live-story-320.png", full_page=True)
    assert reader.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert reader.evaluate("window.__cspViolations") == []
    assert _script_errors(problems) == []


# What a poll leaves alone, and a long story -----------------------------------------------

VIDEO = (
    '</p><figure data-embed="youtube"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">'
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure><p>Le discours"
)
MARK = """ids => ids.forEach(id => {
    const entry = document.getElementById(id);
    entry.__mark = id;
    entry.querySelector(".live-entry__body").__mark = id;
    const frame = entry.querySelector("iframe");
    if (frame) frame.__mark = id;
})"""
MARKED = """id => {
    const entry = document.getElementById(id);
    const frame = entry.querySelector("iframe");
    return {
        entry: entry.__mark === id,
        body: entry.querySelector(".live-entry__body").__mark === id,
        frame: frame ? frame.__mark === id : null,
    };
}"""


def test_a_poll_changes_only_what_the_desk_changed(new_page, live_story, problems):
    video = _add(live_story, VIDEO, minutes_ago=20)
    untouched = _add(live_story, "Les ministres arrivent.", minutes_ago=10)
    corrected = _add(live_story, "Bilan : 40 blessés.", minutes_ago=5)
    reader = new_page()
    # The player's frame, without the network.
    reader.route("https://www.youtube-nocookie.com/**", lambda route: route.fulfill(body="lecteur"))
    reader.goto(live_story.get_absolute_url())
    reader.locator(f"#entree-{video.pk} .embed__load").click()
    expect(reader.locator(f"#entree-{video.pk} iframe")).to_have_count(1)
    ids = [f"entree-{e.pk}" for e in (video, untouched, corrected)]
    reader.evaluate(MARK, ids)

    video.title = "Le discours du président"  # its title alone: the video plays on
    video.save()
    corrected.body = "<p>Bilan : 4 blessés.</p>"
    corrected.save()
    expect(reader.locator(f"#entree-{corrected.pk}")).to_contain_text("4 blessés", timeout=15_000)
    expect(reader.locator(f"#entree-{video.pk} .live-entry__title")).to_have_text(
        "Le discours du président"
    )
    assert reader.evaluate(MARKED, f"entree-{untouched.pk}") == {
        "entry": True, "body": True, "frame": None,
    }  # fmt: skip
    assert reader.evaluate(MARKED, f"entree-{video.pk}") == {
        "entry": True, "body": True, "frame": True,
    }  # fmt: skip
    assert reader.evaluate(MARKED, f"entree-{corrected.pk}") == {
        "entry": True, "body": False, "frame": None,
    }  # fmt: skip
    _no_entry_twice(reader)
    assert _script_errors(problems) == []


def test_a_long_story_keeps_the_older_entries_a_reader_shows(
    new_page, live_story, problems, monkeypatch
):
    monkeypatch.setattr(views, "LIVE_PAGE_SIZE", 2)  # 30 for readers
    oldest = live_story.live_entries.get()
    middle = _add(live_story, "Photo de famille.", minutes_ago=20)
    newer = _add(live_story, "Début des travaux.", minutes_ago=10)
    reader = new_page()
    reader.goto(live_story.get_absolute_url())
    expect(_stream(reader)).to_have_text(["Début des travaux.", "Photo de famille."])
    reader.locator(".live__pages a", has_text="Entrées précédentes").click()
    expect(_stream(reader)).to_have_text(["Les délégations arrivent à Bruxelles."])
    reader.go_back()
    expect(_stream(reader)).to_have_count(2)

    latest = _add(live_story, "Accord trouvé.")
    button = reader.locator("[data-live-updates] button")
    expect(button).to_have_text("1 nouvelle entrée", timeout=15_000)
    button.click()
    # The fragment holds the two newest: the third shown stays.
    expect(_stream(reader)).to_have_text(
        ["Accord trouvé.", "Début des travaux.", "Photo de famille."]
    )

    newer.delete()  # withdrawn: gone from the page, and the next older one takes its place
    expect(reader.locator(f"#entree-{newer.pk}")).to_have_count(0, timeout=15_000)
    expect(_stream(reader)).to_have_text(["Accord trouvé.", "Photo de famille."])
    middle.delete()  # the oldest comes into the fragment: in its place, no button
    expect(_stream(reader)).to_have_text(
        ["Accord trouvé.", "Les délégations arrivent à Bruxelles."], timeout=15_000
    )
    expect(reader.locator(".live__pages")).to_have_count(0)  # one page now
    expect(button).to_have_count(0)
    assert _no_entry_twice(reader) == [f"entree-{latest.pk}", f"entree-{oldest.pk}"]
    assert _script_errors(problems) == []


def test_a_pinned_or_re_timed_entry_takes_its_place_under_the_heading_and_in_time(
    new_page, live_story, problems
):
    first = live_story.live_entries.get()  # 30 minutes ago
    later = _add(live_story, "Les chefs d’État posent pour la photo.", minutes_ago=20)
    latest = _add(live_story, "Début des travaux.", minutes_ago=10)
    reader = new_page()
    reader.goto(live_story.get_absolute_url())
    children = "section => Array.from(section.children).map(child => child.id || child.tagName)"

    latest.pinned = True  # the first key point: under the heading of the key points
    latest.save()
    key_points = reader.locator(".live__key-points")
    expect(key_points.locator(f"#entree-{latest.pk}")).to_have_count(1, timeout=15_000)
    assert key_points.evaluate(children) == ["live-key-points", f"entree-{latest.pk}"]
    later.pinned = True  # older than the first: after it
    later.save()
    expect(key_points.locator(f"#entree-{later.pk}")).to_have_count(1, timeout=15_000)
    assert key_points.evaluate(children) == [
        "live-key-points",
        f"entree-{latest.pk}",
        f"entree-{later.pk}",
    ]

    later.pinned = False  # back in the stream, and its time corrected: before the first
    later.published_at = first.published_at - timedelta(minutes=5)
    later.save()
    stream = reader.locator(".live__stream")
    expect(stream.locator(f"#entree-{later.pk}")).to_have_count(1, timeout=15_000)
    assert stream.evaluate(children) == [f"entree-{first.pk}", f"entree-{later.pk}"]
    first.published_at = later.published_at - timedelta(minutes=5)  # now the oldest
    first.save()
    expect(stream.locator("article").first).to_have_id(f"entree-{later.pk}", timeout=15_000)
    assert stream.evaluate(children) == [f"entree-{later.pk}", f"entree-{first.pk}"]
    _no_entry_twice(reader)
    assert _script_errors(problems) == []
