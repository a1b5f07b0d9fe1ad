"""Keyboard use: the skip link comes first and takes the reader past the header."""

from playwright.sync_api import expect


def _tab_to_skip_link(page):
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0  # off-screen until focused, then shown
    return skip_link


def test_skip_link_is_the_first_tab_stop_and_the_next_tab_lands_in_main(page, newsroom):
    page.goto(newsroom.lead_story.get_absolute_url())
    _tab_to_skip_link(page)

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    expect(page).to_have_url(f"{page.url.split('#')[0]}#contenu")
    expect(page.get_by_role("main").locator(":focus")).to_have_count(1)


def test_skip_link_moves_focus_to_main(page, newsroom):
    page.goto(newsroom.lead_story.get_absolute_url())
    _tab_to_skip_link(page)

    page.keyboard.press("Enter")

    # Focus itself must move for screen readers to announce the new place: <main> needs
    # tabindex="-1" for that, or focus stays on <body>.
    expect(page.get_by_role("main")).to_be_focused(timeout=1_000)
