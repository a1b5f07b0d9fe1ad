import html
import math
import posixpath
import re
from datetime import timedelta
from functools import partial

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import filepath_to_uri
from django.utils.functional import cached_property
from django.utils.html import format_html, strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles import images
from articles.sanitizing import has_visible_text, plain_line, sanitize_html
from articles.stemming import write_out_ligatures
from articles.tags import ArticleTagManager
from pagecache import pages, purge

# Section slugs live at the root of the site; these paths belong to other pages.
RESERVED_SLUGS = {
    "admin", "apercu", "auteurs", "auteur", "tags", "tag", "recherche", "newsletter",
    "abonnement", "compte", "flux", "rss", "sitemap", "static", "media", "robots", "direct",
}  # fmt: skip
WORDS_PER_MINUTE = 230
# Edits this soon after publication (typos, a caption) don't earn a "Mis à jour le".
UPDATE_GRACE = timedelta(minutes=5)
# How many recent tagged stories the related-articles ranking looks at.
RELATED_CANDIDATES = 600


def unique_slug(instance, value, max_length):
    """Slugify ``value`` (accents folded, apostrophes dropped) and make it unique for the model."""
    base = slugify(write_out_ligatures(value))[:max_length].strip("-") or "sans-titre"
    candidate, n = base, 2
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    while others.filter(slug=candidate).exists():
        suffix = f"-{n}"
        candidate = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
        n += 1
    return candidate


