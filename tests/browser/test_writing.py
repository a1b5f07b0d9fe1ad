"""Writing in the article editor, in a real browser: a French editor, a surface that reads like
the article, a form that fits a laptop's screen, and nothing lost when a tab closes."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from articles.models import Autosave
from tests.browser.conftest import CSP_LISTENER, DOCS_SCREENSHOTS
from tests.browser.test_page_quality import BLOCKING_IMPACTS, WCAG_A_AA, _describe
from tests.factories import PASSWORD, UserFactory

SCREENSHOTS = DOCS_SCREENSHOTS
LAPTOP = {"width": 1366, "height": 768}
WIDE = {"width": 1920, "height": 1080}
EDITOR_JS = (
    Path(__import__("django_prose_editor").__file__).parent
    / "static"
    / "django_prose_editor"
    / "editor.js"
)
# Words that read the same in French: they may stay.
SAME_IN_FRENCH = {
    "url",
    "html",
    "image",
    "figure",
    "type",
    "table",
    "menu",
    "note",
    "content",
    "code",
}

BODY = (
    "<p>Les Vingt-Sept se retrouvent jeudi à Bruxelles pour un sommet consacré à la défense.</p>"
    "<h2>Un budget commun</h2><p>La Commission propose un fonds de 100 milliards d’euros.</p>"
    "<ul><li>l’industrie de défense ;</li><li>les munitions ;</li><li>la cybersécurité.</li></ul>"
    "<blockquote><p>« Nous n’avons plus le choix », dit un diplomate.</p></blockquote>"
    "<h3>Les réticences</h3><p>Plusieurs capitales redoutent une dette commune.</p>"
    "<ol><li>Paris ;</li><li>Berlin.</li></ol>"
)


def _editor_vocabulary():
    """Every English word of the editor's own interface: its gettext strings and the names it
    gives its toolbar buttons, as written in its script."""
    source = EDITOR_JS.read_text(encoding="utf-8")
    strings = re.findall(r'\b\w{1,3}\("((?:[A-Z][a-z]+|[a-z]+)(?: [A-Za-z.]+)*)"\)', source)
    strings += re.findall(r'material\("\w+","([^"]+)"\)', source)
    strings += ["heading", "unordered list", "ordered list", "blockquote", "horizontal rule"]
    words = {word.lower() for text in strings for word in re.findall(r"[A-Za-z]+", text)}
    return words - SAME_IN_FRENCH


def _sign_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.locator("#user-tools")).to_be_visible()


def _staff(username, group="Éditeurs", **names):
    group_, _ = Group.objects.get_or_create(name=group)
    group_.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["articles", "taggit"])
    )
    return UserFactory(username=username, is_staff=True, groups=[group], **names)


@pytest.fixture
def editor(transactional_db):
    return _staff("editrice", first_name="Claire", last_name="Vasseur")


@pytest.fixture
def story(newsroom):
    article = newsroom.draft
    article.body = BODY
    article.save()
    return article


def _heartbeat(response):
    return response.url.endswith("/presence/")


def _open_editor(page, article=None):
    if article is None:
        page.goto("/admin/articles/article/add/")
    else:
        # The page says it is open as it loads: that call ends before the test goes on.
        with page.expect_response(_heartbeat):
            page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.locator(".prose-editor > .ProseMirror").wait_for()
    return page.locator(".prose-editor > .ProseMirror")


# What the change form's scripts call in the background, and send as a page closes.
WRITING_CALLS = re.compile(
    r"/admin/articles/article/[^/]+/(autosave/|autosave/discard/|presence/)$"
)


def _quiet(context):
    """The context's pages reach none of the autosave and presence views any more, and leave
    their page (sending its beacons, stopped here): a call that reached the server as the test
    ends would meet a database being emptied."""
    context.route(WRITING_CALLS, lambda route: route.fulfill(status=204))
    for page in context.pages:
        # As if the form were being saved: no question about unsaved changes (the test has
        # checked it), no autosave (the event alone submits nothing).
        page.evaluate('document.getElementById("article_form")?.dispatchEvent(new Event("submit"))')
        page.goto("about:blank")


@pytest.fixture
def quiet(browser):
    """Last among a test's fixtures: quiets every page before any other fixture ends."""
    yield
    for context in browser.contexts:
        _quiet(context)


