"""The import of a WordPress export (``manage.py import_wordpress``).

Three readings of the file, each a stream:

1. **Survey**: every element is read once, nothing is written. Authors, categories, tags and
   the attachments' metadata are kept (small), and of each post only its old addresses. A
   malformed or truncated file stops here, before any write.
2. **Library**: authors, sections and pictures are made (or found again), then the posts are
   read again and written in batches, one transaction each. Every object made is recorded in
   ``ImportedItem`` under its WordPress identifier, with a fingerprint of what was written: a
   run stopped halfway starts again where it stopped, and a second run of the same export
   changes nothing.
3. **Links** to posts that came later in the file are rewritten once those exist.

A batch's writes start one content version and queue one CDN purge of the whole site
(``pagecache.purge.in_bulk``), whatever its size.
"""

import hashlib
import json
import time
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles import images, purging
from articles.models import (
    RESERVED_SLUGS,
    Article,
    ArticleAuthor,
    Author,
    Category,
    Image,
    TaggedArticle,
    unique_slug,
)
from articles.tags import clean_name, stored_tags
from pagecache import purge
from wordpress import bodies, wxr
from wordpress.models import ImportedItem, OldAddress

Kind = ImportedItem.Kind
STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
}
SKIPPED_STATUSES = {
    "private": "article privé",
    "trash": "article à la corbeille",
    "auto-draft": "brouillon automatique",
    "inherit": "révision",
}
OTHER_TYPES = {
    "page": "pages",
    "nav_menu_item": "entrées de menu",
    "revision": "révisions",
    "wp_block": "blocs réutilisables",
    "wp_navigation": "menus",
    "wp_template": "modèles",
    "wp_template_part": "modèles",
    "wp_global_styles": "styles",
    "customize_changeset": "réglages du thème",
    "custom_css": "styles",
    "oembed_cache": "cache d’intégrations",
}
PICTURE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
PERMALINK_GUESSES = [
    "/%year%/%monthnum%/%day%/%postname%/",
    "/%year%/%monthnum%/%postname%/",
    "/%category%/%postname%/",
    "/%postname%/",
    "/archives/%post_id%",
]
DEFAULT_SECTION = ("archives", "Archives")
FOLDED_PREFIX = "WordPress : "


class ImportStopped(Exception):
    """The import cannot go on (the message says why, in French)."""


class _DryRun(Exception):
    pass