class Image(models.Model):
    file = images.WebImageField(
        _("file"),
        upload_to="images/%Y/%m/",
        validators=[images.validate_image_file],
        help_text=_("JPEG, PNG, WebP or GIF. Smaller copies are made automatically."),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        help_text=_("Describe the image for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=150, blank=True)
    # As readers see it: upright, once the EXIF orientation is applied.
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    _stored_file = ("", 0)  # the file name and width as loaded from the database, if loaded

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.caption or self.alt_text

    def save(self, *args, **kwargs):
        if not self._has_new_file():
            return super().save(*args, **kwargs)
        old_name, old_width = self._stored_file or self._file_in_database()
        # Renditions are made once per original, not at each page view; made before any file
        # is written, so that a picture Pillow cannot handle leaves nothing on disk.
        renditions = images.make_renditions(self.file)
        self.width, self.height = renditions.width, renditions.height
        storage, using = self.file.storage, kwargs.get("using")
        try:
            with transaction.atomic(using=using):
                super().save(*args, **kwargs)  # stores the original, then the row
                renditions.save(storage, self.file.name)
        except BaseException:
            if self.file._committed:  # the new original is in storage, and no row points to it
                images.delete_files(storage, images.file_names(self.file.name, self.width))
            raise
        new_files = images.file_names(self.file.name, self.width)
        images.on_rollback(partial(images.delete_files, storage, new_files), using=using)
        if old_name:  # a replaced original: its files go once the change is kept
            old_files = images.file_names(old_name, old_width)
            transaction.on_commit(partial(images.delete_files, storage, old_files), using=using)
        self._stored_file = (self.file.name, self.width)

    def regenerate_renditions(self):
        """Make this image's renditions again from its original (and its size, as it reads
        now), under the same guarantee as ``save``: once this returns, the files are those of
        the committed row; if it fails, the row and the files it had stay.

        Returns False, changing nothing, if the image was deleted or given another file since
        it was loaded.
        """
        storage = self.file.storage
        with self.file.open("rb") as original:
            renditions = images.make_renditions(original)
        old_size = (self.width, self.height)
        old_files = {self.file.name, *images.stored_renditions(storage, self.file.name)}
        new_files = set(images.file_names(self.file.name, renditions.width))
        try:
            with transaction.atomic():
                current = Image.objects.select_for_update().filter(pk=self.pk, file=self.file.name)
                if not current.values_list("pk").first():
                    return False
                if (self.width, self.height) != (renditions.width, renditions.height):
                    # Another size, other widths in every srcset: pages showing it are rebuilt.
                    self.width, self.height = renditions.width, renditions.height
                    self.save(update_fields=["width", "height"])
                renditions.save(storage, self.file.name)
        except BaseException:
            images.delete_files(storage, new_files - old_files)
            self.width, self.height = old_size
            raise
        images.on_rollback(partial(images.delete_files, storage, new_files - old_files))
        transaction.on_commit(partial(images.delete_files, storage, old_files - new_files))
        self._stored_file = (self.file.name, self.width)
        return True

    def missing_files(self):
        """The names of this image's files (original, renditions) absent from storage."""
        names = images.file_names(self.file.name, self.width)
        return [name for name in names if not self.file.storage.exists(name)]

    def _has_new_file(self):
        if self._stored_file is None:  # loaded without its file: new if an upload was assigned
            return "file" in self.__dict__ and bool(self.file) and not self.file._committed
        return bool(self.file) and self.file.name != self._stored_file[0]

    def _file_in_database(self):
        stored = Image.objects.filter(pk=self.pk).values_list("file", "width").first()
        return stored or ("", 0)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        loaded = instance.__dict__
        if "file" in loaded:
            instance._stored_file = (str(loaded["file"] or ""), loaded.get("width") or 0)
        else:
            instance._stored_file = None
        return instance

    def rendition_url(self, width, extension=None):
        extension = extension or images.original_extension(self.file.name)
        return self.file.storage.url(images.rendition_name(self.file.name, width, extension))

    def srcset(self, extension=None):
        widths = images.rendition_widths(self.width)
        first = self.rendition_url(widths[0], extension)
        head, marker, tail = first.rpartition(f"-{widths[0]}w.")
        if not marker or "?" in tail:  # a signed URL per file: ask the storage for each
            urls = [self.rendition_url(w, extension) for w in widths]
        else:  # one storage call per picture; the other addresses differ only by width
            urls = [f"{head}-{w}w.{tail}" for w in widths]
        return ", ".join(f"{url} {w}w" for url, w in zip(urls, widths, strict=True))

    @property
    def srcset_webp(self):
        return self.srcset("webp")

    @property
    def fallback_url(self):
        """For browsers without srcset: a mid-sized copy."""
        widths = images.rendition_widths(self.width)
        return self.rendition_url(widths[min(1, len(widths) - 1)])

    def rendition_width_at_most(self, max_width):
        """The widest rendition made of this image that is at most ``max_width`` pixels wide."""
        widths = images.rendition_widths(self.width)
        return max((w for w in widths if w <= max_width), default=widths[0])

    def thumbnail_url(self):
        return self.rendition_url(images.rendition_widths(self.width)[0])

    @cached_property
    def is_shown_to_readers(self):
        """Whether readers see this image (as stored): on a published or scheduled article,
        featured, in its body or in one of its live entries, as an author's photo or in a
        house ad."""
        # Bodies show an image by the address of the original or of a rendition: the original's
        # name without its extension, then "." or "-<width>w.", raw or as a URL encodes it.
        stem = posixpath.splitext(self.file.name)[0]
        in_body = Q(body__contains=f'data-image="{self.pk}"')  # a library picture's reference
        for name in {stem, filepath_to_uri(stem)}:
            in_body |= Q(body__contains=f"{name}.") | Q(body__contains=f"{name}-")
        public = Article.objects.filter(status=Article.Status.PUBLISHED)
        return (
            public.filter(Q(featured_image=self) | in_body).exists()
            or LiveEntry.objects.filter(in_body, article__in=public).exists()
            or Author.objects.filter(photo=self).exists()
            or HouseAd.objects.filter(image=self).exists()
        )


@receiver(post_delete, sender=Image)
def delete_image_files(sender, instance, using, **kwargs):
    if instance.file:  # once the deletion is committed: a rollback keeps the image whole
        files = images.file_names(instance.file.name, instance.width)
        delete = partial(images.delete_files, instance.file.storage, files)
        transaction.on_commit(delete, using=using)


class Author(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ForeignKey(
        Image, verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The account this journalist signs in with, if any."),
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("The section's address: /slug/.")
    )
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Leave empty for a main section."),
    )
    menu_order = models.PositiveSmallIntegerField(_("menu order"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["menu_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="category_not_its_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is reserved by the site.")})
        if self.parent is not None and (
            self.parent.parent_id is not None or self.parent.pk == self.pk
        ):
            # Two levels only: sections and their sub-sections.
            raise ValidationError({"parent": _("Choose a main section as the parent.")})
        if self.parent is not None and self.pk and self.children.exists():
            raise ValidationError(
                {"parent": _("A section with sub-sections cannot become a sub-section.")}
            )

    def breadcrumb(self):
        """The sections from the top of the site down to this one."""
        trail, node = [], self
        while node is not None:
            trail.append(node)
            node = node.parent
        return trail[::-1]


def published_q(prefix=""):
    """The rule of what readers may see: published, and the publication time has come.

    ``prefix`` applies it across a relation (``"content_object__"``) without a subquery.
    """
    return Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


def _own_q(user):
    """The stories ``user`` created or signs (a subquery: a join on the bylines would repeat
    an article once per byline)."""
    signed = ArticleAuthor.objects.filter(author__user=user).values("article_id")
    return Q(created_by=user) | Q(pk__in=signed)


# What a read-more link needs of itself and of its target article (ReadMoreLink.href,
# display_label, is_visible).
READ_MORE_FIELDS = [
    "article_id", "position", "url", "label", "target_article__title", "target_article__slug",
    "target_article__status", "target_article__published_at", "target_article__category__slug",
]  # fmt: skip


def last_modified_expression():
    """``Article.last_modified`` in SQL: the latest of publication, edit and correction."""
    published = F("published_at")
    return Greatest(
        published, Coalesce("text_updated_at", published), Coalesce("corrected_at", published)
    )


# Fields whose change can take a story, or its full text, from readers.
WITHDRAWING_FIELDS = {"status", "published_at", "access", "slug", "category", "category_id"}


class ArticleQuerySet(models.QuerySet):
    # Writes in bulk send no signal: those that may withdraw a story say so to the page cache.
    def update(self, **kwargs):
        with transaction.atomic(using=self.db):
            count = super().update(**kwargs)
            if count and not WITHDRAWING_FIELDS.isdisjoint(kwargs):
                pages.withdraw(using=self.db)
        return count

    def bulk_update(self, objs, fields, batch_size=None):
        with transaction.atomic(using=self.db):
            count = super().bulk_update(objs, fields, batch_size)
            if count and not WITHDRAWING_FIELDS.isdisjoint(fields):
                pages.withdraw(using=self.db)
        return count

    def published(self):
        """What readers may see (``published_q``)."""
        return self.filter(published_q())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def next_publication_time(self):
        """When the next scheduled article appears, or None."""
        return (
            self.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
        )

    def own_by(self, user):
        """The stories ``user`` created or signs (``_own_q``), whatever their state."""
        return self.filter(_own_q(user))

    def editable_by(self, user):
        """What ``user`` may change: anything for editors; for authors, their own stories until
        an editor publishes or schedules them."""
        if user.has_perm("articles.publish_article"):
            return self
        return self.own_by(user).exclude(status=Article.Status.PUBLISHED)

    def viewable_by(self, user):
        """What ``user`` may open in the admin and preview: anything for editors; for authors,
        their own stories and what readers already see. A colleague's scheduled story is still
        under embargo."""
        if user.has_perm("articles.publish_article"):
            return self
        return self.filter(_own_q(user) | published_q())

    def for_cards(self):
        """What a list of article cards shows, without a query per card (nor the bodies)."""
        return self.select_related("category", "featured_image").defer("body")

    def with_bylines(self):
        return self.prefetch_related(
            Prefetch(
                "bylines",
                queryset=ArticleAuthor.objects.select_related("author").order_by("position"),
            )
        )

    def with_tags(self):
        """Prefetches the tags as ``Article.tag_list`` reads them (cheaper than taggit's own
        prefetch of ``tags``)."""
        return self.prefetch_related(
            Prefetch(
                "tagged_items",
                queryset=TaggedArticle.objects.select_related("tag").order_by("tag__name"),
            )
        )

    def with_entries_updated_at(self):
        """Each story with ``entries_updated_at``, when its live entries last changed (None
        without any): a live story changes with its entries, long after its text
        (``Article.last_modified_with_entries``). One subquery, on the entries' index."""
        latest = (
            LiveEntry.objects.filter(article=OuterRef("pk"))
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )
        return self.annotate(entries_updated_at=Subquery(latest))

    def newest(self, count):
        """The ``count`` newest published stories, as cards."""
        return self.published().for_cards()[:count]

    def latest_by_section(self, size, window, candidates):
        """The ``size`` newest stories of every main section (sub-sections included), each with
        its ``section_id``, in one query.

        They are drawn from the ``candidates`` newest stories of the last ``window``: numbering
        a whole archive per section would grow with the archive.
        """
        section_id = Coalesce(F("category__parent_id"), F("category_id"))
        recent = (
            self.filter(published_at__gte=timezone.now() - window)
            .order_by("-published_at")
            .values("pk")[:candidates]
        )
        return (
            self.filter(pk__in=recent)
            .annotate(
                section_id=section_id,
                position=Window(
                    RowNumber(), partition_by=section_id, order_by=F("published_at").desc()
                ),
            )
            .filter(position__lte=size)
        )

    def for_page(self):
        """Everything the article page shows about the article itself, in four queries."""
        return (
            self.select_related("category__parent", "featured_image")
            .with_bylines()
            .with_tags()
            .prefetch_related(
                Prefetch(
                    "read_more_links",
                    # A link shows its target's title and address, if the target is visible.
                    queryset=ReadMoreLink.objects.select_related("target_article__category")
                    .only(*READ_MORE_FIELDS)
                    .order_by("position"),
                ),
            )
        )


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_tag_per_article"
            ),
        ]
        indexes = [
            # A tag's newest stories: tag pages and related articles.
            models.Index(fields=["tag", "-content_object"], name="taggedarticle_tag_recent_idx")
        ]


def readers_tag_or_404(slug):
    """The tag ``slug`` if a story readers may see carries it; else 404, as for no such tag:
    an embargoed story's tag gives nothing away (one query)."""
    from taggit.models import Tag

    carried = TaggedArticle.objects.filter(published_q("content_object__"), tag=OuterRef("pk"))
    return get_object_or_404(Tag.objects.filter(Exists(carried)), slug=slug)


class LiveStatus(models.TextChoices):
    NONE = "", _("Not a live story")
    LIVE = "live", pgettext_lazy("live coverage", "Live")
    ENDED = "ended", pgettext_lazy("live coverage", "Ended")


class Article(models.Model):
    LiveStatus = LiveStatus

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    class Access(models.TextChoices):
        FREE = "free", _("Free")
        SUBSCRIBERS = "subscribers", _("Subscribers only")

    kicker = models.CharField(
        _("kicker"), max_length=80, blank=True, help_text=_("A few words above the title.")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Part of the article's address. Changing it keeps the old address working."),
    )
    lead = models.TextField(_("lead"), help_text=_("The standfirst shown under the title."))
    body = models.TextField(_("body"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), through="ArticleAuthor", related_name="articles"
    )
    tags = TaggableManager(_("tags"), through=TaggedArticle, blank=True, manager=ArticleTagManager)
    featured_image = models.ForeignKey(
        Image,
        verbose_name=_("featured image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("Leave a future date to schedule the publication."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    access = models.CharField(
        _("access"), max_length=12, choices=Access.choices, default=Access.FREE
    )
    featured = models.BooleanField(
        _("front page"), default=False, help_text=_("Show as the top story on the home page.")
    )
    seo_title = models.CharField(
        _("SEO title"), max_length=70, blank=True, help_text=_("Defaults to the title.")
    )
    meta_description = models.CharField(
        _("meta description"), max_length=160, blank=True, help_text=_("Defaults to the lead.")
    )
    noindex = models.BooleanField(
        _("hide from search engines"), default=False, help_text=_("Adds robots noindex.")
    )
    word_count = models.PositiveIntegerField(_("word count"), default=0, editable=False)
    # "Mis à jour le": set when the text readers see changes after publication, not when an
    # editor only moves the article to the front page or changes its SEO settings.
    text_updated_at = models.DateTimeField(
        _("text updated at"), null=True, blank=True, editable=False
    )
    corrected_at = models.DateTimeField(
        _("last corrected at"), null=True, blank=True, editable=False
    )
    # Live coverage ("En direct"): timestamped entries (LiveEntry) under the article's text.
    live_status = models.CharField(
        _("live coverage"),
        max_length=5,
        choices=LiveStatus.choices,
        default=LiveStatus.NONE,
        blank=True,
        help_text=_(
            "“Live” shows the entries under the text, newest first, and readers see new ones "
            "without reloading. “Ended” keeps them and tells readers the coverage is over."
        ),
    )
    live_started_at = models.DateTimeField(
        _("live coverage started at"),
        null=True,
        blank=True,
        help_text=_("Filled in when the coverage starts if left empty."),
    )
    live_ended_at = models.DateTimeField(
        _("live coverage ended at"),
        null=True,
        blank=True,
        help_text=_("Filled in when the coverage is ended if left empty."),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        permissions = [("publish_article", _("Can publish, schedule and unpublish articles"))]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub_idx"),
            models.Index(
                fields=["category", "status", "-published_at"], name="article_section_pub_idx"
            ),
            # The home page's top story: a few rows, whatever the archive (none is a full scan).
            models.Index(
                fields=["-published_at"], condition=Q(featured=True), name="article_featured_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title, self._meta.get_field("slug").max_length)
        self.prepare_text()
        now = timezone.now()
        text_changed = self._text_fingerprint() != getattr(self, "_loaded_text", None)
        if (
            text_changed
            and self.pk
            and self.published_at
            and self.published_at + UPDATE_GRACE < now
        ):
            self.text_updated_at = now
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "text_updated_at"}
        super().save(*args, **kwargs)
        self._loaded_text = self._text_fingerprint()

    def get_absolute_url(self):
        return reverse(
            "articles:detail",
            kwargs={"category": self.category.slug, "slug": self.slug, "pk": self.pk},
        )

    def get_preview_url(self):
        return reverse("articles:preview", kwargs={"pk": self.pk})

    def prepare_text(self):
        """What ``save()`` does to the text before it is stored (a bulk insert calls it):
        the body sanitised (ValidationError rather than lost text), its words counted, and
        "published" with no date made "now"."""
        self.body = sanitize_html(self.body)
        # Tags separate words ("<p>fin</p><p>début</p>" is two words), entities are one letter.
        self.word_count = len(html.unescape(re.sub(r"<[^>]+>", " ", self.body)).split())
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.prepare_live_coverage()

    def prepare_live_coverage(self):
        """A live story's coverage starts when it is made live (or at its publication), and
        ends when it is marked ended; a story live again has no end yet."""
        if self.live_status == LiveStatus.NONE:
            return
        if self.live_started_at is None:
            self.live_started_at = self.published_at or timezone.now()
        if self.live_status == LiveStatus.LIVE:
            self.live_ended_at = None
        elif self.live_ended_at is None:
            self.live_ended_at = timezone.now()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_text = instance._text_fingerprint()
        return instance

    def _text_fingerprint(self):
        fields = ("kicker", "title", "lead", "body")
        return tuple(self.__dict__.get(name) for name in fields)

    def clean(self):
        # "Published" with no date means "now"; fill it before the constraint is checked.
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        try:
            sanitize_html(self.body)
        except ValidationError as error:
            raise ValidationError({"body": error}) from None
        if (
            self.live_started_at
            and self.live_ended_at
            and self.live_status == LiveStatus.ENDED
            and self.live_ended_at < self.live_started_at
        ):
            raise ValidationError(
                {"live_ended_at": _("The coverage cannot end before it started.")}
            )

    @property
    def last_modified_with_entries(self):
        """``last_modified``, or the last change of a live entry if later (a queryset's
        ``with_entries_updated_at``)."""
        entries = getattr(self, "entries_updated_at", None)
        return max(filter(None, (self.last_modified, entries)))

    @property
    def is_live_story(self):
        """Whether the article is a live story, live or ended."""
        return self.live_status != LiveStatus.NONE

    @property
    def is_live(self):
        """Whether the coverage goes on (readers' pages look for new entries)."""
        return self.live_status == LiveStatus.LIVE

    @property
    def tag_list(self):
        """The article's tags by name: from ``with_tags()``'s prefetch when there is one."""
        items = self.tagged_items.all()
        if "tagged_items" not in getattr(self, "_prefetched_objects_cache", {}):
            items = items.select_related("tag").order_by("tag__name")
        return [item.tag for item in items]

    @property
    def is_visible(self):
        """Whether readers can see this article right now (same rule as ``published()``)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def last_modified(self):
        """When the text readers see last changed: publication, a later edit or a correction
        (``last_modified_expression()`` is the same rule in SQL)."""
        dates = [d for d in (self.published_at, self.text_updated_at, self.corrected_at) if d]
        return max(dates) if dates else self.updated_at  # updated_at may be deferred

    @property
    def was_updated(self):
        """Whether readers see "Mis à jour le": edited or corrected after publication."""
        return self.published_at is not None and self.last_modified > self.published_at

    @property
    def reading_time(self):
        """Minutes of reading, rounded up."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def byline_authors(self):
        return [byline.author for byline in self.bylines.all()]

    def note_corrections(self):
        """Keep ``corrected_at`` (the latest correction's date) in step with the corrections."""
        latest = self.corrections.aggregate(latest=models.Max("published_at"))["latest"]
        with purge.accounted_for():  # the corrections' own keys name the pages
            Article.objects.filter(pk=self.pk).update(corrected_at=latest)
        self.corrected_at = latest

    def is_editable_by(self, user):
        """Whether ``user`` may change this article as it is stored (``editable_by``): never
        as a form, a restored version or a concurrent edit has left it in memory."""
        if user.has_perm("articles.publish_article"):
            return True
        return Article.objects.editable_by(user).filter(pk=self.pk).exists()

    def visible_read_more_links(self):
        """The editor's read-more links that readers may follow (no draft targets), each story
        or address once."""
        links = {}
        for link in self.read_more_links.all():
            if link.is_visible:
                links.setdefault(link.target_article_id or link.url, link)
        return list(links.values())

    def related_articles(self, limit=3, exclude=()):
        """The editor's picks first, then the articles sharing the most tags (newest first among
        equals), then the section's newest, then its main section's, then, on a young site with
        too few, the latest. Never the article itself nor those in ``exclude``; at most five
        queries whatever the number of picks, tags and stories."""
        excluded = {self.pk, *exclude}
        pick_ids = [
            link.target_article_id
            for link in self.read_more_links.all()
            if link.target_article_id and link.target_article_id not in excluded and link.is_visible
        ][:limit]
        picks = []
        if pick_ids:  # as cards (the prefetched links carry only what a link shows)
            by_id = Article.objects.for_cards().in_bulk(pick_ids)
            picks = [by_id[pk] for pk in pick_ids if pk in by_id]
        excluded.update(pick_ids)
        missing = limit - len(picks)
        if missing <= 0:
            return picks
        tag_ids = [tag.pk for tag in self.tag_list]
        visible = Article.objects.published().exclude(pk__in=excluded)
        related = []
        if tag_ids:
            # The best ids come from the narrow tag table: grouping whole articles (bodies and
            # all) by shared tags is what makes this slow on a large site.
            shared = TaggedArticle.objects.filter(tag_id__in=tag_ids).values("content_object_id")
            # Among the most recent stories carrying these tags (ids grow with time): related
            # news is recent news, and the cost no longer grows with the size of the archive.
            recent = shared.order_by("-content_object_id").values("pk")[:RELATED_CANDIDATES]
            best = (
                shared.filter(pk__in=recent)
                .filter(published_q("content_object__"))
                .exclude(content_object_id__in=excluded)
                .annotate(n=Count("tag_id"), newest=Max("content_object__published_at"))
                .order_by("-n", "-newest", "-content_object_id")
                .values("content_object_id")[:missing]
            )
            related = list(
                Article.objects.for_cards()
                .filter(pk__in=best)
                .annotate(
                    shared_tags=Subquery(
                        shared.filter(content_object_id=OuterRef("pk"))
                        .annotate(n=Count("tag_id"))
                        .values("n")
                    )
                )
                .order_by("-shared_tags", "-published_at", "-id")
            )
        # Then the newest of the same section, then of its main section (a sub-section's
        # parent and siblings); then, on a young site with too few, the latest.
        main_id = self.category.parent_id or self.category_id
        stages = [
            visible.filter(category_id=self.category_id),
            visible.filter(Q(category_id=main_id) | Q(category__parent_id=main_id)),
            visible,
        ]
        for candidates in stages:
            if len(related) >= missing:
                break
            related += candidates.exclude(pk__in=[a.pk for a in related]).for_cards()[
                : missing - len(related)
            ]
        return picks + related


class ArticleAuthor(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="bylines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_author_per_article"),
        ]

    def __str__(self):
        return str(self.author)


class ReadMoreLink(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="read_more_links")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    target_article = models.ForeignKey(
        Article,
        verbose_name=_("article of the site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.URLField(
        _("external address"), blank=True, help_text=_("For a link outside this site.")
    )
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        help_text=_("Defaults to the linked article's title. Required for an external link."),
    )

    class Meta:
        verbose_name = _("read-more link")
        verbose_name_plural = _("read-more links")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_article__isnull=False) & Q(url=""))
                | (Q(target_article__isnull=True) & ~Q(url="") & ~Q(label="")),
                name="read_more_link_has_one_target",
            ),
        ]

    def __str__(self):
        return self.display_label

    def clean(self):
        if bool(self.target_article_id) == bool(self.url):
            raise ValidationError(
                _("Choose either an article of the site or an external address, not both.")
            )
        if self.url and not self.label:
            raise ValidationError({"label": _("An external link needs a label.")})
        if self.target_article_id and self.target_article_id == self.article_id:
            raise ValidationError({"target_article": _("An article cannot link to itself.")})

    @property
    def is_visible(self):
        return bool(self.url) or (
            self.target_article is not None and self.target_article.is_visible
        )

    @property
    def display_label(self):
        if self.label:
            return self.label
        return self.target_article.title if self.target_article_id else self.url

    @property
    def href(self):
        return self.url or self.target_article.get_absolute_url()


