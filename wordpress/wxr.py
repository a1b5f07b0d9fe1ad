"""Reading a WordPress export (WXR 1.0 to 1.2) as a stream.

``read(path)`` yields the site's description, then its authors, categories and tags, then its
items (posts, pages, attachments, menu entries…), one plain dict at a time; each element is
dropped once read, so memory does not grow with the file. Python's expat refuses entity
declarations that multiply (the "billion laughs"), and ElementTree resolves no external entity.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

ZERO_DATE = "0000-00-00 00:00:00"
NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
CHANNEL_LEVEL = {"wp:author", "wp:category", "wp:tag", "wp:term", "item"}
POST_ID = re.compile(r"[0-9]{1,20}")  # ASCII digits, no longer than a database's id


class WXRError(Exception):
    """The file is not a WordPress export that can be read to its end."""


@dataclass
class Site:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""


def post_query(number):
    """``/?p=123``, WordPress's address of post 123 as an old address stores it, or None when
    ``number`` is no post id (not a plain number: "-1", "²", "１２", five thousand digits)."""
    number = (number or "").strip()
    if not POST_ID.fullmatch(number):
        return None
    return f"/?p={number.lstrip('0') or '0'}"


def _name(tag):
    """``{uri}local`` as ``prefix:local`` whatever the export's version ("wp:post_id")."""
    if not tag.startswith("{"):
        return tag
    uri, _brace, local = tag[1:].partition("}")
    prefix = NAMESPACES.get(uri)
    if prefix is None and uri.startswith("http://wordpress.org/export/"):
        prefix = "excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"
    return f"{prefix or uri}:{local}"


def _text(element):
    return (element.text or "").strip() if element is not None else ""


def _fields(element):
    """An element's children as {name: text}, the first of each name."""
    found = {}
    for child in element:
        found.setdefault(_name(child.tag), child.text or "")
    return found


def _item(element):
    item = {"categories": [], "meta": {}, "comments": 0}
    for child in element:
        name = _name(child.tag)
        if name == "category":
            domain = child.get("domain", "")
            item["categories"].append((domain, child.get("nicename", ""), (child.text or "")))
        elif name == "wp:postmeta":
            meta = _fields(child)
            item["meta"].setdefault(meta.get("wp:meta_key", ""), meta.get("wp:meta_value", ""))
        elif name == "wp:comment":
            item["comments"] += 1
        else:
            item.setdefault(name, child.text or "")
    return item


def _term(element):
    return {key: value.strip() for key, value in _fields(element).items()}


def read(path):
    """Yield ``("site", Site)`` once the channel's head is read, then ``(kind, dict)`` for
    every author, category, tag and item, in the file's order; raise WXRError on a file that
    is malformed, truncated or not an export."""
    site, announced, depth, channel = Site(), False, 0, None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise WXRError(
                        "Ce fichier n’est pas un export WordPress (pas d’élément <rss>)."
                    )
                if depth == 2 and _name(element.tag) == "channel":
                    channel = element
                continue
            depth -= 1
            name = _name(element.tag)
            if depth != 2 or channel is None:
                continue
            if name not in CHANNEL_LEVEL:
                _read_head(site, name, element)
                continue
            if not announced:
                announced = True
                if not site.wxr_version:
                    raise WXRError(
                        "Ce fichier n’est pas un export WordPress (pas de <wp:wxr_version>)."
                    )
                yield "site", site
            kind = name.removeprefix("wp:")
            yield kind, _item(element) if kind == "item" else _term(element)
            channel.remove(element)
    except ET.ParseError as error:
        raise WXRError(_describe(error)) from None
    if channel is None:
        raise WXRError("Ce fichier n’est pas un export WordPress (pas d’élément <channel>).")
    if not announced:
        if not site.wxr_version:
            raise WXRError("Ce fichier n’est pas un export WordPress (pas de <wp:wxr_version>).")
        yield "site", site


def _read_head(site, name, element):
    if name == "title":
        site.title = _text(element)
    elif name == "link":
        site.link = _text(element)
    elif name == "wp:base_site_url":
        site.base_site_url = _text(element)
    elif name == "wp:base_blog_url":
        site.base_blog_url = _text(element)
    elif name == "wp:wxr_version":
        site.wxr_version = _text(element)


def _describe(error):
    line, column = getattr(error, "position", (0, 0))
    message = str(error)
    if "amplification" in message or "recursive entity" in message:
        return (
            "Le fichier déclare des entités XML qui se multiplient (attaque « billion laughs ») : "
            "import refusé, rien n’a été écrit."
        )
    if "no element found" in message or "unclosed token" in message:
        return (
            f"Le fichier s’arrête avant la fin de l’export (ligne {line}) : il est tronqué. "
            "Exportez-le de nouveau ou copiez-le en entier, puis relancez l’import. "
            "Rien n’a été écrit."
        )
    return (
        f"Le fichier n’est pas du XML bien formé (ligne {line}, colonne {column} : {message}). "
        "Rien n’a été écrit."
    )
