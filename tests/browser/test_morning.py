"""A journalist's morning, end to end, in a real browser.

Marie (Rédacteurs) writes a 600-word story with two library pictures (one uploaded from the
chooser), a YouTube video and a link, loses her tab and gets her text back, and submits it for
review; Claire (Éditeurs) finds it on her desk, reads the preview and the share card, sends it
back with a note; Marie fixes it and submits it again; Claire schedules it for tomorrow
morning. Every step is photographed at 1366×768 and 1920×1080 for docs/EDITORS.md.
"""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Autosave, Image
from tests.browser.conftest import CSP_LISTENER, DOCS_SCREENSHOTS, load_all_images
from tests.browser.test_body_media import EDITOR, YOUTUBE, _jpeg, _paste
from tests.browser.test_desk import SCREENS, _people, _sign_in
from tests.browser.test_editor_workflow import _pick_first
from tests.browser.test_writing import quiet  # noqa: F401 (a fixture)
from tests.factories import ImageFactory

LAPTOP = SCREENS["1366x768"]
TITLE = "La piscine Jean-Bouin rouvre après deux ans de travaux"
LEAD = (
    "Fermé depuis l’été 2024, le bassin olympique du quartier accueille de nouveau les nageurs "
    "dès lundi, avec un toit solaire et des horaires élargis."
)
LINK = "https://www.ville.example/piscines/jean-bouin"
FIX = "La mairie annonce une inauguration officielle le 14 mars, en présence de la ministre."
# The story as the author writes it: the first paragraph typed, the rest pasted from her notes.
TYPED = (
    "Les habitués attendaient ce jour depuis deux ans. Lundi à sept heures, les portes de la "
    "piscine Jean-Bouin se sont rouvertes sur un bassin de cinquante mètres entièrement refait, "
    "sous un toit couvert de panneaux solaires qui chauffent désormais l’eau une bonne partie "
    "de l’année."
)
NOTES = [
    "Le chantier, lancé à l’été 2024, devait durer quatorze mois. Il en aura duré vingt-six. "
    "La découverte d’amiante dans les faux plafonds, puis la faillite d’une des entreprises de "
    "charpente, ont repoussé la réouverture à trois reprises. Le coût final atteint 18,4 "
    "millions d’euros, contre 12 millions prévus au départ, dont un tiers financé par la "
    "région et l’État au titre de la rénovation énergétique des équipements sportifs.",
    "Dans le hall, la directrice de l’établissement, Sophie Marchal, accueille les premiers "
    "nageurs avec un café. « Certains venaient ici tous les matins depuis quarante ans. Pendant "
    "les travaux, ils allaient jusqu’à la piscine de la porte d’Orléans, à quarante minutes de "
    "bus. Beaucoup ont arrêté de nager. Les revoir ce matin, c’est notre plus belle "
    "récompense. »",
    "Les nouveautés sont nombreuses. Le bassin sportif est désormais accessible par un "
    "ascenseur et une rampe, un petit bassin d’apprentissage de vingt-cinq mètres a été créé "
    "pour les écoles du quartier, et les vestiaires collectifs ont laissé place à des cabines "
    "individuelles mixtes. Les douches récupèrent la chaleur des eaux usées, ce qui réduit la "
    "consommation de gaz de près de moitié selon les services techniques de la ville.",
    "Les horaires, surtout, changent. La piscine ouvrira désormais de sept heures à vingt-deux "
    "heures en semaine, et le dimanche toute la journée, une demande ancienne des associations "
    "d’usagers. Le tarif reste fixé à trois euros l’entrée, avec une carte de dix entrées à "
    "vingt-cinq euros et la gratuité pour les moins de douze ans accompagnés d’un adulte.",
    "Tout le monde n’est pas convaincu. Le club de natation du quartier, qui comptait trois "
    "cents licenciés avant la fermeture, n’en compte plus que cent quarante. Son président, "
    "Karim Benali, regrette que les créneaux réservés aux clubs aient été réduits de huit à "
    "six heures par semaine. « On nous demande de reconstruire une équipe avec moins d’eau "
    "qu’avant. Nous allons écrire au maire pour obtenir au moins les créneaux du samedi matin. »",
    "Du côté des riverains, les critiques portent sur le stationnement. Le parking de "
    "l’ancienne piscine a été transformé en jardin et en abri pour les vélos, et les places "
    "de la rue voisine sont prises dès huit heures. La mairie assume ce choix et rappelle que "
    "deux lignes de bus et une station de vélos en libre-service desservent l’équipement.",
    "Les écoles, elles, reviendront dès la rentrée de janvier. Chaque élève de cours "
    "élémentaire bénéficiera de dix séances d’apprentissage, dans le cadre du plan national "
    "« savoir nager ». Les maîtres-nageurs, dont l’équipe a été portée de huit à douze "
    "personnes, seront formés à l’accueil des enfants en situation de handicap.",
    "Pour les nageurs du matin, la réouverture a des airs de retrouvailles. Dans le couloir "
    "des nageurs rapides, Jacqueline, soixante-dix-huit ans, enchaîne les longueurs de brasse "
    "sans lever la tête. « L’eau est plus chaude qu’avant, et on voit le ciel à travers le "
    "toit. Je ne pensais pas revenir un jour. Je reviendrai demain, et après-demain aussi. »",
    "La ville prévoit de rénover selon le même principe les deux autres piscines de "
    "l’arrondissement d’ici 2030. Les études sont en cours pour la piscine des Batignolles, "
    "dont le toit fuit depuis plusieurs hivers, et dont la fermeture pourrait intervenir dès "
    "l’automne prochain. Les associations demandent cette fois un calendrier tenu.",
]


