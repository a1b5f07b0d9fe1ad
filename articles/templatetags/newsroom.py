import functools
import hashlib
import json

from django import template
from django.conf import settings
from django.db.models import Model
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles.context_processors import main_sections
from articles.seo import iso_datetime
from pagecache.parts import remember

register = template.Library()

CARD_TEMPLATE = "components/article_card.html"

# JSON inside <script> must not be able to close the element or open a comment.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


# How a row of stories is laid out (components/story_row.html), by their number: every column
# holds a story; from four, a daily's row: the lead story large, the others beside it.
ROW_LAYOUTS = {1: "one", 2: "two", 3: "three"}


@register.filter
def row_layout(articles):
    return ROW_LAYOUTS.get(len(articles), "lead")


@register.simple_tag
def json_ld(data):
    """A schema.org JSON-LD block; the JSON is escaped so text cannot break out of it."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def iso(moment):
    """An ISO 8601 date-time to the second, in the site's time zone, for datetime attributes."""
    return iso_datetime(moment) or ""


@register.simple_tag
def card(article, *, snippet="", **options):
    """An article's card (components/article_card.html) with ``options`` (level, lazy,
    compact, lead: the large card of a row). Cards recur on many pages, so each is a
    fragment, unless it carries a search ``snippet``."""
    if snippet:
        return _render(CARD_TEMPLATE, article=article, snippet=snippet, **options)
    if "lazy" in options:
        options["lazy"] = bool(options["lazy"])
    key = f"card:{article.pk}:{sorted(options.items())}"
    return fragment(key, CARD_TEMPLATE, article=article, **options)


@register.simple_tag
def site_nav(current_section=None):
    """The menu of main sections, the current one marked."""
    current = getattr(current_section, "pk", None)
    return fragment(
        f"site-nav:{current}", "components/site_nav.html", sections=main_sections(), current=current
    )


@register.simple_tag
def site_footer():
    year = timezone.localdate().year
    return fragment(
        f"site-footer:{year}",
        "components/site_footer.html",
        sections=main_sections(),
        site_name=settings.NEWSROOM_SITE_NAME,
    )


@register.tag
def kept(parser, token):
    """``{% kept "name" value… [large] %}…{% endkept %}``: a part of a page that depends
    on content alone, rendered once per content version and kept (pagecache/parts.py), for
    staff's pages and every page built again under the same version. The values name
    everything else the part depends on (the article, the paywall's variant, the page
    number); the language and the day are always part of its key. ``large`` keeps it as a large
    value (a part a site has thousands of, an article's with its body: ``parts.remember``). Parts
    are kept only where the view says so (``keep_parts``): never in a preview. The part must
    read nothing of the request, the session nor the user."""
    bits = token.split_contents()[1:]
    large = bits[-1:] == ["large"]
    if large:
        bits = bits[:-1]
    if not bits:
        raise template.TemplateSyntaxError("{% kept %} needs a name.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, [parser.compile_filter(bit) for bit in bits], large)


class KeptNode(template.Node):
    def __init__(self, nodelist, names, large):
        self.nodelist, self.names, self.large = nodelist, names, large

    def render(self, context):
        if not context.get("keep_parts"):
            return self.nodelist.render(context)
        key = kept_part_name(*(name.resolve(context) for name in self.names))
        drawn = []

        def draw():
            drawn.append(self.nodelist.render(context))
            # A CSRF token is one visitor's (here or in an include): never kept for others.
            return None if CSRF_FIELD in drawn[0] else drawn[0]

        kept = remember(key, draw, large=self.large)
        return mark_safe(drawn[0] if kept is None else kept)


def kept_part_name(*values):
    """The name a ``{% kept %}`` part with these ``values`` (its name first) is kept under,
    for the language and the day (dates shown relative to today, "14 h 05" or "3 mars",
    change at midnight): what a view gives ``parts.prefetch`` to read the part ahead. Each
    value is told apart ("1:2" then "3" is not "1" then "2:3", None is not "None"; a row by
    its model and primary key); digested when long (a value that renders itself, such as a
    form)."""
    told_apart = tuple(_key_value(value) for value in values)
    # A page names the same parts at every request: their names are remembered, never a
    # long value's (a form a visitor filled).
    short = all(not isinstance(value, str) or len(value) <= KEY_LENGTH for value in told_apart)
    if short:
        named = _remembered_name(told_apart, tuple(map(type, told_apart)))
    else:
        named = _name(told_apart)
    return f"part:{get_language()}:{timezone.localdate().isoformat()}:{named}"


def _name(told_apart):
    named = json.dumps(told_apart, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(named.encode()).hexdigest() if len(named) > KEY_LENGTH else named


@functools.lru_cache(maxsize=4096)
def _remembered_name(told_apart, types):
    """``_name``, remembered by value and ``types``: True == 1, yet they name different parts."""
    return _name(told_apart)


KEY_LENGTH = 100  # of a kept part's values, beyond which they are digested
CSRF_FIELD = 'name="csrfmiddlewaretoken"'


def _key_value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Model):
        return (value._meta.label, value.pk)
    return str(value)


def fragment(key, template_name, **context):
    """A part of pages that depends on content alone: rendered once per content version in
    each worker (``key`` names everything in ``context`` it depends on), kept in its memory."""
    key = f"fragment:{get_language()}:{key}"
    return remember(key, lambda: _render(template_name, **context), shared=False)


def _render(template_name, **context):
    return get_template(template_name).render(context)
