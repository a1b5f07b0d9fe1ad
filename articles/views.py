import functools
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from articles import access, figures, search, seo
from articles.context_processors import main_sections, sections_by_slug
from articles.models import (
    Article,
    Author,
    Correction,
    HouseAd,
    LiveEntry,
    published_q,
    readers_tag_or_404,
)
from articles.templatetags.newsroom import kept_part_name
from newsroom import ratelimit
from newsroom.clients import client_network
from newsroom.site import absolute_url
from pagecache.pages import PAGE_NUMBER, CachedPage, cached_response, is_reader, reader_page
from pagecache.parts import cached_lookup, one_version, prefetch, remember
from pagecache.surrogates import shows, shows_articles

MORE_TO_READ = 6
SECTION_BLOCK_SIZE = 4
SECTION_BLOCK_WINDOW = timedelta(days=60)
SECTION_BLOCK_CANDIDATES = 1000  # the newest stories the home page's section blocks draw from
LATEST_POOL = 48
LIVE_POLL_SECONDS = 20  # how often a live story's page looks for new entries
# The entries a live story's page (and the fragment its script polls) shows besides its key
# points; older ones are on numbered pages. A day of coverage is 30 to 100 entries: unbounded,
# a story of 1 500 entries was a page of 4.4 MB, polled every 20 s.
LIVE_PAGE_SIZE = 30
MAX_LIVE_PAGE_DIGITS = 7  # page 9 999 999 at most: an offset any database takes
PAGE_SIZE = 20


def house_ad(slot):
    """The newest shown house ad of ``slot``, or None; kept in the cache until ads change."""
    return cached_lookup("house-ads", HouseAd.objects.current).get(slot)


def latest_articles(exclude, limit=MORE_TO_READ):
    """The newest stories not in ``exclude``, from a list kept per content version: every page
    rebuilt after a publication shares one query for it."""
    pool = remember("latest-cards", lambda: list(Article.objects.newest(LATEST_POOL)))
    chosen = [article for article in pool if article.pk not in exclude][:limit]
    if len(chosen) < limit and len(pool) == LATEST_POOL:  # a page showing most of the pool
        chosen = list(Article.objects.exclude(pk__in=exclude).newest(limit))
    shows("latest")  # changes with every publication, not only with the stories it shows
    shows_articles(chosen)
    return chosen


def article_key(pk):
    return f"article-page:{pk}"


def related_key(pk):
    return f"related:{pk}"


def players_key(pk, variant):
    return f"article-players:{pk}:{variant}"


def kept_article_values(pk, variant):
    """Every value the page of the published article ``pk`` built again asks the cache for
    (``article_page``, its template's ``{% kept %}`` parts), so that they are read in one
    round trip (``prefetch``)."""
    return [
        article_key(pk),
        related_key(pk),
        players_key(pk, variant),
        kept_part_name("article-head", pk),
        kept_part_name("article-main", pk, variant),
        kept_part_name("article-end", pk),
        kept_part_name("article-foot", pk),
        kept_part_name("house-ad", house_ad(HouseAd.Slot.ARTICLE)),
    ]