@dataclass
class Report:
    """What a run did, for the command's summary."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    not_articles: Counter = field(default_factory=Counter)  # pages, menus, comments…
    shortcodes: Counter = field(default_factory=Counter)
    details: list = field(default_factory=list)  # one line per post or file needing a look
    folded: list = field(default_factory=list)
    permalinks: str = ""
    site: wxr.Site | None = None
    seconds: float = 0.0
    dry_run: bool = False

    def note(self, reason, detail=None):
        self.skipped[reason] += 1
        if detail:
            self.details.append(f"{reason} : {detail}")


def wp_date(local, gmt, zone):
    """A WordPress date as an aware datetime: the GMT one unless it is the zero date."""
    if gmt and gmt.strip() != wxr.ZERO_DATE:
        parsed = _parse(gmt)
        if parsed:
            return parsed.replace(tzinfo=UTC)
    if local and local.strip() != wxr.ZERO_DATE:
        parsed = _parse(local)
        try:  # the first hours of year 1 in Paris are still year 0 in UTC: no such date
            return timezone.make_aware(parsed, zone).astimezone(UTC) if parsed else None
        except OverflowError:
            return None
    return None


def _parse(value):
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def path_of(url):
    """The path an address of the old site is asked at, as Django reads it (decoded)."""
    parts = urlsplit(url.strip())
    query = dict(pair.partition("=")[::2] for pair in parts.query.split("&") if pair)
    if parts.path in ("", "/") and (post := wxr.post_query(query.get("p"))):
        return post
    if parts.query:
        return None
    return unquote(parts.path) or None


def slug_from(*candidates, max_length):
    for candidate in candidates:
        slug = slugify(unquote(candidate or ""))[:max_length].strip("-")
        if slug:
            return slug
    return ""


def seo_text(value, title, max_length):
    """A Yoast or Rank Math template with its variables replaced ("%%title%% %%sep%%…")."""
    if not value:
        return ""
    value = value.replace("%%title%%", title).replace("%title%", title)
    for marker in ("%%", "%"):
        parts = value.split(marker)
        if len(parts) > 2:  # drop every remaining %%variable%%
            value = "".join(part for i, part in enumerate(parts) if i % 2 == 0)
    value = " ".join(value.split()).strip(" -|–—·:")
    if value == title:
        return ""
    return value if len(value) <= max_length else value[: max_length - 1].rsplit(" ", 1)[0] + "…"


class Importer:
    def __init__(
        self,
        path,
        *,
        media_dir=None,
        permalinks=None,
        dry_run=False,
        link_staff=False,
        batch_size=500,
        progress=None,
    ):
        self.path = Path(path)
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.permalinks = permalinks
        self.dry_run = dry_run
        self.link_staff = link_staff
        self.batch_size = batch_size
        self.progress = progress or (lambda done, total: None)
        self.report = Report(dry_run=dry_run)
        self.zone = timezone.get_default_timezone()
        self.authors = {}  # login -> wp:author fields
        self.categories = {}  # nicename -> wp:category fields
        self.term_ids = {}  # term id -> category nicename
        self.tag_names = {}  # tag slug -> name
        self.attachments = {}  # post id -> {"file", "alt", "caption", "title"}
        self.by_upload = {}  # path under uploads -> attachment post id
        self.post_paths = {}  # old path -> post id
        self.post_count = 0
        # What this run made or found, by WordPress identifier.
        self.author_ids = {}  # login -> Author id
        self.sections = {}  # nicename -> Category
        self.pictures = {}  # attachment id -> bodies.Picture
        self.article_urls = {}  # post id -> new address
        self.tags = {}  # casefolded name -> Tag
        self.pending = {}  # post id -> (article id, converted values) awaiting links

    # The run -----------------------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        self._survey()
        self.site_key = self.report.site.base_site_url or self.report.site.link or "wordpress"
        self.items = {kind: {} for kind in Kind.values}
        for item in ImportedItem.objects.filter(site=self.site_key):
            self.items[item.kind][item.wp_id] = item
        hosts = {urlsplit(u).hostname for u in (self.report.site.base_site_url,
                 self.report.site.base_blog_url, self.report.site.link)}  # fmt: skip
        self.converter = bodies.Converter(
            self._picture, self.article_urls.get, self.post_paths, hosts
        )
        addresses = OldAddress.objects.count()
        try:
            with transaction.atomic() if self.dry_run else nullcontext():
                self._import_authors()
                self._import_sections()
                self._import_attachments()
                self._import_posts()
                self._rewrite_pending_links()
                self._term_addresses()
                self.report.created["anciennes adresses"] = OldAddress.objects.count() - addresses
                if self.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except wxr.WXRError as error:  # the file changed since the survey read it whole
            read = str(error).replace(" Rien n’a été écrit.", "")
            raise ImportStopped(
                f"{read} Les lots déjà enregistrés sont gardés : relancez l’import une fois "
                "le fichier réparé, il reprendra où il s’est arrêté."
            ) from None
        self.report.seconds = time.monotonic() - started
        return self.report

    # 1. Survey ---------------------------------------------------------------------------

    def _survey(self):
        report = self.report
        try:
            for kind, data in wxr.read(self.path):
                if kind == "site":
                    report.site = data
                elif kind == "author":
                    login = data.get("wp:author_login", "")
                    if login:
                        self.authors[login] = data
                elif kind == "category":
                    self._survey_category(data.get("wp:category_nicename", ""), data)
                elif kind == "tag":
                    self.tag_names[data.get("wp:tag_slug", "")] = data.get("wp:tag_name", "")
                elif kind == "item":
                    self._survey_item(data)
        except OSError as error:
            raise ImportStopped(f"Impossible de lire {self.path} : {error.strerror}.") from None
        except wxr.WXRError as error:
            raise ImportStopped(str(error)) from None
        report.permalinks = self.permalinks or self._guess_permalinks()
        self._break_category_loops()

    def _survey_category(self, nicename, data):
        if not nicename:
            return
        self.categories.setdefault(nicename, data)
        if data.get("wp:term_id"):
            self.term_ids[data["wp:term_id"]] = nicename

    def _break_category_loops(self):
        """Categories that are their own ancestors (a → b → a): the first of the loop by name
        becomes a top category, and the loop is reported."""
        for nicename in sorted(self.categories):
            chain, current = [], nicename
            while current in self.categories and current not in chain:
                chain.append(current)
                current = self.categories[current].get("wp:category_parent", "")
            if current in chain:
                loop = chain[chain.index(current) :]
                top = min(loop)
                self.categories[top] = {**self.categories[top], "wp:category_parent": ""}
                self.report.note(
                    "rubriques parentes l’une de l’autre (la première devient principale)",
                    " › ".join(loop),
                )

    def _survey_item(self, item):
        kind, wp_id = item.get("wp:post_type", ""), item.get("wp:post_id", "").strip()
        self.report.not_articles["commentaires"] += item["comments"]
        if kind == "attachment":
            self._survey_attachment(wp_id, item)
        elif kind != "post":
            self.report.not_articles[OTHER_TYPES.get(kind, f"type « {kind} »")] += 1
        elif item.get("wp:status") not in SKIPPED_STATUSES:
            self.post_count += 1
            for path in self._old_paths(item):
                self.post_paths.setdefault(path, wp_id)
            for domain, nicename, name in item["categories"]:
                if domain == "category":  # a category the export's head did not list
                    self._survey_category(nicename, {"wp:cat_name": name})

    def _survey_attachment(self, wp_id, item):
        meta = item["meta"]
        relative = meta.get("_wp_attached_file") or bodies.upload_path(
            item.get("wp:attachment_url", "")
        )
        if not relative or Path(relative).suffix.lower() not in PICTURE_EXTENSIONS:
            self.report.not_articles["fichiers joints autres qu’images"] += 1
            return
        self.attachments[wp_id] = {
            "file": relative,
            "alt": meta.get("_wp_attachment_image_alt", "").strip(),
            "caption": bodies.plain(item.get("excerpt:encoded", "")),
            "title": bodies.plain(item.get("title", "")),
        }
        self.by_upload[bodies.SIZE_SUFFIX.sub("", relative)] = wp_id

    def _guess_permalinks(self):
        return "" if not self.post_paths else "d’après les liens de l’export"

    def _old_paths(self, item):
        """Every address the post answered at: /?p=ID, its <link>, and the --permalinks
        structure's."""
        wp_id = item.get("wp:post_id", "").strip()
        paths = [post] if (post := wxr.post_query(wp_id)) else []
        if (link := path_of(item.get("link", ""))) and link not in paths:
            paths.append(link)
        if self.permalinks and (built := self._permalink(item)):
            paths.append(built)
        return paths

    def _permalink(self, item):
        date = _parse(item.get("wp:post_date", "")) or datetime(1970, 1, 1)
        categories = [n for d, n, _ in item["categories"] if d == "category"]
        category = "/".join(self._category_chain(categories[0])) if categories else ""
        values = {
            "%year%": f"{date.year:04d}", "%monthnum%": f"{date.month:02d}",
            "%day%": f"{date.day:02d}", "%hour%": f"{date.hour:02d}",
            "%minute%": f"{date.minute:02d}", "%second%": f"{date.second:02d}",
            "%post_id%": item.get("wp:post_id", ""), "%postname%": item.get("wp:post_name", ""),
            "%category%": category, "%author%": item.get("dc:creator", ""),
        }  # fmt: skip
        path = self.permalinks
        for token, value in values.items():
            path = path.replace(token, value)
        return unquote(path if path.startswith("/") else f"/{path}")

    def _category_chain(self, nicename):
        """The nicenames from the top category down to ``nicename``."""
        chain, seen = [], set()
        while nicename and nicename not in seen:
            seen.add(nicename)
            chain.append(nicename)
            nicename = self.categories.get(nicename, {}).get("wp:category_parent", "")
        return chain[::-1]

    # 2. Library --------------------------------------------------------------------------

    def _known(self, kind, wp_id, model):
        """The id of the row an earlier run made of this object, if it still exists."""
        item = self.items[kind].get(wp_id)
        if item and model.objects.filter(pk=item.object_id).exists():
            return item.object_id
        return None

    def _record(self, kind, wp_id, object_id, fingerprint="", stored_at=None):
        item = self.items[kind].get(wp_id) or ImportedItem(
            site=self.site_key, kind=kind, wp_id=wp_id
        )
        item.object_id, item.fingerprint, item.stored_at = object_id, fingerprint, stored_at
        item.save()
        self.items[kind][wp_id] = item

    def _import_authors(self):
        staff = {}
        if self.link_staff:
            for user in get_user_model().objects.filter(is_staff=True, author_profile=None):
                staff.setdefault(user.email.casefold(), user)
        with _batch():
            for login, data in self.authors.items():
                self.author_ids[login] = self._author(login, data, staff)

    def _author(self, login, data, staff=None):
        if known := self._known(Kind.AUTHOR, login, Author):
            self.report.unchanged["auteurs"] += 1
            return known
        name = (
            bodies.plain(data.get("wp:author_display_name", ""))
            or " ".join(
                filter(None, (data.get("wp:author_first_name"), data.get("wp:author_last_name")))
            )
            or login
        )
        slug = slug_from(name, login, max_length=120) or "auteur"
        author = Author.objects.filter(slug=slug).first()
        if author:
            self.report.unchanged["auteurs"] += 1
        else:
            author = Author(name=name[:120], slug=slug)
            user = (staff or {}).get(data.get("wp:author_email", "").strip().casefold())
            if user is not None:
                author.user = user
                staff.pop(user.email.casefold())
            author.save()
            self.report.created["auteurs"] += 1
        self._record(Kind.AUTHOR, login, author.pk)
        return author.pk

    def _import_sections(self):
        with _batch():
            for nicename in sorted(self.categories, key=lambda n: len(self._category_chain(n))):
                chain = self._category_chain(nicename)
                if len(chain) > 2:
                    self.report.folded.append(f"{' › '.join(chain)} → {' › '.join(chain[:2])}")
                    self.sections[nicename] = self.sections[chain[1]]
                    continue
                parent = self.sections.get(chain[0]) if len(chain) == 2 else None
                self.sections[nicename] = self._section(nicename, parent)

    def _section(self, nicename, parent):
        data = self.categories[nicename]
        if known := self._known(Kind.CATEGORY, nicename, Category):
            self.report.unchanged["rubriques"] += 1
            return Category.objects.get(pk=known)
        slug = slug_from(nicename, data.get("wp:cat_name"), max_length=100)
        if slug in RESERVED_SLUGS:
            slug = f"{slug}-rubrique"
        # A section of this site with the same address is this category; a name with no Latin
        # letter gets an address of its own ("rubrique", "rubrique-2"…), never another's.
        section = Category.objects.filter(slug=slug).first() if slug else None
        if not slug:
            slug = unique_slug(Category(), "rubrique", 100)
        if section is None:
            name = bodies.plain(data.get("wp:cat_name", "")) or nicename
            section = Category.objects.create(
                name=name[:100],
                slug=slug,
                parent=parent,
                description=bodies.plain(data.get("wp:category_description", "")),
            )
            self.report.created["rubriques"] += 1
        else:
            self.report.unchanged["rubriques"] += 1
        self._record(Kind.CATEGORY, nicename, section.pk)
        return section

    def _default_section(self):
        slug, name = DEFAULT_SECTION
        if slug not in self.sections:
            self.sections[slug], _ = Category.objects.get_or_create(
                slug=slug, defaults={"name": name}
            )
        return self.sections[slug]

    def _import_attachments(self):
        known = {
            item.wp_id: item.object_id
            for item in self.items[Kind.ATTACHMENT].values()
            if item.wp_id in self.attachments
        }
        stored = Image.objects.in_bulk(known.values())
        for wp_id, pk in known.items():
            if pk in stored:
                image = stored[pk]
                self.pictures[wp_id] = bodies.Picture(pk, image.file.url, image.alt_text)
                self.report.unchanged["images"] += 1
        wanted = [wp_id for wp_id in self.attachments if wp_id not in self.pictures]
        for start in range(0, len(wanted), 50):
            with _batch():
                for wp_id in wanted[start : start + 50]:
                    self._attachment(wp_id, self.attachments[wp_id])

    def _attachment(self, wp_id, data):
        if self.media_dir is None:
            self.report.note("image absente (pas de --media-dir)")
            return
        try:
            path = (self.media_dir / data["file"]).resolve()
            found = path.is_relative_to(self.media_dir) and path.is_file()
        except (OSError, RuntimeError):  # a name too long, a symbolic link's loop
            found = False
        if not found:
            self.report.note("image introuvable", f"{data['file']} (fichier joint {wp_id})")
            return
        try:
            opened = path.open("rb")
        except OSError:  # not readable by the importer’s user
            self.report.note("image illisible", f"{data['file']} (fichier joint {wp_id})")
            return
        with opened:
            self._store_picture(wp_id, data, File(opened, name=path.name))

    def _store_picture(self, wp_id, data, upload):
        try:
            images.validate_image_file(upload)
        except ValidationError as error:
            self.report.note("image refusée", f"{data['file']} : {error.messages[0]}")
            return
        alt = (data["alt"] or data["title"])[:250]
        if self.dry_run:
            picture = bodies.Picture(0, f"{settings.MEDIA_URL}{data['file']}", alt)
        else:
            image = Image(file=upload, alt_text=alt, caption=data["caption"][:300])
            image.save()
            picture = bodies.Picture(image.pk, image.file.url, alt)
            self._record(Kind.ATTACHMENT, wp_id, image.pk)
        self.pictures[wp_id] = picture
        self.report.created["images"] += 1

    def _picture(self, attachment_id, upload):
        if attachment_id is not None and str(attachment_id) in self.pictures:
            return self.pictures[str(attachment_id)]
        wp_id = self.by_upload.get(upload) if upload else None
        return self.pictures.get(wp_id) if wp_id else None

    # Posts -------------------------------------------------------------------------------

    def _import_posts(self):
        posts = self.items[Kind.POST]
        urls = Article.objects.filter(pk__in=[item.object_id for item in posts.values()])
        by_article = {item.object_id: wp_id for wp_id, item in posts.items()}
        for article in urls.select_related("category").only("slug", "category__slug"):
            self.article_urls[by_article[article.pk]] = article.get_absolute_url()
        batch, done, seen = [], 0, set()
        self.progress(0, self.post_count)
        for kind, data in wxr.read(self.path):
            if kind != "item" or data.get("wp:post_type") != "post":
                continue
            wp_id = data["wp:post_id"] = data.get("wp:post_id", "").strip()
            status = data.get("wp:status", "")
            named = f"« {bodies.plain(data.get('title', ''))} » (WordPress {wp_id})"
            if status in SKIPPED_STATUSES:
                self.report.note(SKIPPED_STATUSES[status], named)
                continue
            if not wp_id.isdigit():
                self.report.note("article sans numéro WordPress, non importé", named)
                continue
            if wp_id in seen:  # the first one is imported: a second would overwrite it
                self.report.note("article en double dans l’export, le second ignoré", named)
                continue
            seen.add(wp_id)
            batch.append(data)
            if len(batch) >= self.batch_size:
                self._posts(batch)
                done += len(batch)
                self.progress(done, self.post_count)
                batch = []
        if batch:
            self._posts(batch)
            self.progress(done + len(batch), self.post_count)

    def _posts(self, batch):
        posts = self.items[Kind.POST]
        known = [posts[d["wp:post_id"]].object_id for d in batch if d["wp:post_id"] in posts]
        written = _Written(articles=Article.objects.select_related("category").in_bulk(known))
        with _batch():
            tags = self._tags_of(batch)
            wanted = {self._slug(data) for data in batch}
            written.taken = set(
                Article.objects.filter(slug__in=wanted).values_list("slug", flat=True)
            )
            for data in batch:
                self._post(data, tags, written)
            self._written(written, tags)
            ArticleAuthor.objects.filter(article_id__in=written.replaced).delete()
            TaggedArticle.objects.filter(content_object_id__in=written.replaced).delete()
            ArticleAuthor.objects.bulk_create(written.bylines)
            TaggedArticle.objects.bulk_create(written.taggings)
            OldAddress.objects.bulk_create(written.addresses, ignore_conflicts=True)
            self._save_records(written.records)
            # No key is queued per story: a scheduled one purges the site when it appears.
            now = timezone.now()
            for due in {purging.article_due(a) for _, a, *_ in written.saved} - {None}:
                if due > now:
                    purge.queue([purge.SITE], due=due)

    def _slug(self, data):
        return (
            slug_from(data.get("wp:post_name"), data.get("title"), max_length=120)
            or f"article-{data.get('wp:post_id', '').strip()}"
        )

    def _tags_of(self, batch):
        """{casefolded name: Tag} for every tag the batch's posts carry, made when missing."""
        names = set()
        for data in batch:
            names.update(self._tag_names(data))
        missing = {name for name in names if name.casefold() not in self.tags}
        if missing:
            self.tags.update(stored_tags(missing))
        for name in sorted(missing):
            if name.casefold() not in self.tags:
                self.tags[name.casefold()] = Tag.objects.create(name=name)
                self.report.created["tags"] += 1
        return self.tags

    def _tag_names(self, data):
        primary = self._primary_category(data)
        names = [
            name
            for domain, nicename, name in data["categories"]
            if domain == "post_tag" or (domain == "category" and nicename != primary)
        ]
        if primary and self._category_chain(primary)[2:]:  # folded: its name is kept as a tag
            names.append(self.categories[primary].get("wp:cat_name") or primary)
        cleaned = []
        for name in names:
            try:
                name = clean_name(bodies.plain(name)[: wxr_tag_length()])
            except ValidationError:
                continue
            if name and name.casefold() not in {n.casefold() for n in cleaned}:
                cleaned.append(name)
        return cleaned

    def _primary_category(self, data):
        meta = data["meta"]
        for key in ("_yoast_wpseo_primary_category", "rank_math_primary_category"):
            term = meta.get(key, "").strip()
            if term in self.term_ids:
                return self.term_ids[term]
        return next((n for d, n, _ in data["categories"] if d == "category"), None)

    def _bylines(self, data):
        logins = [data.get("dc:creator", "").strip()]
        names = {}
        for domain, nicename, name in data["categories"]:
            if domain == "author":  # Co-Authors Plus: nicename "cap-<login>"
                login = nicename.removeprefix("cap-") or name
                logins.append(login)
                names[login] = name
        ids = []
        for login in filter(None, logins):
            if login not in self.author_ids:
                data = self.authors.get(login) or {"wp:author_display_name": names.get(login)}
                self.author_ids[login] = self._author(login, data)
            if self.author_ids[login] not in ids:
                ids.append(self.author_ids[login])
        return ids

    def _values(self, data):
        """What the post becomes, as plain values (the fingerprint is made of them)."""
        title = bodies.plain(data.get("title", ""))[:200] or "Sans titre"
        body = self.converter.convert(data.get("content:encoded", ""))
        self.report.shortcodes.update(body.shortcodes)
        status = data.get("wp:status", "")
        published_at = None
        if status in ("publish", "future"):
            published_at = wp_date(
                data.get("wp:post_date"), data.get("wp:post_date_gmt"), self.zone
            )
        meta = data["meta"]
        primary = self._primary_category(data)
        section = self.sections.get(primary) if primary else None
        thumbnail = self.pictures.get(meta.get("_thumbnail_id", "").strip())
        values = {
            "title": title,
            "slug": self._slug(data),
            "lead": bodies.plain(data.get("excerpt:encoded", ""))
            or bodies.first_paragraph(body.html),
            "body": body.html,
            "category_id": (section or self._default_section()).pk,
            "status": STATUSES.get(status, Article.Status.DRAFT),
            "published_at": published_at.isoformat() if published_at else None,
            "featured": data.get("wp:is_sticky", "").strip() == "1",
            "seo_title": seo_text(
                meta.get("_yoast_wpseo_title") or meta.get("rank_math_title"), title, 70
            ),
            "meta_description": seo_text(
                meta.get("_yoast_wpseo_metadesc") or meta.get("rank_math_description"),
                title,
                160,
            ),
            "featured_image_id": (thumbnail.id or None) if thumbnail else None,
            "authors": self._bylines(data),
            "tags": self._tag_names(data),
        }
        return values, body

    def _post(self, data, tags, written):
        wp_id = data["wp:post_id"]
        values, body = self._values(data)
        fingerprint = _fingerprint_of(values)
        named = f"« {values['title']} » (WordPress {wp_id})"
        item = self.items[Kind.POST].get(wp_id)
        article = written.articles.get(item.object_id) if item else None
        edited = article is not None and item.stored_at and article.updated_at != item.stored_at
        if article is not None and item.fingerprint == fingerprint:
            self.report.unchanged["articles"] += 1
            if body.pending_posts and not edited:  # links to posts a stopped run never made
                self.pending[wp_id] = (article, values)
                written.relinked.append((wp_id, article, values))
            return
        if edited:
            self.report.note("modifié dans Newsroom depuis le dernier import, non écrasé", named)
            return
        created = article is None
        article = article or Article()
        if not _slug_of(article.slug, values["slug"]):
            article.slug = self._free_slug(values["slug"], written.taken)
            written.taken.add(article.slug)
        for name in ("title", "lead", "body", "status", "featured", "seo_title",
                     "meta_description", "featured_image_id"):  # fmt: skip
            setattr(article, name, values[name])
        article.category = self.sections_by_id(values["category_id"])
        article.published_at = (
            datetime.fromisoformat(values["published_at"]) if values["published_at"] else None
        )
        try:
            if created:  # inserted with the batch's others, made ready as save() would
                article.prepare_text()
            else:
                article.save()
        except ValidationError as error:
            self.report.note("corps refusé par le nettoyage", f"{named} : {error.messages[0]}")
            return
        if values["published_at"] is None and data.get("wp:status") in ("publish", "future"):
            self.report.note("date de publication illisible, publié à la date de l’import", named)
        if body.missing_pictures:
            self.report.note(
                "image du corps introuvable (retirée)",
                f"{named} : {', '.join(body.missing_pictures[:3])}",
            )
        (self.report.created if created else self.report.updated)["articles"] += 1
        if not created:
            written.replaced.append(article.pk)
        written.saved.append((wp_id, article, values, body, data))

    def _free_slug(self, slug, taken):
        """``slug``, or ``slug-2``, ``slug-3``… if an article has it (or will, in this batch)."""
        if slug not in taken:
            return slug
        base = slug[:114].rstrip("-")
        taken = taken | set(
            Article.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def _written(self, written, tags):
        """The batch's new articles inserted at once, then every article's bylines, tags, old
        addresses and record."""
        new = [article for _, article, *_ in written.saved if article.pk is None]
        Article.objects.bulk_create(new)
        for wp_id, article, values, body, data in written.saved:
            written.bylines += [
                ArticleAuthor(article=article, author_id=pk, position=i)
                for i, pk in enumerate(values["authors"])
            ]
            written.taggings += [
                TaggedArticle(content_object=article, tag=tags[name.casefold()])
                for name in values["tags"]
            ]
            written.addresses += [
                OldAddress(path=path[:500], article=article)
                for path in self._old_paths(data)
                if path != "/"
            ]
            self.article_urls[wp_id] = article.get_absolute_url()
            if body.pending_posts:
                self.pending[wp_id] = (article, values)
        # Links to stories of this very batch, whose addresses are known only now.
        fixed = [*((wp_id, a, v) for wp_id, a, v, *_ in written.saved), *written.relinked]
        self._fix_links([wp_id for wp_id, *_ in fixed if wp_id in self.pending])
        for wp_id, article, values in fixed:
            record = (wp_id, article.pk, _fingerprint_of(values), article.updated_at)
            written.records.append(record)

    def _fix_links(self, wp_ids):
        """Rewrite the links of these pending stories to the posts imported since, in one
        query; the stories whose targets are all known leave ``pending``."""
        changed = []
        for wp_id in wp_ids:
            article, values = self.pending[wp_id]
            still = set()
            body = self.converter.rewrite_links(values["body"], still)
            if body != values["body"]:
                values["body"] = body
                # The stored body is the sanitised one: only the links' addresses change.
                article.body = self.converter.rewrite_links(article.body, set())
                changed.append(article)
            if not still:
                del self.pending[wp_id]
        Article.objects.bulk_update(changed, ["body"])

    def sections_by_id(self, pk):
        for section in self.sections.values():
            if section.pk == pk:
                return section
        return Category.objects.get(pk=pk)

    def _save_records(self, records):
        now, new, changed = timezone.now(), [], []
        for wp_id, pk, fingerprint, stored_at in records:
            item = self.items[Kind.POST].get(wp_id)
            if item is None:
                item = ImportedItem(site=self.site_key, kind=Kind.POST, wp_id=wp_id)
                new.append(item)
            else:
                changed.append(item)
            item.object_id, item.fingerprint, item.stored_at, item.imported_at = (
                pk, fingerprint, stored_at, now
            )  # fmt: skip
            self.items[Kind.POST][wp_id] = item
        ImportedItem.objects.bulk_create(new)
        fields = ["object_id", "fingerprint", "stored_at", "imported_at"]
        ImportedItem.objects.bulk_update(changed, fields)

    # 3. Links ----------------------------------------------------------------------------

    def _rewrite_pending_links(self):
        """Links to posts that came in a later batch (or never came)."""
        pending = list(self.pending)
        for start in range(0, len(pending), self.batch_size):
            wp_ids = pending[start : start + self.batch_size]
            with _batch():
                entries = {wp_id: self.pending[wp_id] for wp_id in wp_ids}
                self._fix_links(wp_ids)
                self._save_records(
                    [
                        (wp_id, article.pk, _fingerprint_of(values), article.updated_at)
                        for wp_id, (article, values) in entries.items()
                    ]
                )

    def _term_addresses(self):
        addresses = {"/feed/": reverse("feeds:latest")}
        for nicename, section in self.sections.items():
            chain = self._category_chain(nicename)
            for path in {"/".join(chain), nicename}:
                addresses[f"/category/{unquote(path)}/"] = section.get_absolute_url()
                addresses[f"/category/{unquote(path)}/feed/"] = reverse(
                    "feeds:category", args=[section.slug]
                )
        authors = Author.objects.in_bulk(self.author_ids.values())
        for login, pk in self.author_ids.items():
            if pk in authors:
                addresses[f"/author/{login}/"] = authors[pk].get_absolute_url()
                addresses[f"/author/{login}/feed/"] = reverse(
                    "feeds:author", args=[authors[pk].slug]
                )
        for slug, name in self.tag_names.items():
            try:
                tag = self.tags.get(clean_name(name).casefold())
            except ValidationError:
                tag = None
            if tag is not None:
                addresses[f"/tag/{unquote(slug)}/"] = reverse("articles:tag", args=[tag.slug])
        with _batch():
            OldAddress.objects.bulk_create(
                [OldAddress(path=path[:500], target=target) for path, target in addresses.items()],
                ignore_conflicts=True,
            )


@dataclass
class _Written:
    """What a batch of posts writes once its articles are saved."""

    articles: dict
    taken: set = field(default_factory=set)
    saved: list = field(default_factory=list)  # (wp id, article, values, body, item)
    relinked: list = field(default_factory=list)  # unchanged, with links to fix
    replaced: list = field(default_factory=list)
    bylines: list = field(default_factory=list)
    taggings: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    records: list = field(default_factory=list)


@contextmanager
def _batch():
    """One transaction of writes (a savepoint in a dry run): one content version, and one
    purge of the whole site rather than thousands of keys."""
    with transaction.atomic(), purge.in_bulk():
        yield


def _slug_of(slug, wanted):
    """Whether ``slug`` is ``wanted`` or what ``_free_slug`` made of it (``wanted-2``…)."""
    if not slug:
        return False
    base, _dash, number = slug.rpartition("-")
    return slug == wanted or (number.isdigit() and base == wanted[:114].rstrip("-"))


def _fingerprint_of(values):
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def wxr_tag_length():
    return Tag._meta.get_field("name").max_length