def _shoot(page, step, target=None):
    """``morning-<step>-<screen>.png`` at both screens, ``target`` in view; back to the laptop."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for screen, viewport in SCREENS.items():
        page.set_viewport_size(viewport)
        if target is not None:
            target.scroll_into_view_if_needed()
        page.screenshot(path=DOCS_SCREENSHOTS / f"morning-{step}-{screen}.png")
    page.set_viewport_size(LAPTOP)


def _open_change_form(page, article):
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    expect(page.locator(EDITOR)).to_be_visible()
    return page.locator(EDITOR)


def _insert_picture_from_library(page, search, caption):
    page.get_by_role("button", name="Insérer une image de la médiathèque").click()
    dialog = page.get_by_role("dialog", name="Insérer une image")
    expect(dialog.locator(".image-chooser__choice").first).to_be_visible()
    dialog.get_by_label("Rechercher par légende, texte alternatif ou crédit").fill(search)
    dialog.get_by_role("button", name="Rechercher").click()
    expect(dialog.locator(".image-chooser__choice")).to_have_count(1)
    load_all_images(page)
    _shoot(page, "chooser")
    dialog.get_by_role("button", name=caption).click()
    expect(dialog).to_be_hidden()


def _upload_picture(page, alt, caption):
    page.get_by_role("button", name="Insérer une image de la médiathèque").click()
    dialog = page.get_by_role("dialog", name="Insérer une image")
    dialog.get_by_role("tab", name="Téléverser une image").click()
    upload = dialog.locator(".image-chooser__upload")
    upload.locator("input[type=file]").set_input_files(
        {"name": "bassin.jpg", "mimeType": "image/jpeg", "buffer": _jpeg("teal", (1200, 800))}
    )
    upload.get_by_label("Texte alternatif").fill(alt)
    upload.get_by_label("Légende").fill(caption)
    _shoot(page, "upload")
    dialog.get_by_role("button", name="Téléverser et insérer").click()
    expect(dialog).to_be_hidden()


def _link_a_word(page, surface, word, url):
    # The word selected as with the mouse (a double click would take "l’" with it).
    surface.evaluate(
        """(editor, word) => {
          const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
          while (walker.nextNode() && !walker.currentNode.data.includes(word));
          const node = walker.currentNode, start = node.data.indexOf(word);
          editor.focus();
          getSelection().setBaseAndExtent(node, start, node, start + word.length);
        }""",
        word,
    )
    expect(
        page.locator(".prose-menubar").get_by_role("button", name="Ajouter ou modifier un lien")
    ).to_be_enabled()
    page.locator(".prose-menubar").get_by_role("button", name="Ajouter ou modifier un lien").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Adresse (URL)").fill(url)
    _shoot(page, "link")
    dialog.get_by_role("button", name="Valider").click()
    expect(surface.locator(f'a[href="{url}"]')).to_have_text(word)


def _write_the_story(page, surface):
    """Title, lead, 600 words, two pictures, a video and a link; no picture address typed."""
    surface.click()
    page.keyboard.type(TYPED)
    page.keyboard.press("Enter")
    _insert_picture_from_library(page, "Bouin", "Le bassin olympique avant sa fermeture")
    _paste(page, "\n\n".join(NOTES[:4]))
    page.keyboard.press("Enter")
    _upload_picture(page, "Le nouveau toit solaire vu du bassin", "Le toit solaire, lundi matin")
    _paste(page, "\n\n".join(NOTES[4:]))
    page.keyboard.press("Enter")
    page.keyboard.type("Le reportage vidéo de la rédaction :")
    page.keyboard.press("Enter")
    _paste(page, YOUTUBE)
    expect(surface.locator(".prose-embed")).to_contain_text("YouTube")
    _link_a_word(page, surface, "arrondissement", LINK)
    expect(surface.locator("figure:has(img)")).to_have_count(2)
    expect(page.locator("#newsroom-writing-status")).to_contain_text("mots")
    words = int(
        page.locator("#newsroom-writing-status").inner_text().split()[0].replace("\u202f", "")
    )
    assert words >= 600, words
    _shoot(page, "writing", surface.locator(".prose-embed"))


def test_a_journalists_morning(browser, live_server, new_page, newsroom, problems, quiet):  # noqa: F811
    editor, author = _people(newsroom)
    ImageFactory(
        caption="Le bassin olympique avant sa fermeture",
        alt_text="Le grand bassin vide, carrelage bleu",
        credit="Archives Jean-Bouin",
    )
    tomorrow = timezone.localtime() + timedelta(days=1)

    # Marie's own browser: she will close her tab by accident and leave anyway.
    context = browser.new_context(
        base_url=live_server.url, viewport=LAPTOP, locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(5_000)
    context.add_init_script(CSP_LISTENER)
    left = []

    def leave_anyway(dialog):
        left.append(dialog.type)
        dialog.accept()

    context.on("page", lambda page: page.on("dialog", leave_anyway))
    context.on("weberror", lambda error: problems.page_errors.append(str(error.error)))
    marie = context.new_page()

    # 1. Marie starts a story from her desk and saves it as a draft.
    _sign_in(marie, author)
    _shoot(marie, "desk-author")
    marie.get_by_role("link", name="Nouvel article").click()
    marie.get_by_role("textbox", name="Titre :", exact=True).fill(TITLE)
    marie.locator("#id_lead").fill(LEAD)
    _pick_first(marie, ".field-category")
    expect(marie.locator("#bylines-0 .field-author")).to_contain_text("Marie Dupont")
    marie.locator("input[name=_continue]").click()
    expect(marie.locator(".messagelist")).to_contain_text("a été ajouté avec succès")
    article = Article.objects.get(title=TITLE)

    # 2. She writes it, with pictures, a video and a link.
    surface = marie.locator(EDITOR)
    _write_the_story(marie, surface)

    # 3. The tab closes by accident; the text comes back from the autosave.
    marie.close(run_before_unload=True)
    marie.wait_for_event("close")
    assert left == ["beforeunload"]  # the browser asked first; she left anyway
    marie = context.new_page()
    # The beacon sent as the tab closed arrives (the browser does not report it).
    for _ in range(50):
        if Autosave.objects.filter(user=author, article=article).exists():
            break
        marie.wait_for_timeout(100)
    assert "arrondissement" in Autosave.objects.get(user=author, article=article).body
    surface = _open_change_form(marie, article)
    expect(surface).not_to_contain_text("Jacqueline")
    banner = marie.locator("#newsroom-restore")
    expect(banner).to_contain_text("plus récent que cet article")
    _shoot(marie, "restore")
    banner.get_by_role("button", name="Restaurer").click()
    expect(surface).to_contain_text("Jacqueline, soixante-dix-huit ans")
    expect(surface.locator("figure:has(img)")).to_have_count(2)
    expect(surface.locator(".prose-embed")).to_contain_text("YouTube")

    # 4. She submits it for review; the editors get an e-mail.
    marie.get_by_role("button", name="Soumettre à la relecture").click()
    expect(marie.locator(".messagelist")).to_contain_text(f"« {TITLE} » est en relecture")
    expect(marie.locator(".desk-list--review")).to_contain_text(TITLE)  # back on her desk
    _shoot(marie, "submitted")
    assert [(m.to, m.subject) for m in mail.outbox] == [([editor.email], f"À relire : {TITLE}")]
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    uploaded = Image.objects.get(alt_text="Le nouveau toit solaire vu du bassin")
    assert f'<figure data-image="{uploaded.pk}">' in article.body
    assert re.search(f'<a href="{re.escape(LINK)}"[^>]*>arrondissement</a>', article.body)
    assert f'<figure data-embed="youtube"><a href="{YOUTUBE}">' in article.body

    # 5. Claire finds it on her desk, in review.
    claire = new_page(viewport=LAPTOP)
    _sign_in(claire, editor)
    review = claire.locator(".desk-list--review")
    expect(review).to_contain_text(TITLE)
    expect(review.locator(".desk-story", has_text=TITLE)).to_contain_text("Marie Dupont")
    _shoot(claire, "desk-review")
    review.get_by_role("link", name=TITLE).click()
    expect(claire.locator("#id_title")).to_have_value(TITLE)

    # 6. The preview shows the story as readers will: pictures, the video's card.
    with claire.context.expect_page() as opened:
        claire.get_by_role("link", name="Aperçu").click()
    preview = opened.value
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(preview.locator(".article__body picture")).to_have_count(2)
    expect(preview.locator(".article__body figcaption").first).to_contain_text("Le bassin")
    expect(preview.locator(".embed")).to_contain_text("YouTube")
    expect(preview.get_by_role("link", name="arrondissement")).to_have_attribute("href", LINK)
    load_all_images(preview)
    _shoot(preview, "preview", preview.locator(".embed"))
    preview.close()

    # 7. The share card, then back to the author with a note.
    prepublish = claire.locator(".desk-prepublish")
    expect(claire.locator('[data-preview="card-title"]')).to_contain_text(TITLE)
    expect(prepublish).to_contain_text("Jean-Bouin")
    expect(claire.locator(".desk-checklist")).to_contain_text("Pas d’image principale")
    _shoot(claire, "share-card", prepublish)
    claire.locator("#id_review_note").fill("Ajoute la date de l’inauguration officielle.")
    _shoot(claire, "send-back", claire.locator("#id_review_note"))
    claire.get_by_role("button", name="Renvoyer au rédacteur").click()
    expect(claire.locator(".messagelist")).to_contain_text("est renvoyé à ses auteurs")
    assert [(m.to, m.subject) for m in mail.outbox[1:]] == [
        ([author.email], f"Renvoyé pour reprise : {TITLE}")
    ]

    # 8. Marie reads the note on her desk, fixes the story and submits it again.
    marie.goto("/admin/")
    note = marie.locator(".desk-story__note")
    expect(note).to_contain_text("Renvoyé par Claire Vasseur")
    expect(note).to_contain_text("date de l’inauguration officielle")
    _shoot(marie, "note")
    marie.locator("#desk-drafts ~ ul, #desk-drafts + ul").first.get_by_role(
        "link", name=TITLE
    ).click()
    surface = marie.locator(EDITOR)
    surface.locator("p", has_text="Les écoles, elles").click()
    marie.keyboard.press("End")
    marie.keyboard.type(" " + FIX)
    marie.get_by_role("button", name="Soumettre à la relecture").click()
    expect(marie.locator(".messagelist")).to_contain_text("est en relecture")
    assert [m.to for m in mail.outbox[2:]] == [[editor.email]]

    # 9. Claire schedules it for tomorrow at 07:00: it waits under "Programmés".
    _open_change_form(claire, article)
    expect(claire.locator(EDITOR)).to_contain_text(FIX)
    claire.locator("#id_status").select_option("published")
    claire.locator("#id_published_at_0").fill(tomorrow.strftime("%d/%m/%Y"))
    claire.locator("#id_published_at_1").fill("07:00:00")
    claire.locator("input[name=_continue]").click()
    expect(claire.locator(".field-publication_state")).to_contain_text(
        f"Programmé pour le {tomorrow:%d/%m} à 07:00"
    )
    claire.goto("/admin/")
    scheduled = claire.locator(".desk-list--scheduled .desk-story", has_text=TITLE)
    expect(scheduled).to_contain_text("07:00")
    expect(claire.locator(".desk-list--review")).not_to_contain_text(TITLE)
    _shoot(claire, "scheduled", scheduled)
    article.refresh_from_db()
    assert article.is_scheduled and FIX in article.body
    assert claire.request.get(article.get_absolute_url()).status == 404  # not out yet

    for page in (marie, claire):
        assert page.evaluate("window.__cspViolations") == []
    assert problems.page_errors == [] and problems.console_errors == []
