"""Which pages of the CDN a change to a story touches (pagecache/purge.py), declared in
articles/apps.py. The keys are those the views give the pages (pagecache/surrogates.py):
``article-<id>`` on every page that shows the story (and on a live story's fragment of
entries), ``section-<id>``, ``author-<id>``,
``tag-<id>`` on their lists and feeds, ``home``, ``feeds``, ``sitemaps``, ``corrections``
(the list of corrections), and ``latest`` on
the lists drawn from the newest stories (an article's "À lire aussi", its related stories).
A story's address is a key too, for the caches that purge by address (nginx): the address
it leaves (a section or slug changed, a deletion) can no longer be found from its id.
"""

from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, ArticleAuthor, Author, Category, TaggedArticle
from articles.sitemaps import SITEMAPS
from pagecache.surrogates import SITE

EVERY_LIST = ("home", "feeds", "sitemaps")


def _is_published(article):
    """Published, or scheduled: its pages change now or at its publication time."""
    return article is not None and article.status == Article.Status.PUBLISHED


def _sections(category_id):
    parent = Category.objects.filter(pk=category_id).values_list("parent_id", flat=True).first()
    return {f"section-{pk}" for pk in (category_id, parent) if pk}


def _address(article):
    """The story's address as stored, without reading its section through the ORM's cache
    (a raw save from a fixture may come before its section's row)."""
    slug = Category.objects.filter(pk=article.category_id).values_list("slug", flat=True).first()
    if slug is None:
        return set()
    return {reverse("articles:detail", args=[slug, article.slug, article.pk])}


def _fragment(article):
    """A live story's fragment of entries, as an address: after the change (no longer a live
    story, deleted) its id alone would not tell ``addresses`` that it had one."""
    if article.live_status == Article.LiveStatus.NONE:
        return set()
    return {reverse("articles:live_entries", args=[article.pk])}


def _lists_of(article):
    """The keys of every page that shows ``article`` while it is published."""
    if not _is_published(article):
        return set()
    authors = ArticleAuthor.objects.filter(article_id=article.pk).values_list("author_id")
    tags = TaggedArticle.objects.filter(content_object_id=article.pk).values_list("tag_id")
    return {
        f"article-{article.pk}",
        *EVERY_LIST,
        *_sections(article.category_id),
        *(f"author-{pk}" for (pk,) in authors),
        *(f"tag-{pk}" for (pk,) in tags),
        *_address(article),
        *_fragment(article),
    }


def article_keys(old, new):
    """A story saved, published, unpublished or deleted: the pages it was on and those it
    will be on (a section moved: both sections). A story that enters the newest stories, or
    moves in them, changes the lists drawn from them on every article page (``latest``)."""
    keys = _lists_of(old) | _lists_of(new)
    if _is_published(new) and (
        not _is_published(old)
        or (old.published_at, old.category_id) != (new.published_at, new.category_id)
    ):
        keys.add("latest")
    return keys


def article_due(article):
    """A scheduled story's pages change at its publication time, with no save."""
    return article.published_at if _is_published(article) else None


def part_due(row):
    """A byline, a tag, a correction or a read-more link of a scheduled story: the pages it
    joins change at the story's publication time (the admin saves them after the story)."""
    article_id = getattr(row, "article_id", None) or row.content_object_id
    article = Article.objects.filter(pk=article_id).only("status", "published_at").first()
    return article_due(article) if article is not None else None


def _of_article(article_id, *extra):
    """A row shown on its article's pages changed: if the article is published, its pages,
    and the ``extra`` lists it joins or leaves."""
    article = Article.objects.filter(pk=article_id).only("status", "category_id").first()
    if not _is_published(article):
        return set()
    return {f"article-{article_id}", *extra}


def byline_keys(old, new):
    rows = [row for row in (old, new) if row is not None]
    return set().union(
        *(_of_article(row.article_id, f"author-{row.author_id}", "feeds") for row in rows)
    )


def tagging_keys(old, new):
    rows = [row for row in (old, new) if row is not None]
    # Related stories are chosen by shared tags.
    return set().union(
        *(_of_article(row.content_object_id, f"tag-{row.tag_id}", "latest") for row in rows)
    )


def article_part_keys(old, new):
    """A read-more link or a correction: its article's pages (a correction dates the feeds
    and the sitemaps too)."""
    rows = [row for row in (old, new) if row is not None]
    return set().union(*(_of_article(row.article_id, "feeds", "sitemaps") for row in rows))


def live_entry_keys(old, new):
    """A live entry: its article's pages, the fragment of its entries among them (the
    fragment carries the article's key), and the sitemaps that date the story by it."""
    rows = [row for row in (old, new) if row is not None]
    return set().union(*(_of_article(row.article_id, "sitemaps") for row in rows))


def correction_keys(old, new):
    """A correction: its article's pages, and the list of corrections if readers see it."""
    keys = article_part_keys(old, new)
    return keys | {"corrections"} if keys else keys


def tag_keys(old, new):
    """A tag renamed or deleted: its name is on cards, pages and feeds everywhere. A tag
    created is shown nowhere until a story carries it (``tagging_keys``)."""
    return {SITE} if old is not None else set()


def addresses(keys):
    """The addresses of the pages ``keys`` name, for a cache purged by address (nginx): the
    first page of each list, the article's current address, the feeds and the sitemaps. Not
    the pages ``latest`` and ``site`` name (every article page, every page)."""
    by_kind = {}
    for key in keys:
        kind, _, pk = key.partition("-")
        by_kind.setdefault(kind, set()).add(int(pk) if pk.isdigit() else None)
    found = set()
    if "home" in by_kind:
        found.add(reverse("articles:home"))
    if "feeds" in by_kind:
        found.add(reverse("feeds:latest"))
    if "corrections" in by_kind:
        found.add(reverse("articles:corrections"))
    if "sitemaps" in by_kind:
        found.add(reverse("sitemaps:index"))
        found.add(reverse("sitemaps:news"))
        found.update(reverse("sitemaps:section", args=[name]) for name in SITEMAPS)
    for article in Article.objects.filter(pk__in=by_kind.get("article", ())).select_related(
        "category"
    ):
        found.add(article.get_absolute_url())
        if article.is_live_story:
            found.add(reverse("articles:live_entries", args=[article.pk]))
    for section in Category.objects.filter(pk__in=by_kind.get("section", ())):
        found.add(section.get_absolute_url())
        found.add(reverse("feeds:category", args=[section.slug]))
    for author in Author.objects.filter(pk__in=by_kind.get("author", ())):
        found.add(author.get_absolute_url())
        found.add(reverse("feeds:author", args=[author.slug]))
    for tag in Tag.objects.filter(pk__in=by_kind.get("tag", ())):
        found.add(reverse("articles:tag", args=[tag.slug]))
        found.add(reverse("feeds:tag", args=[tag.slug]))
    return found
