"""The site's public address (settings.NEWSROOM_SITE_URL, env SITE_URL).

Canonical and absolute URLs (pages, feeds, sitemaps, e-mails) come from it, never from the
request: a Host header such as ``127.0.0.1:6666`` must reach no page and no cache entry.
"""

from urllib.parse import urljoin, urlsplit

from django.conf import settings


def absolute_url(url):
    """``url`` on the public site; an address already absolute (media on a CDN) is kept."""
    return urljoin(settings.NEWSROOM_SITE_URL, url)


def site_scheme_and_domain():
    address = urlsplit(settings.NEWSROOM_SITE_URL)
    return address.scheme, address.netloc


def sender_address(name, site_url, mailbox="redaction"):
    """``"Le Quotidien" <redaction@lequotidien.fr>``: the site's name, at the domain of its
    address (without ``www.``; ``localhost`` for an address by IP), the default sender of
    every e-mail (settings.DEFAULT_FROM_EMAIL)."""
    host = (urlsplit(site_url).hostname or "localhost").removeprefix("www.")
    if host.replace(".", "").isdigit() or ":" in host:
        host = "localhost"
    # One line without control characters: a line break would make every e-mail's header fail.
    name = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{mailbox}@{host}>'


# French contracts "de le" and "à le" (du, au), "de les" and "à les" (des, aux), and elides "de"
# before a vowel (d’): "de Le Quotidien" is wrong, "du Quotidien" right.
_CONTRACTED = {"le": ("du", "au"), "les": ("des", "aux")}
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


def site_name_after(preposition, name=None):
    """The site's name after the French preposition ``"de"`` or ``"à"``: "du Quotidien",
    "au Quotidien", "des Échos", "de La Gazette", "à L’Écho", "d’Ouest-Matin", "à Ouest-Matin".

    ``settings.NEWSROOM_SITE_NAME_AFTER`` (env ``SITE_NAME_AFTER_DE``, ``SITE_NAME_AFTER_A``)
    gives the phrase outright for a name the rule gets wrong (one with a mute h: "d’Hebdo")."""
    if name is None:
        name = settings.NEWSROOM_SITE_NAME
        given = settings.NEWSROOM_SITE_NAME_AFTER.get(preposition)
        if given:
            return given
    first, _space, rest = name.partition(" ")
    contracted = _CONTRACTED.get(first.lower())
    if contracted and rest:
        return f"{contracted[preposition == 'à']} {rest}"
    if preposition == "de" and name[:1].lower() in _VOWELS:
        return f"d’{name}"
    return f"{preposition} {name}"


def site_names():
    """The site's name for templates and messages: alone (``site_name``), after "de"
    (``of_site``: "du Quotidien") and after "à" (``to_site``: "au Quotidien")."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "of_site": site_name_after("de"),
        "to_site": site_name_after("à"),
    }