def article_page(request, article, decision, *, preview=False, live_page=1):
    read_more_links = article.visible_read_more_links()
    # "Lire la suite" skips the stories already offered under "Lire aussi" just above it.
    linked = {link.target_article_id for link in read_more_links if link.target_article_id}
    # Ranked once per content version, by whichever worker needs it first (never for a
    # preview, which may show a story not yet published).
    if preview:
        related = article.related_articles(exclude=linked)
    else:
        related = remember(
            related_key(article.pk), lambda: article.related_articles(exclude=linked)
        )
    shown = {article.pk, *linked, *(a.pk for a in related)}
    shows(*(f"article-{pk}" for pk in shown))
    paywall = access.policy()
    paywalled = paywall.is_paywalled(article.access)
    # The parts of the page that depend on content alone are kept per content version
    # (``{% kept %}``): never a preview's, which may show a story not yet published, nor a
    # live story's, whose entries come in between. What only those parts show is computed
    # when they are built (the template calls these functions), not for every request.
    keep_parts = not preview and not article.is_live_story
    coverage = None
    canonical_url = absolute_url(article.get_absolute_url())
    if article.is_live_story:
        # A preview's pages of entries are its own: the story's may not be out yet.
        pages = reverse("articles:preview", args=[article.pk]) if preview else None
        coverage = LiveCoverage.of(article, decision, live_page, pages)
        canonical_url = absolute_url(live_page_url(article.get_absolute_url(), live_page))

    @functools.cache
    def body():
        # Without the full text, the rest of the body is never sent: not hidden, absent. Nor
        # are a live story's entries. Pictures and embeds from the references the body stores
        # (one query for its pictures).
        return figures.render(article.body if decision.full_text else paywall.preview(article.body))

    def has_players():
        if coverage and article.is_live and decision.full_text and not preview:
            return True  # an entry with a video may arrive later, through live.js
        return "data-embed-player=" in body() or bool(coverage and coverage.has_players)

    @functools.cache
    def share_image():
        if not article.featured_image:
            return None
        image = seo.share_image(article.featured_image)
        return {**image, "url": absolute_url(image["url"])}

    def structured_data():
        selector = ".article__body" if paywalled else None
        if coverage:
            return seo.live_blog_posting(
                article, coverage.all, canonical_url, paywalled_selector=selector
            )
        return seo.news_article(article, paywalled_selector=selector)

    def breadcrumb_data():
        trail = [
            (_("Home"), reverse("articles:home")),
            *((section.name, section.get_absolute_url()) for section in sections),
            (article.title, article.get_absolute_url()),
        ]
        return seo.breadcrumb_list(trail)

    @functools.cache
    def corrections():
        # Fetched only for the articles that have some.
        return list(article.corrections.all()) if article.corrected_at else []

    sections = article.category.breadcrumb()
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "keep_parts": keep_parts,
            "body": body,
            "has_players": (
                remember(players_key(article.pk, decision.variant), has_players)
                if keep_parts
                else has_players()
            ),
            "decision": decision,
            "coverage": coverage,
            "live_poll_seconds": None if preview else LIVE_POLL_SECONDS,  # no fragment yet
            "current_section": sections[0],
            "canonical_url": canonical_url,
            "share_image": share_image,
            "structured_data": structured_data,
            "breadcrumb_data": breadcrumb_data,
            "read_more_links": read_more_links,
            "corrections": corrections,
            "related_articles": related,
            "more_articles": latest_articles(shown),
            "ad": house_ad(HouseAd.Slot.ARTICLE),
            "preview": preview,
        },
    )


@dataclass
class LiveCoverage:
    """A live story's entries as readers see them on its page ``number``: the key points
    (pinned) on the first page, then the others, newest first, ``LIVE_PAGE_SIZE`` a page,
    each with its body rendered (``rendered_body``) and its ``permalink``; its pages at
    ``address`` (the story's, or its preview's)."""

    article: Article
    pinned: list
    entries: list
    address: str
    number: int = 1
    has_older: bool = False

    @classmethod
    def of(cls, article, decision, number=1, address=None):
        """The entries of page ``number`` of ``article`` that the paywall's ``decision`` lets
        the reader see (none without the full text), in one query, and one for all their
        pictures. Http404 for a page past the last."""
        entries = []
        if decision.full_text:
            start = (number - 1) * LIVE_PAGE_SIZE
            # One more than the page holds: whether an older page follows, without a count.
            stream = article.live_entries.stream().values("pk")
            shown = Q(pk__in=stream[start : start + LIVE_PAGE_SIZE + 1])
            if number == 1:
                shown |= Q(pinned=True)
            entries = list(article.live_entries.for_readers().filter(shown))
        stream = [entry for entry in entries if not entry.pinned]
        if number > 1 and not stream:
            raise Http404
        has_older = len(stream) > LIVE_PAGE_SIZE
        entries = [entry for entry in entries if entry.pinned] + stream[:LIVE_PAGE_SIZE]
        # Over more than one day, each entry says its day: "14 h 05" alone would be ambiguous
        # (and so it may be on a page of a story that has others).
        days = {timezone.localdate(entry.published_at) for entry in entries}
        dated = len(days) > 1 or has_older or number > 1
        for entry, body in zip(entries, figures.render_all([e.body for e in entries]), strict=True):
            entry.rendered_body = body
            # Its page's script replaces an edited entry's body only if this changed.
            entry.body_version = hashlib.md5(body.encode(), usedforsecurity=False).hexdigest()[:12]
            entry.permalink = entry.get_absolute_url()
            entry.dated = dated
        return cls(
            article,
            pinned=[entry for entry in entries if entry.pinned],
            entries=[entry for entry in entries if not entry.pinned],
            address=address or article.get_absolute_url(),
            number=number,
            has_older=has_older,
        )

    @property
    def all(self):
        return self.pinned + self.entries

    @property
    def has_players(self):
        return any("data-embed-player=" in entry.rendered_body for entry in self.all)

    @property
    def older_url(self):
        return live_page_url(self.address, self.number + 1) if self.has_older else None

    @property
    def newer_url(self):
        return live_page_url(self.address, self.number - 1) if self.number > 1 else None


