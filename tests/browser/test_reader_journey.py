"""A reader's visit, as the reader sees it: from the home page to a story, then its author."""

import re

from django.conf import settings
from playwright.sync_api import expect

from articles.models import Article


def test_reader_goes_from_home_to_a_section_a_story_a_related_story_and_its_author(
    page, newsroom, problems
):
    lead, picked = newsroom.lead_story, newsroom.picked_story

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(settings.NEWSROOM_SITE_NAME)
    expect(page.get_by_role("region", name="À la une")).to_contain_text(lead.title)

    # The section, from the menu.
    page.get_by_role("navigation", name="Rubriques").get_by_role("link", name="Actualité").click()
    expect(page).to_have_url(re.compile(r"/actualite/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Actualité")
    breadcrumb = page.get_by_role("navigation", name="Fil d’Ariane")
    expect(breadcrumb.get_by_role("listitem")).to_have_text(["Accueil", "Actualité"])
    expect(breadcrumb.get_by_role("link", name="Accueil")).to_have_attribute("href", "/")
    subsections = page.get_by_role("navigation", name="Sous-rubriques")
    expect(subsections.get_by_role("link", name="International")).to_be_visible()

    # A story of its sub-section, listed with the section's own.
    page.get_by_role("main").get_by_role("link", name=lead.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lead.title)
    expect(page).to_have_title(f"{lead.title} – {settings.NEWSROOM_SITE_NAME}")
    expect(breadcrumb.get_by_role("listitem")).to_have_text(
        ["Accueil", "Actualité", "International", lead.title]
    )
    article = page.get_by_role("article").first
    # Kicker above the title, then the lead.
    assert re.match(rf"défense\s+{re.escape(lead.title.lower())}", article.inner_text().lower())
    expect(article.get_by_text(lead.lead)).to_be_visible()
    expect(article.get_by_text(re.compile(r"^Publié le \d{1,2} \w+ \d{4} à"))).to_be_visible()
    byline = article.get_by_text(re.compile(r"^Par\s"))
    expect(byline).to_have_text(re.compile(r"Par\s+Marie Dupont\s+et\s+Jean Martin"))
    expect(byline.get_by_role("link", name="Marie Dupont")).to_have_attribute(
        "href", "/auteurs/marie-dupont/"
    )

    image = article.get_by_role("img", name=f"Illustration : {lead.title}")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
    expect(article.get_by_text("Photo : Rédaction")).to_be_visible()
    expect(article.get_by_role("heading", level=2, name="Quatre bataillons")).to_be_visible()
    tags = article.get_by_role("list", name="Mots-clés").get_by_role("link")
    expect(tags).to_have_count(2)
    assert set(tags.all_inner_texts()) == {"Défense", "Otan"}

    read_also = page.get_by_role("region", name="Lire aussi")
    expect(read_also.get_by_role("link")).to_have_text(
        [picked.title, "Lire aussi The European Times"]
    )
    expect(read_also.get_by_role("link", name="Lire aussi The European Times")).to_have_attribute(
        "href", "https://www.european-times.example/otan"
    )

    read_more = page.get_by_role("region", name="Lire la suite")
    cards = read_more.get_by_role("article")
    expect(cards).to_have_count(3)
    for card in cards.all():
        expect(card.get_by_role("heading", level=3)).not_to_be_empty()
        expect(card.get_by_role("img")).to_have_count(1)
    related_titles = cards.get_by_role("heading").all_inner_texts()
    assert lead.title not in related_titles and len(set(related_titles)) == 3
    expect(page.get_by_role("heading", name="Inscrivez-vous à notre newsletter")).to_be_visible()

    # A related story, then its first author.
    related_title = cards.first.get_by_role("heading").inner_text()
    related_author = Article.objects.get(title=related_title).byline_authors[0].name
    cards.first.get_by_role("link", name=related_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(related_title)
    page.get_by_role("article").first.get_by_role("link", name=related_author).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(related_author)
    expect(page.get_by_role("main").get_by_role("link", name=related_title)).to_be_visible()

    assert problems.console_errors == []
    assert problems.page_errors == []


def test_draft_never_reaches_readers(page, newsroom):
    draft_title = newsroom.draft.title
    for path in ["/", "/actualite/", "/auteurs/marie-dupont/", "/tags/otan/"]:
        page.goto(path)
        expect(page.get_by_role("main")).to_be_visible()
        expect(page.get_by_text(draft_title)).to_have_count(0)

    response = page.goto(newsroom.draft.get_absolute_url())
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
