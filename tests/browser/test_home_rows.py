"""The home page's section rows fill their width whatever their number of stories, seen by
the browser at 1366×768; a screenshot of the page is kept in test-output/screenshots."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import REPO_ROOT, load_all_images
from tests.factories import ArticleFactory, CategoryFactory, ImageFactory

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}
COLOURS = ["steelblue", "darkolivegreen", "indianred", "goldenrod", "slategray", "teal"]

# For every row: its layout, its width and the edges of its cards.
ROWS = """() => [...document.querySelectorAll(".section-block .row")].map((row) => {
  const box = row.getBoundingClientRect();
  return {
    layout: [...row.classList].find((name) => name.startsWith("row--")),
    left: box.left, right: box.right,
    cards: [...row.querySelectorAll(".card")].map((card) => {
      const edge = card.getBoundingClientRect();
      return {left: edge.left, right: edge.right, top: edge.top, width: edge.width};
    }),
  };
})"""


@pytest.fixture
def uneven_home(transactional_db):
    now = timezone.now()
    headlines = [
        "Le conseil municipal adopte le budget",
        "La ligne de tramway prolongée jusqu’au port",
        "Grève des contrôleurs aériens ce week-end",
        "Les vendanges commencent sous la pluie",
        "Le festival de jazz affiche complet",
        "Un nouveau collège ouvrira en 2028",
        "La piscine municipale rouvre ses portes",
    ]
    une = CategoryFactory(name="Actualité", slug="actualite", menu_order=0)
    for hours, title in enumerate(headlines):
        ArticleFactory(
            category=une,
            title=title,
            published_at=now - timedelta(hours=hours),
            featured=hours == 0,
            featured_image=ImageFactory(file__color=COLOURS[hours % 6]),
        )
    sections = [("Culture", 1), ("Sport", 2), ("Monde", 3), ("Économie", 4)]
    for order, (name, count) in enumerate(sections, start=1):
        section = CategoryFactory(name=name, menu_order=order)
        for n in range(count):
            ArticleFactory(
                category=section,
                title=f"{name} : une histoire du jour, numéro {n + 1}",
                lead="Le récit, le contexte et les réactions des habitants, heure par heure.",
                published_at=now - timedelta(days=1, hours=order * 10 + n),
                featured_image=ImageFactory(file__color=COLOURS[(order + n) % 6]),
            )


def test_home_rows_fill_their_width_with_one_two_three_and_many_stories(new_page, uneven_home):
    page = new_page(viewport=LAPTOP)
    page.goto("/")
    load_all_images(page)

    rows = page.evaluate(ROWS)

    assert [row["layout"] for row in rows] == ["row--one", "row--two", "row--three", "row--lead"]
    for row in rows:
        cards = row["cards"]
        # The first card starts at the row's left edge, a card ends at its right edge: no
        # empty column.
        assert abs(cards[0]["left"] - row["left"]) < 1, row["layout"]
        assert abs(max(card["right"] for card in cards) - row["right"]) < 1, row["layout"]
        if row["layout"] in ("row--two", "row--three"):  # side by side, equal widths
            assert len({card["top"] for card in cards}) == 1
            assert max(c["width"] for c in cards) - min(c["width"] for c in cards) < 1
    lead, *others = rows[-1]["cards"]
    assert lead["width"] > 1.5 * others[0]["width"]  # the lead story large, the others beside
    assert all(card["left"] > lead["right"] for card in others)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "home-uneven-sections.png", full_page=True)
