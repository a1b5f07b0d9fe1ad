"""Rows of stories that fill their width: the home page's section rows and the first page of a
list are laid out by their number of stories (components/story_row.html, site.css)."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db


class _Rows(HTMLParser):
    """For every element with class ``row``: its layout and the classes of its cards."""

    def __init__(self):
        super().__init__()
        self.rows, self._depth, self._open = [], 0, None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._open is not None:
            self._depth += 1
            if "card" in classes:
                self.rows[-1][1].append(classes)
        elif "row" in classes:
            layout = next(c for c in classes if c.startswith("row--"))
            self.rows.append((layout, []))
            self._open, self._depth = tag, 0

    def handle_endtag(self, tag):
        if self._open is not None:
            if self._depth == 0:
                self._open = None
            else:
                self._depth -= 1


def _rows(content):
    parser = _Rows()
    parser.feed(content)
    return parser.rows


def _section_rows(content):
    """The home page's rows, by section title."""
    rows = {}
    for block in re.findall(r'<section class="section-block".*?</section>', content, re.S):
        title = re.search(r'class="block-title"><a [^>]*>([^<]+)</a>', block).group(1)
        rows[title] = _rows(block)
    return rows


@pytest.fixture
def uneven_home():
    """Seven newer stories for the top story and the latest news, then sections with one, two,
    three and six stories."""
    now, image = timezone.now(), ImageFactory()
    une = CategoryFactory(name="À la une", menu_order=0)
    for hours in range(7):
        ArticleFactory(
            category=une, published_at=now - timedelta(hours=hours), featured_image=image
        )
    for order, (name, count) in enumerate(
        [("Culture", 1), ("Sport", 2), ("Monde", 3), ("Économie", 6)], start=1
    ):
        section = CategoryFactory(name=name, menu_order=order)
        for n in range(count):
            ArticleFactory(
                category=section,
                published_at=now - timedelta(days=1, hours=order * 10 + n),
                featured_image=image,
            )


def test_home_section_rows_are_laid_out_by_their_number_of_stories(client, uneven_home):
    rows = _section_rows(client.get(reverse("articles:home")).content.decode())

    assert rows["Culture"] == [("row--one", [["card"]])]
    assert rows["Sport"] == [("row--two", [["card"]] * 2)]
    assert rows["Monde"] == [("row--three", [["card"]] * 3)]
    # Many: the newest large, three beside it (a section block shows four at most).
    assert rows["Économie"] == [
        ("row--lead", [["card", "card--lead"], ["card"], ["card"], ["card"]])
    ]


def test_every_layout_has_its_columns_in_the_stylesheet():
    from django.contrib.staticfiles import finders

    with open(finders.find("css/site.css"), encoding="utf-8") as css:
        rules = css.read()

    assert ".row--two { grid-template-columns: repeat(2, 1fr); }" in rules
    assert ".row--three { grid-template-columns: repeat(3, 1fr); }" in rules
    assert ".row--lead { grid-template-columns: 2fr 1fr;" in rules
    assert ".row--lead .card--lead { grid-row: span 3; }" in rules
    assert ".row--one .card { display: grid; grid-template-columns: 3fr 2fr;" in rules


@pytest.mark.parametrize(
    ("count", "layout"), [(1, "row--one"), (2, "row--two"), (3, "row--three"), (9, "row--lead")]
)
def test_a_section_page_opens_on_a_row_laid_out_by_its_number_of_stories(client, count, layout):
    section = CategoryFactory(slug="monde")
    for n in range(count):
        ArticleFactory(category=section, published_at=timezone.now() - timedelta(hours=n + 1))

    content = client.get(reverse("articles:category", args=["monde"])).content.decode()

    rows = _rows(content)
    assert [row[0] for row in rows] == [layout]
    assert len(rows[0][1]) == min(count, 4)
    cards = re.findall(r'<article class="card[ "]', content)
    assert len(cards) == count  # the stories after the first four follow in the grid


def test_second_page_of_a_section_is_a_plain_grid(client):
    section = CategoryFactory(slug="monde")
    for n in range(25):
        ArticleFactory(category=section, published_at=timezone.now() - timedelta(hours=n + 1))

    content = client.get(reverse("articles:category", args=["monde"]), {"page": 2}).content.decode()

    assert _rows(content) == []
    assert len(re.findall(r'<article class="card"', content)) == 5
