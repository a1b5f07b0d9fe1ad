"""The readers' side of the audience app in a real browser: an alert an editor sets shows on
every page and goes away at its end time; views made through cached pages are counted."""

import re
from datetime import timedelta

import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from audience import counting
from audience.models import Alert, ArticleViews
from pagecache import keys
from tests.browser.conftest import DESKTOP, READER_PAGES
from tests.factories import PASSWORD, UserFactory

ALERT = "Séisme dans les Alpes : les secours mobilisés"
# Chromium's headless User-Agent names it as such, and headless browsers are not counted.
READER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def _sign_in_as_editor(page):
    # Browser tests flush the database between tests, data migrations' groups included.
    editors, _ = Group.objects.get_or_create(name="Éditeurs")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="audience", codename__in=["add_alert", "change_alert"]
        )
    )
    editor = UserFactory(username="editrice", is_staff=True, groups=["Éditeurs"])
    page.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(editor.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def test_an_alert_shows_on_every_page_at_once_and_goes_away_at_its_end_time(
    new_page, newsroom, problems
):
    reader = new_page()
    paths = [path(newsroom) for path in READER_PAGES.values()]
    for path in paths:  # every page kept in the cache before the alert
        reader.goto(path)
        expect(reader.get_by_role("region", name="Alerte")).to_have_count(0)

    editor = new_page()
    _sign_in_as_editor(editor)
    editor.goto("/admin/audience/alert/add/")
    editor.get_by_label("Texte :").fill(ALERT)
    editor.get_by_label("Lien :").fill("https://exemple.fr/seisme")
    # Minutes away: the pages kept with the alert are still in the cache at its end time.
    end = timezone.localtime() + timedelta(minutes=3)
    editor.locator("#id_ends_at_0").fill(end.strftime("%d/%m/%Y"))
    editor.locator("#id_ends_at_1").fill(end.strftime("%H:%M:%S"))
    editor.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("ajouté")
    ends_at = Alert.objects.get().ends_at

    for path in paths:
        reader.goto(path)
        banner = reader.get_by_role("region", name="Alerte")
        expect(banner).to_be_visible()
        expect(banner.get_by_role("link", name=ALERT)).to_have_attribute(
            "href", "https://exemple.fr/seisme"
        )

    # A second alert is refused while this one is shown.
    editor.goto("/admin/audience/alert/add/")
    editor.get_by_label("Texte :").fill("Une autre alerte")
    editor.get_by_label("Lien :").fill("https://exemple.fr/autre")
    editor.locator("#id_ends_at_0").fill(end.strftime("%d/%m/%Y"))
    editor.locator("#id_ends_at_1").fill(end.strftime("%H:%M:%S"))
    editor.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(editor.locator(".errornote, .errorlist").first).to_be_visible()
    expect(editor.get_by_text(re.compile("Une alerte est déjà affichée jusqu’au"))).to_be_visible()

    # The site's clock passes the end time: no save, no purge, the alert is gone everywhere.
    with time_machine.travel(ends_at + timedelta(seconds=1), tick=True):
        for path in paths:
            reader.goto(path)
            expect(reader.get_by_role("main")).to_be_visible()
            expect(reader.get_by_role("region", name="Alerte")).to_have_count(0)

    assert problems.page_errors == []


def _read(page, url):
    """Open ``url`` and wait for its beacon's answer."""
    with page.expect_response(re.compile(r"/audience/lu/\d+/$")) as beacon:
        page.goto(url)
    assert beacon.value.status == 204
    assert beacon.value.request.method == "POST"


def test_views_through_cached_pages_are_counted_and_make_the_most_read_list(
    browser, live_server, newsroom, settings, problems
):
    settings.AUDIENCE = {**settings.AUDIENCE, "FLUSH_INTERVAL": None}  # flushed by the test
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, locale="fr-FR", user_agent=READER_AGENT
    )
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        popular, other = newsroom.published[3], newsroom.published[5]
        for _ in range(3):
            _read(page, popular.get_absolute_url())
            # From the second view on, the page comes from the page cache.
            assert cache.get(keys.page(popular.get_absolute_url())) is not None
        _read(page, other.get_absolute_url())
        # A reload, or a return to the story with the back button, is the same view again.
        beacons = []
        page.on(
            "request",
            lambda request: beacons.append(request.url) if "/lu/" in request.url else None,
        )
        page.reload()
        page.go_back()
        page.go_forward()
        page.wait_for_load_state("load")
        page.wait_for_timeout(1_000)
        assert beacons == []
        assert not ArticleViews.objects.exists()  # nothing written per view

        counting.PROCESS.send()  # what the process's timer does every minute

        views = dict(ArticleViews.objects.values_list("article_id", "views"))
        assert views == {popular.pk: 3, other.pk: 1}
        page.goto("/")
        most_read = page.get_by_role("region", name="Les plus lus")
        expect(most_read.get_by_role("listitem")).to_have_text([popular.title, other.title])
        page.goto(newsroom.lead_story.get_absolute_url())
        expect(
            page.get_by_role("region", name="Les plus lus").get_by_role("link").first
        ).to_have_text(popular.title)
    finally:
        context.close()
    assert problems.page_errors == []
