"""Pictures and embeds in the body, in a real browser: an author inserts library pictures
through the chooser (one uploaded from it) and pastes a video's address, without typing a
picture's address; readers get the pictures and a card that calls no third party before a click.
"""

import importlib
import io
import re
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission
from PIL import Image as PILImage
from playwright.sync_api import expect

from articles.models import Article, Image
from tests.browser.conftest import DOCS_SCREENSHOTS, load_all_images
from tests.browser.test_editor_workflow import _pick_first
from tests.factories import PASSWORD, ArticleFactory, ImageFactory, UserFactory
from tests.nu import nu_errors

SCREENSHOTS = DOCS_SCREENSHOTS
LAPTOP = {"width": 1366, "height": 768}
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
BLOCKING_IMPACTS = {"serious", "critical"}
EDITOR = ".prose-editor > .ProseMirror"


def _author():
    # Browser tests flush the database between tests, data migrations' groups included.
    groups = importlib.import_module("articles.migrations.0002_editorial_groups")
    authors, _ = Group.objects.get_or_create(name="Rédacteurs")
    for app_label, codename in groups.AUTHOR_PERMISSIONS:
        authors.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return UserFactory(username="redacteur", is_staff=True, groups=["Rédacteurs"])


def _sign_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def _paste(page, text):
    page.locator(EDITOR).evaluate(
        """(editor, text) => {
          const data = new DataTransfer();
          data.setData("text/plain", text);
          editor.dispatchEvent(new ClipboardEvent("paste", {
            clipboardData: data, bubbles: true, cancelable: true,
          }));
        }""",
        text,
    )


def _jpeg(colour="darkgreen", size=(900, 600)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def _blocking_axe_violations(page, context):
    results = Axe().run(
        page,
        context=context,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def test_author_inserts_library_pictures_and_a_video_without_typing_an_address(
    new_page, newsroom, problems
):
    author = _author()
    market = ImageFactory(
        caption="Le marché couvert, samedi matin",
        alt_text="Des étals de légumes",
        credit="Studio Quintal",  # a word no generated caption holds
    )
    ImageFactory.create_batch(4)
    page = new_page(viewport=LAPTOP)
    _sign_in(page, author)

    page.goto("/admin/articles/article/add/")
    page.get_by_role("textbox", name="Titre :", exact=True).fill("Le marché rouvre ses portes")
    page.locator("#id_lead").fill("Après deux ans de travaux, les commerçants sont revenus.")
    page.locator(EDITOR).click()
    page.keyboard.type("Les commerçants ont retrouvé leurs étals.")
    page.keyboard.press("Enter")

    # The library, newest first, searched (here by credit).
    page.get_by_role("button", name="Insérer une image de la médiathèque").click()
    dialog = page.get_by_role("dialog", name="Insérer une image")
    # The newsroom's ten pictures and these five.
    expect(dialog.locator(".image-chooser__choice")).to_have_count(15)
    load_all_images(page)
    page.screenshot(path=SCREENSHOTS / "chooser-1366x768.png")
    assert _blocking_axe_violations(page, ".image-chooser-dialog") == []
    dialog.get_by_label("Rechercher par légende, texte alternatif ou crédit").fill("quintal")
    dialog.get_by_role("button", name="Rechercher").click()
    expect(dialog.locator(".image-chooser__choice")).to_have_count(1)
    dialog.get_by_role("button", name="Le marché couvert, samedi matin").click()
    expect(dialog).to_be_hidden()
    # What is typed next goes into a paragraph after the figure, not into its caption.
    page.keyboard.type("La halle a été entièrement rénovée.")
    expect(page.locator(f"{EDITOR} figcaption")).to_have_text("Le marché couvert, samedi matin")

    # A picture uploaded from the chooser: first refused (not an image), then accepted.
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Insérer une image de la médiathèque").click()
    dialog.get_by_role("tab", name="Téléverser une image").click()
    assert _blocking_axe_violations(page, ".image-chooser-dialog") == []
    upload = dialog.locator(".image-chooser__upload")
    upload.locator("input[type=file]").set_input_files(
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"pas une image" * 50}
    )
    upload.get_by_label("Texte alternatif").fill("La façade de la halle")
    dialog.get_by_role("button", name="Téléverser et insérer").click()
    expect(dialog.get_by_role("alert").first).to_contain_text("image valide")
    upload = dialog.locator(".image-chooser__upload")
    upload.locator("input[type=file]").set_input_files(
        {"name": "facade.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    upload.get_by_label("Texte alternatif").fill("La façade de la halle")
    upload.get_by_label("Légende").fill("La façade restaurée")
    dialog.get_by_role("button", name="Téléverser et insérer").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"{EDITOR} figure")).to_have_count(2)

    # A video's address pasted on its own line becomes an embed; another address stays text.
    page.keyboard.type("Les images de l’inauguration :")
    page.keyboard.press("Enter")
    _paste(page, YOUTUBE)
    expect(page.locator(f"{EDITOR} .prose-embed")).to_contain_text("YouTube")
    page.keyboard.type("Et le site de la mairie : ")
    _paste(page, "https://mairie.example/marche")
    page.locator(f"{EDITOR} figure").first.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "editor-figures-1366x768.png")

    _pick_first(page, ".field-category")
    _pick_first(page, "#bylines-0 .field-author")
    page.locator("h1").click()
    assert page.evaluate("window.__cspViolations") == []
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("a été ajouté avec succès")

    article = Article.objects.get(title="Le marché rouvre ses portes")
    uploaded = Image.objects.get(alt_text="La façade de la halle")
    body = article.body
    assert f'<figure data-image="{market.pk}"><img src="{market.fallback_url}"' in body
    assert f'<figure data-image="{uploaded.pk}">' in body
    assert "<figcaption>Le marché couvert, samedi matin</figcaption></figure>" in body
    assert "</figure><p>La halle a été entièrement rénovée.</p>" in body
    assert f'<figure data-embed="youtube"><a href="{YOUTUBE}">{YOUTUBE}</a></figure>' in body
    assert "data-embed" not in body.split("mairie.example")[0].rsplit("<p>", 1)[-1]
    assert body.count("<figure") == 3
    assert problems.page_errors == []


