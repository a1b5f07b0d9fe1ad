"""The one place that decides what a reader may read of an article.

The article page (and its preview) asks ``decide()`` and shows what it says. Feeds and
newsletters carry leads only; search quotes the body of no article that ``is_paywalled()``,
and finds subscriber-only articles by their title, kicker and lead only for a reader who
may not read every body (``may_read_every_body()``).

What a reader without the full text gets of the body, ``preview()``, is the rule an editor
sets in the paywall settings:

- the first N paragraphs (``PaywallSettings.preview_paragraphs``), where a list item, a quoted
  paragraph, a caption and a line ended by a line break each count as one paragraph, and
  headings count for nothing;
- and never more than a third of the body's text (its letters, spaces aside), whatever the
  body's shape: a story of one or two paragraphs, one list or one quote keeps two thirds of
  its text back. The preview then stops at the end of a word, every open tag closed;
- headings, rules, line breaks, images and empty blocks that would end the preview are left
  out: the preview ends on text. A figure (a picture with its caption, an embed) that the cut
  would split is left out whole.

The rest of the body is never sent, not even hidden.
"""

import re
import time
from dataclasses import dataclass
from html import unescape

from django.conf import settings as django_settings
from django.core import signing

from articles.models import Article
from articles.sanitizing import LenientHTMLParser
from pagecache.pages import has_session
from pagecache.parts import cached_lookup
from subscriptions.models import PaywallSettings, Subscription

Mode = PaywallSettings.Mode
METER_COOKIE = "newsroom_meter"
METER_SALT = "subscriptions.paywall.meter"
METER_WINDOW = 30 * 24 * 3600  # seconds


@dataclass(frozen=True)
class Decision:
    full_text: bool  # the whole body may be sent
    teaser: bool  # the subscription teaser is shown
    metered: bool = False  # this read counts against the browser's free articles
    # Chosen by the browser's meter (its cookie): another browser may get another page.
    by_meter: bool = False

    @property
    def variant(self):
        """What distinguishes cached copies of the same page."""
        return f"{'full' if self.full_text else 'lead'}-{'teaser' if self.teaser else 'plain'}"


def settings():
    """The paywall settings, kept in the cache until they are saved again."""
    return cached_lookup("paywall-settings", PaywallSettings.load)


def is_subscriber(user):
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_subscriber"):
        user._is_subscriber = Subscription.objects.active().filter(reader=user).exists()
    return user._is_subscriber


def reader_of(request):
    """The request's user, without touching the session of a visitor who has none."""
    return request.user if has_session(request) else None