def live_page_url(address, number):
    """The address of page ``number`` of the entries of the live story at ``address`` (the
    first: the story's)."""
    return address if number == 1 else f"{address}?{urlencode({'page': number})}"


def live_page_number(request):
    """The page of a live story's entries that the request asks for (``?page=2``, as the
    site's links write it); 404 for one they never write, and for one past any story (its
    entries' offset, a number the database would refuse: no story has a billion entries)."""
    number = request.GET.get("page")
    if number is None:
        return 1
    if not PAGE_NUMBER.fullmatch(number) or len(number) > MAX_LIVE_PAGE_DIGITS:
        raise Http404
    return int(number)


def live_entry(request, pk):
    """Where entry ``pk`` of a live story is now: the page of its story that holds it, at its
    anchor. Pages move as entries are added, so its own address is the one to share; the
    redirect is never kept (pagecache: any answer but a kept page is private)."""
    readers = Article.objects.published().exclude(live_status=Article.LiveStatus.NONE)
    entry = get_object_or_404(
        LiveEntry.objects.filter(article__in=readers)
        .select_related("article__category")
        .only("pk", "pinned", "published_at", "article__slug", "article__category__slug"),
        pk=pk,
    )
    number = 1
    if not entry.pinned:
        number = LiveEntry.objects.newer_than(entry).count() // LIVE_PAGE_SIZE + 1
    return redirect(f"{live_page_url(entry.article.get_absolute_url(), number)}#{entry.anchor}")


class PublishedArticle:
    """The published article ``pk``, fetched at most once for both its summary and its page."""

    def __init__(self, pk):
        self.pk = pk

    @cached_property
    def article(self):
        # Kept per content version, so that the page built again for another reader costs no
        # query for it: a large value (a site has thousands), in the shared cache and in the
        # worker within its budget.
        return remember(
            article_key(self.pk),
            lambda: get_object_or_404(Article.objects.published().for_page(), pk=self.pk),
            large=True,
        )

    def summary(self):
        article = self.article
        return {
            "url": article.get_absolute_url(),
            "access": article.access,
            "live": article.is_live_story,  # whose entries have numbered pages
        }


class PublishedLiveStory(PublishedArticle):
    """The published article ``pk`` with only what its fragment of entries needs."""

    @cached_property
    def article(self):
        fields = ["slug", "category__slug", "access", "live_status", "live_ended_at"]
        stories = Article.objects.published().select_related("category").only(*fields)
        return get_object_or_404(stories, pk=self.pk)


def _summary(request, published):
    """The cached entry of the request's address (None for a page built afresh) and the
    summary of the ``published`` article: what the view must know before it can choose a
    cached variant (the address, the access level). It is kept with the cached page, so a
    cached page costs one read of the cache. Without it: the summary kept per version, else
    the article, fetched once for both uses."""
    pk = published.pk

    def summary():
        return remember(f"article-summary:{pk}", published.summary)

    page = CachedPage.read(request) if is_reader(request) else None
    if page is None:  # staff get the page built afresh
        return None, summary()
    return page, page.meta_or(summary)


def _decision(request, pk, access_level):
    """The browser's paywall meter and the paywall's decision for this request's reader on the
    article ``pk`` of ``access_level``: the same for its page and its live fragment."""
    paywall = access.policy()
    meter = paywall.Meter.from_request(request)
    return meter, paywall.decide(paywall.reader_of(request), access_level, pk, meter)


