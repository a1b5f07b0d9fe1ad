"""The body's figures as readers see them: library pictures and embeds, rendered from the
references the body stores (articles/sanitizing.py), never from stored markup.

- ``<figure data-image="42">…</figure>``: the library image 42 as the lead picture is shown
  (``<picture>``, WebP and fallback ``srcset``, width and height, lazy loading), with the
  body's caption (else the library's) and the library's credit. Every picture of a body is
  fetched in one query. A picture deleted from the library leaves its caption, or nothing:
  never a broken image.
- ``<figure data-embed="youtube"><a href="…">…</a></figure>``: a card (source, title or
  address, link) whose button loads the player, only once clicked (static/js/embeds.js).
"""

import html
import re

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from articles import embeds
from articles.models import Image

# The body is stored as the sanitiser writes it: attributes in double quotes. A figure holds an
# image and a caption, or a link; one written inside another (by hand, in the HTML) is rendered
# alone and the outer one left as stored: no text lost, no tag left open.
_FIGURE = re.compile(r"<figure((?:\s[^>]*)?)>((?:(?!<figure[\s>]).)*?)</figure>", re.S)
# As the sanitiser writes it, no leading zero (another writing escapes the protection of the
# pictures readers see: it shows no picture).
_IMAGE_ID = re.compile(r'\sdata-image="([1-9]\d{0,17})"')
_PROVIDER = re.compile(r'\sdata-embed="([a-z]+)"')
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
_LINK = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def image_ids(body):
    """The ids of the library images ``body`` shows, in order."""
    ids = []
    for match in _FIGURE.finditer(body or ""):
        found = _IMAGE_ID.search(match.group(1))
        if found:
            ids.append(int(found.group(1)))
    return ids


def render(body):
    """``body`` (sanitised HTML) with its figures as the reader's page shows them: one query
    for all its library pictures, none without any."""
    return render_all([body])[0]


def render_all(bodies):
    """``bodies`` (a live story's entries) rendered as ``render`` does, with one query for
    the library pictures of all of them."""
    ids = [pk for body in bodies if body and "<figure" in body for pk in image_ids(body)]
    library = Image.objects.in_bulk(ids) if ids else {}
    return [_render(body, library) for body in bodies]


def _render(body, library):
    if not body or "<figure" not in body:
        return body
    picture = get_template("components/body_picture.html")
    card = get_template("components/embed.html")

    def replace(match):
        attributes, inner = match.groups()
        caption = _CAPTION.search(inner)
        caption = mark_safe(caption.group(1).strip()) if caption else None  # sanitised HTML
        image_id = _IMAGE_ID.search(attributes)
        if image_id:
            image = library.get(int(image_id.group(1)))
            if not (image and image.file and image.width):
                image = None
            if caption is None and image:  # no caption of its own: the library's
                caption = image.caption
            return picture.render({"image": image, "caption": caption}).strip()
        provider = _PROVIDER.search(attributes)
        link = _LINK.search(inner)
        if provider and link:
            url = html.unescape(link.group(1))
            found = embeds.embed(provider.group(1), url)
            if found:
                text = html.unescape(_TAG.sub("", link.group(2))).strip()
                return card.render(
                    {
                        "embed": found,
                        "title": "" if text == url else text,
                        "caption": caption,
                    }
                ).strip()
        return match.group(0)

    return mark_safe(_FIGURE.sub(replace, body))