class Meter:
    """Subscriber-only articles a browser read for free in the last 30 days (signed cookie)."""

    def __init__(self, reads=None):
        self.reads = reads or {}

    @classmethod
    def from_request(cls, request):
        try:
            raw = request.get_signed_cookie(METER_COOKIE, salt=METER_SALT, max_age=METER_WINDOW)
            reads = {int(pk): int(at) for pk, at in (item.split(":") for item in raw.split(","))}
        except (KeyError, ValueError, signing.BadSignature):
            # No cookie, or one forged, damaged or signed with an old key: no reads.
            reads = {}
        cutoff = time.time() - METER_WINDOW
        return cls({pk: at for pk, at in reads.items() if at > cutoff})

    def allows(self, article_pk, limit):
        return article_pk in self.reads or len(self.reads) < limit

    def has_read(self, article_pk):
        """Whether the browser has opened (and counted) the article ``article_pk``."""
        return article_pk in self.reads

    def record(self, article_pk, response):
        self.reads.setdefault(article_pk, int(time.time()))
        value = ",".join(f"{pk}:{at}" for pk, at in self.reads.items())
        response.set_signed_cookie(
            METER_COOKIE,
            value,
            salt=METER_SALT,
            max_age=METER_WINDOW,
            secure=django_settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def decide(user, access, article_pk=None, meter=None):
    """What ``user`` (None for an anonymous visitor) may read of an article with ``access``."""
    if access == Article.Access.FREE:
        return Decision(full_text=True, teaser=False)
    paywall = settings()
    if paywall.mode == Mode.OFF:
        return Decision(full_text=True, teaser=False)
    if _reads_everything(user):
        return Decision(full_text=True, teaser=False)
    if paywall.mode == Mode.ANNOUNCE:
        return Decision(full_text=True, teaser=True)
    metered = paywall.mode == Mode.METERED and meter is not None and article_pk is not None
    if metered and meter.allows(article_pk, paywall.free_articles):
        return Decision(full_text=True, teaser=True, metered=True, by_meter=True)
    return Decision(full_text=False, teaser=True, by_meter=metered)


def may_read_every_body(user):
    """Whether ``user`` (None for an anonymous visitor) may read every article in full, and so
    find subscriber-only articles by words of their body."""
    return settings().mode in (Mode.OFF, Mode.ANNOUNCE) or _reads_everything(user)


def _reads_everything(user):
    return user is not None and (user.is_staff or is_subscriber(user))


def is_paywalled(access):
    """Whether search engines should be told the article's body is not free to read."""
    return access == Article.Access.SUBSCRIBERS and settings().mode in (Mode.METERED, Mode.ON)


PREVIEW_SHARE = 1 / 3  # of the body's letters, at most, whatever the number of paragraphs
HEADINGS = {"h2", "h3", "h4"}
# Text on either side of these is on another line: each line of text is one paragraph.
LINE_BREAKS = {"p", "li", "ul", "ol", "blockquote", "figure", "figcaption", "hr", "br", *HEADINGS}
VOID_TAGS = {"br", "hr", "img", "wbr"}


def preview(body, paragraphs=None):
    """What a reader without the full text gets of ``body`` (sanitised HTML): see above."""
    if paragraphs is None:
        paragraphs = settings().preview_paragraphs
    reader = _BodyReader.read(body)
    letters = len("".join(reader.text.split()))
    end = min(reader.end_of_paragraph(paragraphs), reader.end_of_words(letters * PREVIEW_SHARE))
    return reader.beginning(end)


@dataclass
class _Token:
    kind: str  # "start", "end", "void" or "text"
    raw: str  # as written (an entity is a text token of its own)
    text: str = ""  # a text token's text, entities decoded
    position: int = 0  # where the token starts in the body's text (``_BodyReader.text``)
    tag: str = ""
    partner: int = -1  # the index of an element's other tag, once the beginning is cut


class _BodyReader(LenientHTMLParser):
    """Reads sanitised HTML as tokens, and its text as a reader sees it: lines end with a
    "\n", so that no word runs from one paragraph into the next. Flat, with no recursion:
    however deeply a body nests, reading it costs no more than its length."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.tokens, self.open = [], []
        self.chunks, self.length = [], 0
        self.paragraph_ends = []  # where each line with text, headings aside, ends
        self.line_has_text = False
        self.headings_open = 0

    @classmethod
    def read(cls, html):
        reader = cls()
        reader.feed(html)
        reader.close()
        reader.line_break()
        reader.text = "".join(reader.chunks)
        return reader

    def end_of_paragraph(self, count):
        if count <= 0:
            return 0
        return self.paragraph_ends[count - 1] if count <= len(self.paragraph_ends) else self.length

    def end_of_words(self, budget):
        """Where the last whole word within ``budget`` letters ends."""
        end = letters = 0
        for word in re.finditer(r"\S+", self.text):
            letters += len(word.group())
            if letters > budget:
                return end
            end = word.end()
        return self.length

    def beginning(self, end):
        """The HTML of what starts before ``end``, every open tag closed, without the
        headings, rules, images and empty blocks that would end it."""
        kept, open_starts = [], []
        for token in self.tokens:
            if token.kind == "end":
                if open_starts and kept[open_starts[-1]].tag == token.tag:
                    start = open_starts.pop()
                    kept[start].partner = len(kept)
                    kept.append(_Token("end", token.raw, tag=token.tag, partner=start))
                continue
            if token.position >= end or (
                token.kind == "text" and token.position + len(token.text) > end
            ):
                # A figure (a picture and its caption, an embed and its address) is kept whole
                # or not at all.
                figure = next((i for i in open_starts if kept[i].tag == "figure"), None)
                if figure is not None:
                    del kept[figure:]
                    open_starts = [i for i in open_starts if i < figure]
                    break
            if token.position >= end:
                break
            if token.kind == "text" and token.position + len(token.text) > end:
                # Plain text is cut; an entity is kept whole or not at all.
                cut = end - token.position if token.raw == token.text else 0
                token = _Token("text", token.raw[:cut], token.text[:cut], token.position)
            if token.kind == "start":
                open_starts.append(len(kept))
            kept.append(_Token(token.kind, token.raw, token.text, token.position, token.tag))
        for start in reversed(open_starts):
            kept[start].partner = len(kept)
            kept.append(_Token("end", f"</{kept[start].tag}>", tag=kept[start].tag, partner=start))
        return "".join(token.raw for token in _without_trailing_furniture(kept))

    def line_break(self):
        if self.line_has_text:
            self.paragraph_ends.append(self.length)
            self.line_has_text = False
        self.chunks.append("\n")
        self.length += 1

    def handle_starttag(self, tag, attrs):
        kind = "void" if tag in VOID_TAGS else "start"
        self.tokens.append(_Token(kind, self.get_starttag_text(), position=self.length, tag=tag))
        if tag in LINE_BREAKS:
            self.line_break()
        if kind == "start":
            self.open.append(tag)
            self.headings_open += tag in HEADINGS

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in self.open:
            return  # a stray end tag
        while self.open:
            closed = self.open.pop()
            self.headings_open -= closed in HEADINGS
            self.tokens.append(_Token("end", f"</{closed}>", position=self.length, tag=closed))
            if closed == tag:
                break
        if tag in LINE_BREAKS:
            self.line_break()

    def handle_data(self, data):
        self.add_text(data, data)

    def handle_entityref(self, name):
        self.add_text(f"&{name};", unescape(f"&{name};"))

    def handle_charref(self, name):
        self.add_text(f"&#{name};", unescape(f"&#{name};"))

    def add_text(self, raw, text):
        self.tokens.append(_Token("text", raw, text, self.length))
        self.chunks.append(text)
        self.length += len(text)
        if text.strip() and not self.headings_open:
            self.line_has_text = True


def _without_trailing_furniture(tokens):
    """``tokens`` without the headings, rules, images and empty elements at their end."""
    # How many tokens with text come before each index: whether an element holds text is
    # then a subtraction.
    with_text = [0]
    for token in tokens:
        with_text.append(with_text[-1] + (token.kind == "text" and bool(token.text.strip())))
    removed = [False] * len(tokens)
    i = len(tokens) - 1
    while i >= 0:
        token = tokens[i]
        if token.kind == "text" and token.text.strip():
            break
        if token.kind == "end":
            start = token.partner
            if token.tag in HEADINGS or with_text[i] == with_text[start + 1]:
                removed[start : i + 1] = [True] * (i + 1 - start)
                i = start - 1
            else:
                i -= 1  # look at the element's own end
            continue
        if token.kind == "start":  # everything it held was furniture
            removed[i] = removed[token.partner] = True
        else:
            removed[i] = True
        i -= 1
    return [token for token, gone in zip(tokens, removed, strict=True) if not gone]
