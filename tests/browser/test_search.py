"""Search from the header, and hostile queries that must leave a plain, harmless page."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect


def test_header_search_lists_matching_stories_with_the_words_highlighted(page, newsroom):
    page.goto("/")
    page.get_by_role("search").get_by_role("searchbox", name="Rechercher sur le site").fill("Otan")
    page.get_by_role("search").get_by_role("button", name="Rechercher").click()

    expect(page).to_have_url(re.compile(r"/recherche/\?q=Otan$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher")
    expect(page.get_by_role("status")).to_have_text("2 résultats pour « Otan »")
    titles = page.get_by_role("main").get_by_role("article").get_by_role("heading")
    expect(titles).to_have_count(len(newsroom.otan_stories))
    # Ranked by relevance on PostgreSQL, by date on SQLite: the order is the engine's.
    assert set(titles.all_inner_texts()) == {story.title for story in newsroom.otan_stories}
    marks = page.get_by_role("main").locator("mark")
    expect(marks.first).to_be_visible()
    for text in marks.all_inner_texts():
        assert text.lower().startswith("otan")
    expect(page.get_by_text(newsroom.draft.title)).to_have_count(0)
    # The query stays in the box, ready to be refined.
    expect(page.get_by_role("searchbox", name="Mots à rechercher")).to_have_value("Otan")


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        "Otan " * 1000,
        '<script>alert(1)</script>"><img src=x onerror=alert(2)>',
    ],
    ids=["sql", "5000-characters", "script"],
)
def test_hostile_search_shows_a_normal_page_and_runs_nothing(page, newsroom, problems, query):
    response = page.goto(f"/recherche/?{urlencode({'q': query})}")

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher")
    # The query is shown as text, at most 200 characters of it, never as markup.
    cleaned = " ".join(query.split())[:200]
    expect(page.get_by_role("status")).to_contain_text(f"pour « {cleaned} »")
    expect(page.get_by_role("searchbox", name="Mots à rechercher")).to_have_value(cleaned)
    expect(page.get_by_role("searchbox", name="Rechercher sur le site")).to_have_value(cleaned)
    expect(page.locator("[onerror], img[src='x']")).to_have_count(0)
    expect(page.locator("script").filter(has_text="alert")).to_have_count(0)
    if "1=1" in query:
        expect(page.get_by_role("status")).to_contain_text("0 résultat")
        expect(page.get_by_role("main").get_by_role("article")).to_have_count(0)
    page.wait_for_load_state("load")
    assert problems.dialogs == []
    assert problems.page_errors == []
