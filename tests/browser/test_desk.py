"""The desk in a real browser: an author submits a story, the editor finds it on the desk home,
reads the pre-publish checks and sends it back with a note. Screenshots at 1366×768 and
1920×1080 for docs/EDITORS.md; axe-core on the desk home."""

from datetime import datetime, time, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from desk.models import EditorialNote, ReviewEvent
from tests.browser.conftest import DOCS_SCREENSHOTS
from tests.browser.test_page_quality import BLOCKING_IMPACTS, WCAG_A_AA, _describe
from tests.factories import PASSWORD, AuthorFactory, CorrectionFactory, UserFactory

SCREENSHOTS = DOCS_SCREENSHOTS
SCREENS = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
AUTHOR_RIGHTS = [
    ("articles", ["add_article", "change_article", "view_article", "view_author", "view_category"]),
    ("articles", ["add_articleauthor", "change_articleauthor", "delete_articleauthor"]),
    ("articles", ["view_articleauthor", "add_image", "change_image", "view_image"]),
    ("articles", ["add_readmorelink", "change_readmorelink", "delete_readmorelink"]),
    ("articles", ["view_readmorelink"]),
    ("taggit", ["view_tag"]),
    ("desk", ["view_editorialnote"]),
]


def _people(newsroom):
    """Claire, editor; Marie (the newsroom's author), whose account signs her stories."""
    # Browser tests flush the database between tests, data migrations' groups included.
    editors, _ = Group.objects.get_or_create(name="Éditeurs")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["articles", "taggit", "desk"])
    )
    authors, _ = Group.objects.get_or_create(name="Rédacteurs")
    for app_label, codenames in AUTHOR_RIGHTS:
        authors.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
    editor = UserFactory(
        username="claire", first_name="Claire", last_name="Vasseur", is_staff=True,
        groups=["Éditeurs"],
    )  # fmt: skip
    AuthorFactory(name="Claire Vasseur", slug="claire-vasseur", user=editor)
    author = UserFactory(
        username="marie", first_name="Marie", last_name="Dupont", is_staff=True,
        groups=["Rédacteurs"],
    )  # fmt: skip
    newsroom.marie.user = author
    newsroom.marie.save()
    return editor, author


def _desk_content(newsroom, author):
    """A morning's desk: stories waiting for review, going out tonight, just corrected."""
    now = timezone.now()

    def waiting(article, hours):
        Article.objects.filter(pk=article.pk).update(
            status=Article.Status.REVIEW, published_at=None
        )
        event = ReviewEvent.objects.create(article=article, kind="submitted", actor=author)
        ReviewEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(hours=hours))

    stories = newsroom.published
    waiting(stories[3], 26)  # "Réforme des retraites"
    waiting(stories[4], 3)
    # Later today, whatever the time the test runs: halfway to midnight, Paris time.
    midnight = timezone.make_aware(
        datetime.combine(timezone.localdate(now) + timedelta(days=1), time(0, 0))
    )
    tonight = now + (midnight - now) / 2
    Article.objects.filter(pk=stories[5].pk).update(published_at=tonight)
    Article.objects.filter(pk=stories[6].pk).update(published_at=now + timedelta(days=1))
    CorrectionFactory(article=stories[7])
    draft = newsroom.draft
    draft.title = "Fermeture de la maternité : les élus montent au créneau"
    draft.slug = "fermeture-de-la-maternite-les-elus-montent-au-creneau"
    draft.lead = (
        "Les maires de la vallée ont écrit à l’agence régionale de santé pour demander le "
        "maintien des accouchements à l’hôpital, menacé de fermeture dès le mois de juin faute "
        "de médecins, et promettent une manifestation samedi devant la préfecture."
    )
    draft.featured_image = None
    draft.save()
    Article.objects.filter(pk=draft.pk).update(created_by=author)
    return draft


def _sign_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.locator("#desk-drafts")).to_be_visible()  # the desk home


def _screenshot(page, name, screen):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{screen}.jpg"
    page.screenshot(path=path, type="jpeg", quality=80)
    assert path.stat().st_size > 20_000


def _no_sideways_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], page.url