class Correction(models.Model):
    """A dated note at the foot of a published article, telling readers what was fixed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    text = models.TextField(
        _("correction"), help_text=_("What was wrong and what the article now says.")
    )

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["published_at", "id"]

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.article.note_corrections()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.article.note_corrections()
        return result


class LiveEntryQuerySet(models.QuerySet):
    def for_readers(self):
        """What an entry shows readers (author, text), without a query per entry."""
        return self.select_related("author")

    def stream(self):
        """The entries that are not key points, newest first (``Meta.ordering``): the order
        of a live story's numbered pages."""
        return self.filter(pinned=False).order_by("-published_at", "-id")

    def newer_than(self, entry):
        """The entries of the stream of ``entry``'s story that come before it."""
        later = Q(published_at__gt=entry.published_at)
        return self.stream().filter(
            later | Q(published_at=entry.published_at, pk__gt=entry.pk),
            article_id=entry.article_id,
        )


class LiveEntry(models.Model):
    """One timestamped entry of a live story, with its own author, rich text, pictures and
    embeds (sanitised like the article's body); pinned entries are the key points, shown
    first."""

    # How far ahead of the clock an entry may be dated (a clock a little fast).
    FUTURE_MARGIN = timedelta(minutes=1)

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="live_entries"
    )
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="live_entries"
    )
    published_at = models.DateTimeField(
        _("time"), default=timezone.now, help_text=_("The time shown to readers.")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    pinned = models.BooleanField(
        _("key point"), default=False, help_text=_("Key points are shown first, at the top.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LiveEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("live entry")
        verbose_name_plural = _("live entries")
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        indexes = [
            models.Index(fields=["article", "-published_at"], name="liveentry_article_time_idx")
        ]

    def __str__(self):
        text = self.title or html.unescape(strip_tags(self.body))
        return " ".join(text.split())[:80] or str(_("Entry"))

    def save(self, *args, **kwargs):
        self.title = plain_line(self.title).strip()
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The entry's own address, which leads to the page of its story that holds it (pages
        move as entries are added: ``articles.views.live_entry``)."""
        return reverse("articles:live_entry", args=[self.pk])

    @property
    def anchor(self):
        """The entry's anchor on its article's page."""
        return f"entree-{self.pk}"

    def clean(self):
        try:
            body = sanitize_html(self.body)
        except ValidationError as error:
            raise ValidationError({"body": error}) from None
        if not has_visible_text(html.unescape(strip_tags(body))) and "<figure" not in body:
            raise ValidationError({"body": _("This entry is empty.")})
        if self.published_at and self.published_at > timezone.now() + self.FUTURE_MARGIN:
            raise ValidationError({"published_at": _("An entry cannot be dated in the future.")})


class HouseAdQuerySet(models.QuerySet):
    def current(self):
        """The newest shown ad of every slot, by slot, in one query."""
        ads = self.filter(is_active=True).select_related("image").order_by("slot", "updated_at")
        return {ad.slot: ad for ad in ads}  # a slot's newest ad comes last and stays


class HouseAd(models.Model):
    """The newsroom's own advertisement for a slot of the page: an image and a link, no script."""

    class Slot(models.TextChoices):
        ARTICLE = "article", _("Article page, after the text")
        HOME = "home", _("Home page, between the sections")

    name = models.CharField(_("name"), max_length=100, help_text=_("For the newsroom only."))
    slot = models.CharField(_("slot"), max_length=20, choices=Slot.choices)
    image = models.ForeignKey(Image, verbose_name=_("image"), on_delete=models.PROTECT)
    link = models.URLField(_("link"))
    alt_text = models.CharField(
        _("alternative text"),
        max_length=200,
        help_text=_("What the ad says, for readers who cannot see it."),
    )
    is_active = models.BooleanField(
        _("shown"), default=True, help_text=_("The newest shown ad of a slot is displayed.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseAdQuerySet.as_manager()

    class Meta:
        verbose_name = _("house ad")
        verbose_name_plural = _("house ads")
        ordering = ["slot", "-updated_at"]
        indexes = [models.Index(fields=["slot", "is_active"], name="housead_slot_idx")]

    def __str__(self):
        return self.name


# Every admin save of an article keeps a version of it with its bylines, links and tags (and
# corrections, which a deleted article's recovery brings back; restoring a version of an
# existing article leaves them as they are: see ArticleAdmin.revision_view).
reversion.register(ArticleAuthor)
reversion.register(ReadMoreLink)
reversion.register(TaggedArticle)
reversion.register(Correction)
reversion.register(Article, follow=("bylines", "read_more_links", "tagged_items", "corrections"))
# A live entry's versions are its own (LiveEntryAdmin keeps one at each save): an article's
# would copy all its entries at every save of its text, and restoring one would undo the
# entries written since.
reversion.register(LiveEntry)


def _owning_user():
    """The user a row belongs to, and goes with."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )


class Autosave(models.Model):
    """What one user last typed in an article's title, lead and body, kept by the editor every
    30 seconds and when the page is left: a private copy, never shown to readers nor published,
    offered back when the user reopens the article, and deleted when they save it. A new
    article, not yet saved, has no ``article``: one such copy per user."""

    # What a copy may hold; the editor refuses more (a request is never half stored).
    MAX_LENGTHS = {"title": 200, "lead": 10_000, "body": 1_000_000}

    user = _owning_user()
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="autosaves",
    )
    title = models.CharField(_("title"), max_length=MAX_LENGTHS["title"], blank=True)
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"), blank=True)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("autosaved text")
        verbose_name_plural = _("autosaved texts")
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="autosave_user_article"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(article=None), name="autosave_user_new_article"
            ),
        ]

    def __str__(self):
        return self.title or str(_("Untitled"))

    def differs_from(self, article):
        """Whether restoring this copy would change ``article`` (None: a new one)."""
        if article is None:
            return any((self.title, self.lead, self.body))
        saved = (article.title, article.lead, article.body)
        return (self.title, self.lead, self.restorable_body()) != saved

    def restorable_body(self):
        """The body, as the article would store it; a body the sanitiser refuses (which the
        editor never writes) comes back as its bare text, for the editor to check."""
        try:
            return sanitize_html(self.body)
        except ValidationError:
            return format_html("<p>{}</p>", html.unescape(strip_tags(self.body)))


class EditingPresence(models.Model):
    """Who has an article open in the editor, and since when: the page tells the server every
    minute (``seen_at``), so that a colleague opening it is warned before writing over them."""

    user = _owning_user()
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)

    class Meta:
        verbose_name = _("article open in the editor")
        verbose_name_plural = _("articles open in the editor")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="presence_article_user"),
        ]

    def __str__(self):
        return f"{self.user} — {self.article}"