def test_reader_page_with_pictures_and_embeds_is_valid_and_calls_no_third_party_before_a_click(
    new_page, live_server, transactional_db
):
    big = {"file__width": 1280, "file__height": 800}
    first = ImageFactory(caption="", credit="Photo : Léa Roux", file__color="seagreen", **big)
    second = ImageFactory(credit="AFP", file__color="indianred", **big)
    gone = ImageFactory()
    gone_reference = f'<figure data-image="{gone.pk}"><img src="{gone.file.url}" alt="x">'
    gone.delete()
    article = ArticleFactory(
        title="Le marché rouvre ses portes",
        body=(
            "<p>Les commerçants ont retrouvé leurs étals.</p>"
            f'<figure data-image="{first.pk}"><img src="{first.fallback_url}" alt="Les étals">'
            "<figcaption>Le marché couvert, samedi</figcaption></figure>"
            "<p>La halle a été rénovée.</p>"
            f'<figure data-embed="youtube"><a href="{YOUTUBE}">{YOUTUBE}</a></figure>'
            f'<figure data-image="{second.pk}"><img src="{second.fallback_url}" alt="La façade">'
            "</figure>"
            f"{gone_reference}<figcaption>Une photo retirée</figcaption></figure>"
            '<figure data-embed="mastodon"><a href="https://mastodon.social/@Gargron/1100000000">'
            "https://mastodon.social/@Gargron/1100000000</a></figure>"
            "<p>Fin.</p>"
        ),
    )
    page = new_page(viewport=LAPTOP)
    own = urlsplit(live_server.url).netloc
    third_party = []

    def route(request_route):
        if urlsplit(request_route.request.url).netloc != own:
            third_party.append(request_route.request.url)
            request_route.abort()  # never reach the network
        else:
            request_route.continue_()

    page.route(re.compile(r"^https?://"), route)
    response = page.goto(article.get_absolute_url())
    load_all_images(page)
    page.locator(".embed").first.scroll_into_view_if_needed()

    assert third_party == []
    html = response.text()
    assert nu_errors({"article-with-figures": html}) == []
    assert html.count("<picture>") == 2
    assert (
        "Une photo retirée" in html and '<img src="/media/' not in html.split("retirée")[0][-300:]
    )
    page.screenshot(path=SCREENSHOTS / "article-figures-1366x768.png")
    assert _blocking_axe_violations(page, ".article__body") == []
    expect(page.locator(".embed").first).to_contain_text("YouTube")
    assert page.evaluate("window.__cspViolations") == []

    page.get_by_role("button", name="Lire la vidéo ici").click()

    frame = page.locator("iframe.embed__frame")
    expect(frame).to_have_count(1)
    assert frame.get_attribute("src").startswith(
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    assert all(url.startswith("https://www.youtube-nocookie.com/") for url in third_party)
    assert page.evaluate("window.__cspViolations") == []
