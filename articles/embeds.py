"""Embedded videos and posts: which addresses are embeds, and the player each one loads.

The body stores an embed as ``<figure data-embed="<provider>"><a href="<address>">…</a></figure>``
(articles/sanitizing.py keeps only the providers named here). The reader's page shows a static
card that loads the player only once the reader asks for it (static/js/embeds.js): no request
goes to a third party before a click. The editor recognises a pasted address with the same
patterns (articles/forms.py passes them to static/js/body-media.js).
"""

import re
from dataclasses import dataclass

from articles.sanitizing import EMBED_PROVIDERS


@dataclass(frozen=True)
class Provider:
    name: str  # as stored in data-embed
    label: str  # the service's name, shown to readers
    # The addresses of one video or post; the named group "id" (or "user" and "id") picks it.
    pattern: str
    player: str | None = None  # the player's address, formatted with the groups; None: a link
    kind: str = "video"  # "video" (16:9 player) or "post" (a taller frame)


# A pattern is written once, for Python and for the editor's JavaScript: no look-behind, no
# flags, (?P<…>) groups rewritten as (?<…>) for JavaScript (editor_patterns()).
PROVIDERS = {
    provider.name: provider
    for provider in [
        Provider(
            "youtube",
            "YouTube",
            r"^https://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:[^#]*&)?v=|shorts/|embed/|live/)"
            r"|youtu\.be/)(?P<id>[A-Za-z0-9_-]{11})(?:[?&#][^\s]*)?$",
            "https://www.youtube-nocookie.com/embed/{id}",
        ),
        Provider(
            "vimeo",
            "Vimeo",
            r"^https://(?:www\.|player\.)?vimeo\.com/(?:video/)?(?P<id>[0-9]{6,12})(?:[/?#][^\s]*)?$",
            "https://player.vimeo.com/video/{id}?dnt=1",
        ),
        Provider(
            "dailymotion",
            "Dailymotion",
            r"^https://(?:(?:www\.)?dailymotion\.com/(?:embed/)?video/|dai\.ly/)"
            r"(?P<id>[A-Za-z0-9]{5,12})(?:[?#_][^\s]*)?$",
            "https://www.dailymotion.com/embed/video/{id}",
        ),
        Provider(
            "x",
            "X (Twitter)",
            r"^https://(?:www\.|mobile\.)?(?:twitter|x)\.com/[A-Za-z0-9_]{1,15}/status/"
            r"(?P<id>[0-9]{5,25})(?:[/?#][^\s]*)?$",
            "https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
            "post",
        ),
        Provider(
            "instagram",
            "Instagram",
            r"^https://(?:www\.)?instagram\.com/(?:p|reel|tv)/(?P<id>[A-Za-z0-9_-]{5,40})/?(?:[?#][^\s]*)?$",
            "https://www.instagram.com/p/{id}/embed/",
            "post",
        ),
        # Bluesky's embed player needs the author's permanent identifier (a DID); an address
        # with a handle would need a request to Bluesky to resolve it: it stays a card.
        Provider(
            "bluesky",
            "Bluesky",
            r"^https://bsky\.app/profile/(?P<user>[A-Za-z0-9._:-]{3,253})/post/"
            r"(?P<id>[a-z0-9]{10,20})/?(?:[?#][^\s]*)?$",
            "https://embed.bsky.app/embed/{user}/app.bsky.feed.post/{id}",
            "post",
        ),
        # Every Mastodon server is its own site: no list of frame sources could name them all.
        Provider(
            "mastodon",
            "Mastodon",
            r"^https://(?P<server>[a-z0-9-]+(?:\.[a-z0-9-]+)+)/@(?P<user>[A-Za-z0-9_]{1,30})"
            r"(?:@[a-z0-9.-]+)?/(?P<id>[0-9]{6,25})/?(?:[?#][^\s]*)?$",
            None,
            "post",
        ),
    ]
}
assert set(PROVIDERS) == EMBED_PROVIDERS
_COMPILED = {name: re.compile(provider.pattern) for name, provider in PROVIDERS.items()}


def provider_of(url):
    """The name of the provider ``url`` is a video or post of, or None."""
    url = url.strip()
    for name, pattern in _COMPILED.items():
        if pattern.match(url):
            return name
    return None


@dataclass(frozen=True)
class Embed:
    provider: Provider
    url: str
    player: str | None  # None: the card only links to the post


def embed(provider_name, url):
    """What the reader's page shows for ``url`` stored under ``provider_name``: None if the
    address is not one of that provider's (a figure edited by hand)."""
    provider = PROVIDERS.get(provider_name)
    match = provider and _COMPILED[provider_name].match(url.strip())
    if not match:
        return None
    player = None
    groups = match.groupdict()
    if provider.player and (provider_name != "bluesky" or groups["user"].startswith("did:")):
        player = provider.player.format(**groups)
    return Embed(provider, url.strip(), player)


def editor_patterns():
    """{provider: pattern} for the editor's JavaScript (named groups in its syntax)."""
    return {name: p.pattern.replace("(?P<", "(?<") for name, p in PROVIDERS.items()}