def _english_words(texts, vocabulary):
    return sorted(
        {
            f"{word!r} in {text!r}"
            for text in texts
            for word in re.findall(r"[A-Za-z]+", text)
            if word.lower() in vocabulary
        }
    )


def test_the_editor_speaks_french_in_every_button_and_dialog(page, story, editor, quiet):
    vocabulary = _editor_vocabulary()
    assert {"bold", "heading", "insert", "update", "cancel", "link"} <= vocabulary
    _sign_in(page, editor.username)
    surface = _open_editor(page, story)

    menubar = page.locator(".prose-menubar")
    texts = menubar.evaluate(
        """(bar) => [...bar.querySelectorAll("button, [title], [aria-label]")].flatMap(
             (el) => [el.title, el.getAttribute("aria-label")]).filter(Boolean)"""
    )
    texts += page.locator(".prose-menubar__picker button").all_text_contents()
    assert "Gras" in texts and "Intertitre de niveau 2" in texts
    menubar.locator(".prose-menubar__selected").click()
    expect(page.locator(".prose-menubar__picker")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "editor-paragraph-styles.png")
    page.keyboard.press("Escape")

    # The link dialog, on a selected word.
    surface.locator("p").first.dblclick()
    menubar.get_by_role("button", name="Ajouter ou modifier un lien").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    texts += dialog.locator("h3, label, button").all_text_contents()
    page.screenshot(path=SCREENSHOTS / "editor-link-dialog.png")
    dialog.get_by_role("button", name="Annuler").click()

    # The picture chooser.
    menubar.get_by_role("button", name="Insérer une image de la médiathèque").click()
    expect(dialog).to_be_visible()
    # The interface's words; a picture's own caption (any French word, "roman" too) is not.
    texts += dialog.locator(
        "h2, h3, label, button:not(.image-chooser__choice), [role=tab]"
    ).all_text_contents()
    texts += dialog.locator("[placeholder]").evaluate_all("els => els.map(e => e.placeholder)")
    assert "Insérer une image" in texts

    assert _english_words(texts, vocabulary) == []
    assert surface.get_attribute("spellcheck") == "true"
    assert surface.get_attribute("lang") == "fr"


def test_the_word_count_and_reading_time_follow_the_text(page, editor, quiet):
    _sign_in(page, editor.username)
    surface = _open_editor(page)
    status = page.locator("#newsroom-writing-status")
    expect(status).to_contain_text("0 mot · 1 min de lecture")

    surface.click()
    page.keyboard.type("Un deux trois quatre cinq.")

    expect(status).to_contain_text("5 mots · 1 min de lecture")


def test_a_closed_tab_gives_its_text_back(browser, live_server, story, editor):
    """The author types, closes the tab by accident (the browser asks first), reopens the
    article and restores the text."""
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP, locale="fr-FR")
    context.set_default_timeout(5_000)
    asked = []

    def leave_anyway(dialog):
        asked.append(dialog.type)
        dialog.accept()

    page = context.new_page()
    page.on("dialog", leave_anyway)
    _sign_in(page, editor.username)
    surface = _open_editor(page, story)
    surface.locator("p").last.click()
    page.keyboard.press("End")
    page.keyboard.type(" Une phrase qui ne doit pas se perdre.")
    page.locator("#id_title").fill("Sommet de Bruxelles : la défense au menu")

    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert asked == ["beforeunload"]
    # The beacon sent as the tab closed arrives.
    for _ in range(50):
        if Autosave.objects.filter(user=editor, article=story).exists():
            break
        context.new_page().wait_for_timeout(100)
    copy = Autosave.objects.get(user=editor, article=story)
    assert "Une phrase qui ne doit pas se perdre." in copy.body

    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    surface = _open_editor(page, story)
    banner = page.locator("#newsroom-restore")
    expect(banner).to_contain_text("plus récent que cet article")
    page.screenshot(path=SCREENSHOTS / "editor-restore-1366x768.png")
    banner.get_by_role("button", name="Restaurer").click()

    expect(surface).to_contain_text("Une phrase qui ne doit pas se perdre.")
    expect(page.locator("#id_title")).to_have_value("Sommet de Bruxelles : la défense au menu")
    expect(banner).to_contain_text("relisez-le, puis enregistrez")
    assert page.evaluate("window.__cspViolations") == []
    _quiet(context)
    context.close()


