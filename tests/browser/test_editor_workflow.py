"""An editor writes, schedules and previews a story in the admin, in a real browser."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import PASSWORD, UserFactory


def _editor():
    # Browser tests flush the database between tests, data migrations' groups included.
    editors, _ = Group.objects.get_or_create(name="Éditeurs")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["articles", "taggit"])
    )
    return UserFactory(username="editrice", is_staff=True, groups=["Éditeurs"])


def _pick_first(page, field, search=""):
    page.locator(f"{field} .select2-selection").click()
    if search:
        page.keyboard.type(search)
        expect(page.locator(".select2-results__option--highlighted")).to_contain_text(search)
    page.locator(".select2-results__option--highlighted").first.wait_for()
    page.keyboard.press("Enter")


def test_editor_writes_schedules_and_previews_a_story(page, newsroom, problems):
    editor = _editor()
    tomorrow = timezone.localtime() + timedelta(days=1)

    page.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(editor.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()

    page.goto("/admin/articles/article/add/")
    page.get_by_role("textbox", name="Titre :", exact=True).fill(
        "L’Europe prépare son sommet de printemps"
    )
    page.locator("#id_lead").fill("Les Vingt-Sept se retrouvent à Bruxelles.")
    page.locator(".prose-editor > .ProseMirror").click()
    page.keyboard.type("Premier paragraphe, écrit dans l’éditeur.")
    page.keyboard.press("Enter")
    page.keyboard.type("Second paragraphe.")
    _pick_first(page, ".field-category")
    page.locator("#id_tags").fill("Otan, Sommet")
    _pick_first(page, ".field-featured_image")
    page.locator("#id_status").select_option("published")
    page.locator("#id_published_at_0").fill(tomorrow.strftime("%d/%m/%Y"))
    page.locator("#id_published_at_1").fill("07:00:00")
    _pick_first(page, "#bylines-0 .field-author")
    page.locator("h1").click()
    for _ in range(2):
        page.locator("#read_more_links-group .add-row a").first.click()
    # A published story: a link to a draft would not be shown to readers.
    _pick_first(page, "#read_more_links-0 .field-target_article", newsroom.picked_story.title)
    page.locator("#id_read_more_links-1-url").fill("https://example.com/en/")
    page.locator("#id_read_more_links-1-label").fill("Lire aussi l’édition anglaise")
    page.locator("#id_read_more_links-1-position").fill("1")
    # The editor works under the admin's Content-Security-Policy.
    assert page.evaluate("window.__cspViolations") == []
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist")).to_contain_text("a été ajouté avec succès")
    expect(page.locator(".field-publication_state")).to_contain_text(
        f"Programmé pour le {tomorrow:%d/%m} à 07:00"
    )
    article = Article.objects.get(title="L’Europe prépare son sommet de printemps")
    assert article.is_scheduled and article.read_more_links.count() == 2
    assert "<p>Premier paragraphe, écrit dans l’éditeur.</p>" in article.body

    # Readers do not see it yet; the editor's preview shows it as they will.
    assert page.request.get(article.get_absolute_url()).status == 404
    with page.context.expect_page() as opened:  # the preview opens in a new tab
        page.get_by_role("link", name="Aperçu").click()
    preview = opened.value
    expect(preview.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(preview.locator(".read-more li")).to_have_count(2)
    assert problems.console_errors == []
