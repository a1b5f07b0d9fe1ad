"""What an editor checks before publishing: how search engines and social networks will show
the story, and a checklist of what is missing (warnings, never a refusal)."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.core.exceptions import ObjectDoesNotExist
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from articles import seo
from newsroom.site import absolute_url

# Roughly what each shows before cutting with "…" (Google measures pixels; these are the
# usual character budgets of a desktop result and of a large social card).
SEARCH_TITLE_CHARS = 60
SEARCH_DESCRIPTION_CHARS = 155
CARD_TITLE_CHARS = 70
CARD_DESCRIPTION_CHARS = 110
# The article cards of the home and section pages show this many words of the lead
# (templates/components/article_card.html, truncatewords:30).
CARD_LEAD_WORDS = 30


@dataclass(frozen=True)
class Counted:
    """A text as a page shows it, with the budget after which it is cut."""

    text: str
    limit: int

    @property
    def length(self):
        return len(self.text)

    @property
    def is_cut(self):
        return self.length > self.limit

    @property
    def shown(self):
        return Truncator(self.text).chars(self.limit)


@dataclass(frozen=True)
class Preview:
    url: str
    search_title: Counted
    search_description: Counted
    card_title: Counted
    card_description: Counted
    image: dict | None  # seo.share_image() of the lead picture
    image_alt: str


def _lead_picture(article):
    """The article's lead picture, or None (a restored version may name one deleted since)."""
    if not article.featured_image_id:
        return None
    try:
        return article.featured_image
    except ObjectDoesNotExist:
        return None


def preview(article):
    """The search result and the social card of ``article`` as it stands (saved or not)."""
    description = seo.description(article) if (article.meta_description or article.lead) else ""
    image = _lead_picture(article)
    has_address = article.pk and article.category_id and article.slug
    return Preview(
        url=absolute_url(article.get_absolute_url()) if has_address else "",
        search_title=Counted(seo.page_title(article), SEARCH_TITLE_CHARS),
        search_description=Counted(description, SEARCH_DESCRIPTION_CHARS),
        card_title=Counted(seo.share_title(article), CARD_TITLE_CHARS),
        card_description=Counted(description, CARD_DESCRIPTION_CHARS),
        image=seo.share_image(image) if image and image.width else None,
        image_alt=image.alt_text if image else "",
    )


class _ImagesWithoutAlt(HTMLParser):
    def __init__(self):
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.count += 1


def images_without_alt(body):
    """How many pictures of a body's HTML have no alternative text."""
    parser = _ImagesWithoutAlt()
    parser.feed(body or "")
    return parser.count


def checklist(article):
    """Warnings about what readers, search engines and cards will miss: (code, message) pairs,
    empty when all is in order. None of them stops a publication."""
    warnings = []
    image = _lead_picture(article)
    if image is None:
        warnings.append(("no_picture", _("No lead picture: cards and shares will show no photo.")))
    elif not image.alt_text.strip():
        warnings.append(("picture_alt", _("The lead picture has no alternative text.")))
    missing_alt = images_without_alt(article.body)
    if missing_alt:
        warnings.append(
            (
                "body_alt",
                _("Pictures in the text without alternative text: %(count)d.")
                % {"count": missing_alt},
            )
        )
    lead_words = len(re.sub(r"\s+", " ", article.lead or "").split())
    if lead_words > CARD_LEAD_WORDS:
        warnings.append(
            (
                "long_lead",
                _("The lead has %(words)d words: cards show the first %(shown)d, the rest is cut.")
                % {"words": lead_words, "shown": CARD_LEAD_WORDS},
            )
        )
    if not article.category_id:
        warnings.append(("no_section", _("No section: choose one before publishing.")))
    return warnings