@one_version()  # read before the article: its page's parts are kept under it
def article_detail(request, category, slug, pk):
    published = PublishedArticle(pk)
    page, summary = _summary(request, published)
    live_page = 1
    if summary.get("live"):  # its older entries on numbered pages (?page=2), kept apart
        live_page = live_page_number(request)
        page = page and CachedPage.read(request, "page")
    # An old slug or section keeps working: send readers and search engines to the current URL
    # (the same page of a live story's entries).
    if request.path != summary["url"]:
        return redirect(live_page_url(summary["url"], live_page), permanent=True)
    meter, decision = _decision(request, pk, summary["access"])
    if live_page > 1 and not decision.full_text:
        # Its entries are not for this reader: the first page says why (a shared link to an
        # entry of a subscribers' story leads there, not to a page that seems not to exist).
        return redirect(summary["url"])

    def build():
        if not summary.get("live"):  # a live story's parts are never kept
            prefetch(*kept_article_values(pk, decision.variant))
        return article_page(request, published.article, decision, live_page=live_page)

    response = cached_response(
        request,
        build,
        decision.variant,
        page=page,
        meta=summary,
    )
    if decision.metered and response.status_code == 200:
        meter.record(pk, response)
    if decision.by_meter:
        # Another browser's meter gets another page: kept by no CDN (some ignore Vary: Cookie).
        patch_cache_control(response, private=True)
    return response


@one_version()
def live_entries(request, pk):
    """The entries of the live story ``pk`` as its page shows them, for the page's script
    (static/js/live.js) to find the new ones: cached like the page, under the article's key,
    so that an entry added is purged with the article's pages. Only for a reader who may read
    the story in full (the paywall's decision, as on the page, the meter not counting it);
    404 otherwise, for a story that is not live or not published, and at any other spelling
    of its address (``/direct/0123/``: the number's converter takes it, but each spelling
    would be a page of its own in the cache, and no purge by address would reach it)."""
    if request.path != reverse("articles:live_entries", args=[pk]):
        raise Http404
    published = PublishedLiveStory(pk)
    page, summary = _summary(request, published)
    meter, decision = _decision(request, pk, summary["access"])
    # The meter lets a browser read a story it has not counted yet: the page counts it, the
    # fragment would not (a free pass to every live story for a visitor without the cookie).
    if not decision.full_text or (decision.by_meter and not meter.has_read(pk)):
        raise Http404

    def build():
        article = published.article
        if not article.is_live_story:
            raise Http404
        shows(f"article-{pk}")
        return render(
            request,
            "components/live_feed.html",
            {"article": article, "coverage": LiveCoverage.of(article, decision)},
        )

    response = cached_response(request, build, decision.variant, page=page, meta=summary)
    response["X-Robots-Tag"] = "noindex"  # on the copy from the cache too, which keeps no header
    if decision.by_meter:
        patch_cache_control(response, private=True)
    return response


@never_cache
def article_preview(request, pk):
    """Staff see the articles they may open in the admin exactly as readers will; everyone
    else finds nothing here."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
        raise Http404
    article = get_object_or_404(Article.objects.viewable_by(user).for_page(), pk=pk)
    decision = access.policy().decide(user, article.access)
    live_page = live_page_number(request) if article.is_live_story else 1
    response = article_page(request, article, decision, preview=True, live_page=live_page)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def section_blocks(stories):
    """The home page's blocks: the newest of ``stories`` in every main section, in menu order."""
    by_section = {}
    for article in stories.latest_by_section(
        SECTION_BLOCK_SIZE, SECTION_BLOCK_WINDOW, SECTION_BLOCK_CANDIDATES
    ):
        by_section.setdefault(article.section_id, []).append(article)
    return [
        (section, by_section[section.pk]) for section in main_sections() if section.pk in by_section
    ]


def front_page():
    """The home page's stories: the top story (the newest on the front page, else the
    newest), the latest six, and the blocks of every main section, each story once."""
    published = Article.objects.published().for_cards()
    latest = list(published.with_bylines()[:7])
    top = published.with_bylines().filter(featured=True).first() or next(iter(latest), None)
    shown = {top.pk} if top else set()
    latest = [a for a in latest if a.pk not in shown][:6]
    shown.update(a.pk for a in latest)
    return top, latest, section_blocks(published.exclude(pk__in=shown))


@reader_page
def home(request):
    # The same for every reader: chosen once per content version (a signed-in reader's
    # page, built every time, then asks the database for none of it).
    top, latest, sections = remember("front-page", front_page)
    shown = {top.pk} if top else set()
    shown.update(a.pk for a in latest)
    shown.update(a.pk for _section, articles in sections for a in articles)
    shows("home", *(f"article-{pk}" for pk in shown))
    return render(
        request,
        "articles/home.html",
        {
            "top_story": top,
            "latest": latest,
            "sections": sections,
            "more_articles": latest_articles(shown),
            "ad": house_ad(HouseAd.Slot.HOME),
            "keep_parts": True,  # its stories, kept per content version ({% kept %})
        },
    )