def test_a_colleague_opening_the_article_is_told_who_is_writing(new_page, story, editor, quiet):
    _sign_in(page := new_page(), editor.username)
    _open_editor(page, story)
    colleague = _staff("chef", first_name="Marc", last_name="Leroy")
    other = new_page()
    _sign_in(other, colleague.username)

    _open_editor(other, story)

    expect(other.locator("#newsroom-presence")).to_contain_text(
        "Claire Vasseur vient d’ouvrir cet article"
    )
    with page.expect_response(_heartbeat):  # or at its next heartbeat, within a minute
        page.reload()
    expect(page.locator("#newsroom-presence")).to_contain_text(
        "Marc Leroy vient d’ouvrir cet article"
    )


def _overlap(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("viewport", [LAPTOP, WIDE], ids=["1366x768", "1920x1080"])
def test_the_change_form_fits_the_screen_beside_the_sidebar(
    new_page, story, editor, viewport, quiet
):
    page = new_page(viewport=viewport)
    _sign_in(page, editor.username)
    _open_editor(page, story)
    name = f"editor-{viewport['width']}x{viewport['height']}"
    page.locator("#id_kicker").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    # A full story: read-more links and a correction too.
    for group in ["#read_more_links-group", "#read_more_links-group", "#corrections-group"]:
        page.locator(f"{group} .add-row a").first.click()

    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"scrolls sideways: {widths}"
    form = page.locator("#article_form").bounding_box()
    sidebar = page.locator("#nav-sidebar")
    if sidebar.is_visible():
        assert not _overlap(sidebar.bounding_box(), form)
    for field in ["#id_title", "#id_lead", ".prose-editor", ".submit-row"]:
        box = page.locator(field).first.bounding_box()
        assert box["x"] >= form["x"] and box["x"] + box["width"] <= viewport["width"], field


def test_the_writing_surface_reads_like_the_article(page, story, editor, quiet):
    _sign_in(page, editor.username)
    surface = _open_editor(page, story)

    styles = surface.evaluate(
        """(el) => Object.fromEntries(["p", "h2", "h3", "ul li", "blockquote"].map((sel) => {
             const style = getComputedStyle(el.querySelector(sel));
             return [sel, {font: style.fontFamily, size: style.fontSize,
                           background: style.backgroundColor, list: style.listStyleType,
                           border: style.borderLeftStyle}];
           }))"""
    )
    assert "Georgia" in styles["p"]["font"] and styles["p"]["size"] == "18px"
    assert styles["h2"]["size"] == "24px" and styles["h2"]["background"] == "rgba(0, 0, 0, 0)"
    assert styles["h3"]["size"] == "20px"
    assert styles["ul li"]["list"] == "disc"
    assert styles["blockquote"]["border"] == "solid"


def test_the_change_form_has_no_serious_accessibility_violation(page, story, editor, quiet):
    _sign_in(page, editor.username)
    _open_editor(page, story)

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]},
    )

    blocking = [
        _describe(violation, "change form")
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "axe-core violations:\n" + "\n".join(blocking)


def test_leaving_with_unsaved_changes_asks_first_and_saving_does_not(
    page, story, editor, problems, quiet
):
    _sign_in(page, editor.username)
    surface = _open_editor(page, story)
    surface.locator("p").first.click()
    page.keyboard.type("Ajout. ")

    page.locator("#id_kicker").focus()
    with pytest.raises(PlaywrightError):  # the conftest's handler stays on the page
        page.goto("/admin/", timeout=2_000)
    assert any("beforeunload" in dialog for dialog in problems.dialogs)
    problems.dialogs.clear()

    with page.expect_response(_heartbeat):  # of the page the save opens
        page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("avec succès")
    assert problems.dialogs == []
    assert not Autosave.objects.exists()