def _axe_blocking(page, name, context=None):
    results = Axe().run(
        page,
        context=context,
        options={"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]},
    )
    return [
        _describe(violation, name)
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def test_a_story_goes_to_review_and_back_with_a_note(new_page, newsroom, problems):
    editor, author = _people(newsroom)
    draft = _desk_content(newsroom, author)
    change_url = f"/admin/articles/article/{draft.pk}/change/"

    # The author hands her draft to the editors.
    marie = new_page(viewport=SCREENS["1366x768"])
    _sign_in(marie, author)
    expect(marie.locator("#desk-drafts ~ ul, #desk-drafts + ul").first).to_contain_text(
        "Fermeture de la maternité"
    )
    marie.goto(change_url)
    marie.get_by_role("button", name="Soumettre à la relecture").click()
    expect(marie.locator(".messagelist")).to_contain_text("est en relecture")
    assert [message.to for message in mail.outbox] == [[editor.email]]

    # The editor finds it on her desk, with how long each story has waited.
    claire = new_page(viewport=SCREENS["1366x768"])
    _sign_in(claire, editor)
    review = claire.locator(".desk-list--review")
    expect(review).to_contain_text("Fermeture de la maternité")
    expect(review.locator(".desk-story").first).to_contain_text("Réforme des retraites")
    expect(review.locator(".desk-story").first).to_contain_text("en attente depuis 1 jour")
    expect(claire.locator(".desk-list--scheduled .desk-story").first).to_contain_text(
        "aujourd’hui à"
    )
    expect(claire.get_by_role("link", name="Nouvel article")).to_be_visible()
    for screen, viewport in SCREENS.items():
        claire.set_viewport_size(viewport)
        _no_sideways_scrolling(claire)
        _screenshot(claire, "desk-home", screen)

    # The pre-publish checks: previews, counters, the checklist.
    claire.set_viewport_size(SCREENS["1366x768"])
    claire.goto(change_url)
    checklist = claire.locator(".desk-checklist")
    expect(checklist).to_contain_text("Pas d’image principale")
    expect(checklist).to_contain_text("Le chapeau compte")
    counter = claire.locator('[data-counter="search-title"]')
    claire.locator("#id_title").fill("Maternité : les élus mobilisés")
    expect(counter).not_to_have_class("desk-counter desk-counter--cut")
    claire.locator("#id_title").fill(
        "Fermeture de la maternité : les élus de toute la vallée montent au créneau à Paris"
    )
    expect(counter).to_have_class("desk-counter desk-counter--cut")  # live, as one types
    expect(claire.locator('[data-preview="card-title"]')).to_contain_text("vallée montent")
    for screen, viewport in SCREENS.items():
        claire.set_viewport_size(viewport)
        claire.locator(".desk-prepublish").scroll_into_view_if_needed()
        _screenshot(claire, "article-prepublish", screen)

    # Sent back with a note, which the author finds on her desk.
    claire.set_viewport_size(SCREENS["1366x768"])
    claire.locator("#id_title").fill(draft.title)
    claire.locator("#id_review_note").fill("Il manque la réponse de l’agence régionale de santé.")
    claire.locator("#id_review_note").scroll_into_view_if_needed()
    _screenshot(claire, "article-send-back", "1366x768")
    claire.get_by_role("button", name="Renvoyer au rédacteur").click()
    expect(claire.locator(".messagelist")).to_contain_text("est renvoyé à ses auteurs")
    assert mail.outbox[-1].to == [author.email]

    marie.goto("/admin/")
    note = marie.locator(".desk-story__note")
    expect(note).to_contain_text("Renvoyé par Claire Vasseur à l’instant")
    expect(note).to_contain_text("réponse de l’agence régionale")
    _screenshot(marie, "desk-home-author", "1366x768")
    assert not EditorialNote.objects.exists()
    for page in (marie, claire):
        assert page.evaluate("window.__cspViolations") == []
    assert problems.console_errors == [] and problems.page_errors == []


@pytest.mark.parametrize("role", ["editor", "author"])
def test_the_desk_home_has_no_serious_accessibility_violation(new_page, newsroom, role):
    editor, author = _people(newsroom)
    _desk_content(newsroom, author)
    page = new_page(viewport=SCREENS["1366x768"])
    _sign_in(page, editor if role == "editor" else author)

    blocking = _axe_blocking(page, f"desk home ({role})")

    assert not blocking, "axe-core violations:\n" + "\n".join(blocking)


def test_the_article_list_keeps_titles_readable_at_1366_pixels(new_page, newsroom):
    editor, author = _people(newsroom)
    _desk_content(newsroom, author)
    page = new_page(viewport=SCREENS["1366x768"])
    _sign_in(page, editor)
    page.goto("/admin/articles/article/")

    heights = page.eval_on_selector_all(
        "#result_list .field-title",
        """cells => cells.map(cell => {
          const lineHeight = parseFloat(getComputedStyle(cell).lineHeight) || 16;
          return Math.round(cell.querySelector("a").getBoundingClientRect().height / lineHeight);
        })""",
    )

    assert heights and max(heights) <= 3, heights
    _no_sideways_scrolling(page)
    _screenshot(page, "article-list", "1366x768")


def test_the_desk_panels_of_the_article_form_have_no_serious_accessibility_violation(
    new_page, newsroom
):
    editor, author = _people(newsroom)
    draft = _desk_content(newsroom, author)
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.REVIEW)
    page = new_page(viewport=SCREENS["1366x768"])
    _sign_in(page, editor)
    page.goto(f"/admin/articles/article/{draft.pk}/change/")

    # The desk's own parts (the editor and the rest of the form are checked with them).
    context = {"include": [[".desk-prepublish"], [".desk-review"], [".field-full_address"]]}
    blocking = _axe_blocking(page, "article form (desk panels)", context)

    assert not blocking, "axe-core violations:\n" + "\n".join(blocking)