@method_decorator(reader_page(page_parameter="page"), name="dispatch")
class ArticleListView(ListView):
    """A paginated list of published articles, with page numbers."""

    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def list_key(self):
        """The key of the list (``section-<id>``…), for the CDN (pagecache/surrogates.py)."""
        raise NotImplementedError

    def paginate_queryset(self, queryset, page_size):
        paginator, page, _stories, is_paginated = super().paginate_queryset(queryset, page_size)
        # The same for every reader: fetched once per content version, and kept as a large
        # value (a crawler reads every page of every list: within the worker's budget).
        key = f"{self.list_key()}:stories:{page.number}"
        page.object_list = remember(key, lambda: list(page.object_list), large=True)
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shows(self.list_key())
        shows_articles(context["object_list"])
        context["keep_parts"] = True  # each page of the list, kept per content version
        return context


class CountedOncePerVersion(Paginator):
    """A paginator of a queryset whose count (a scan of the whole list) is made once per
    content version."""

    def __init__(self, *args, count_key, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        return remember(self.count_key, self.object_list.count)


class CategoryView(ArticleListView):
    template_name = "articles/category_detail.html"

    def get_queryset(self):
        self.category = sections_by_slug().get(self.kwargs["slug"])
        if self.category is None:
            raise Http404
        self.subsections = self.category.subsections
        # By section ids, so that the (category, status, date) index serves the list.
        sections = [self.category.pk, *(child.pk for child in self.subsections)]
        return Article.objects.published().filter(category_id__in=sections).for_cards()

    def list_key(self):
        return f"section-{self.category.pk}"

    def get_paginator(self, *args, **kwargs):
        key = f"section-count:{self.category.pk}"
        return CountedOncePerVersion(*args, count_key=key, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category,
            current_section=self.category.parent or self.category,  # marked in the menu
            subsections=self.subsections,
            **kwargs,
        )


class AuthorView(ArticleListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(
            Author.objects.select_related("photo"), slug=self.kwargs["slug"]
        )
        return Article.objects.published().filter(bylines__author=self.author).for_cards()

    def list_key(self):
        return f"author-{self.author.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class TagView(ArticleListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = readers_tag_or_404(self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_cards()

    def list_key(self):
        return f"tag-{self.tag.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


@method_decorator(reader_page(page_parameter="page"), name="dispatch")
class CorrectionListView(ListView):
    """Every correction readers can see (its article published), newest first."""

    template_name = "articles/correction_list.html"
    context_object_name = "corrections"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            Correction.objects.filter(published_q("article__"))
            .select_related("article__category")
            .order_by("-published_at", "-id")
        )

    def get_paginator(self, *args, **kwargs):
        return CountedOncePerVersion(*args, count_key="corrections-count", **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shows("corrections")
        shows_articles(correction.article for correction in context["object_list"])
        return context


def search_view(request):
    query = search.clean_query(request.GET.get("q", ""))
    client = client_network(request)
    if query and not ratelimit.allow(
        f"search:ip:{client}", settings.SEARCH_RATE_PER_IP, settings.SEARCH_RATE_PERIOD
    ):
        return _too_many_searches(request)
    # Results are never kept: any text would make a new page, and anyone could fill the cache.
    page = CachedPage.never_kept() if query else None
    return cached_response(request, lambda: _search_page(request, query), page=page)


def _too_many_searches(request):
    """Each search reaches an app server and the full-text index, whatever the caches hold: a
    client asking faster than a reader would waits for the end of the window."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = settings.SEARCH_RATE_PERIOD  # the window ends within it
    patch_cache_control(response, private=True, no_store=True)
    return response


def _search_page(request, query):
    page = None
    if query:
        paywall = access.policy()
        subscriber_bodies = paywall.may_read_every_body(paywall.reader_of(request))
        results = search.search_articles(query, subscriber_bodies=subscriber_bodies)
        paginator = Paginator(results, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        # A held-back body is never quoted in results: such articles show their lead.
        quotable = [a for a in page.object_list if not paywall.is_paywalled(a.access)]
        search.add_headlines(quotable, query)
        for article in page.object_list:
            article.snippet = search.snippet(article, query)
    return render(
        request,
        "articles/search.html",
        {
            "query": query,
            "page_query": f"{urlencode({'q': query})}&" if query else "",
            "page_obj": page,
            "articles": page.object_list if page else [],
        },
    )
