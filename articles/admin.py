from collections import defaultdict

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.i18n import JavaScriptCatalog
from js_asset import Media, Script
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from taggit.models import Tag

from articles import autosave
from articles.chooser import ImageChooserMixin
from articles.forms import ArticleAdminForm, LiveEntryForm, TagAdminForm
from articles.models import (
    WORDS_PER_MINUTE,
    Article,
    ArticleAuthor,
    Author,
    Category,
    Correction,
    HouseAd,
    Image,
    LiveEntry,
    ReadMoreLink,
    TaggedArticle,
)


def _can_publish(request):
    return request.user.has_perm("articles.publish_article")


def _short_date(moment):
    """A date in a list's narrow column: "27/11/2026 21:52"."""
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _with_editor_media(request, media):
    """``media`` for a page with the rich-text editor: the French catalogue the editor's
    strings need, before it, and the CSP nonce of its import map (an inline script)."""
    catalogue = Media(js=[reverse("admin:articles_article_jsi18n")])
    return Media.from_media(catalogue + media, nonce=request.csp_nonce)


def _locked(articles):
    """``articles``, read once their rows are locked: an author's save under way (see
    ArticleAdmin.change_view) ends first, and is neither lost nor published unseen."""
    return articles.select_for_update(of=("self",))


def _empty_deleted_references(obj):
    """Empty ``obj``'s references that their row's deletion would have emptied (SET_NULL), as a
    restored version may still hold them."""
    for field in obj._meta.concrete_fields:
        if not field.many_to_one or field.remote_field.on_delete is not models.SET_NULL:
            continue
        model, target_id = field.related_model, getattr(obj, field.attname)
        if target_id is not None and not model._base_manager.filter(pk=target_id).exists():
            setattr(obj, field.attname, None)


def _check_restorable(revision):
    """Raise RevertError, with a message for the user, if ``revision`` cannot be restored: its
    data is unreadable, another article has taken its address, or it points at a row deleted
    since (a section, an author, a tag, a linked article), which reversion would write
    unchecked and the form or the commit would then fail on. A reference the deletion would
    have emptied (the picture, the creator's account) is emptied on save instead
    (_empty_deleted_references)."""
    versions = list(revision.version_set.select_related("content_type"))
    restored = {(version._model, version.object_id) for version in versions}
    try:
        objects = [version._object_version.object for version in versions]
    except RevertError:  # reversion's own message is in English only
        raise RevertError(_("This version can no longer be read: it cannot be restored.")) from None
    for article in (obj for obj in objects if isinstance(obj, Article)):
        article._state.adding = False  # its own row, if it still exists, is no conflict
        try:
            article.validate_unique()
        except ValidationError:
            raise RevertError(
                _(
                    "Another article now has this version's address: change that article's "
                    "slug first, or copy what you need from this version."
                )
            ) from None
    pointed_at = defaultdict(set)  # model: ids, to check with one query per model
    for obj in objects:
        for field in obj._meta.concrete_fields:
            target_id = getattr(obj, field.attname) if field.many_to_one else None
            if target_id is None or (field.related_model, str(target_id)) in restored:
                continue
            if field.remote_field.on_delete is not models.SET_NULL:  # else emptied on save
                pointed_at[field.related_model].add(target_id)
    for model, ids in pointed_at.items():
        if model._base_manager.filter(pk__in=ids).count() < len(ids):
            raise RevertError(
                _(
                    "This version refers to something deleted since (a section, an author, a "
                    "tag, a linked article…): it cannot be restored. Copy what you need from it "
                    "instead."
                )
            )


@admin.register(Image)
class ImageAdmin(ImageChooserMixin, admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "caption", "credit", "dimensions", "created_at"]
    search_fields = ["alt_text", "caption", "credit"]
    date_hierarchy = "created_at"
    # No address to copy: the body's editor inserts library pictures through its chooser.
    fields = ["file", "thumbnail", "alt_text", "caption", "credit"]
    readonly_fields = ["thumbnail"]

    def get_urls(self):
        chooser = path(
            "chooser/",
            self.admin_site.admin_view(self.chooser_view),
            name="articles_image_chooser",
        )
        return [chooser, *super().get_urls()]

    # Editors change any image; authors only one that readers see nowhere.

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or _can_publish(request) or not obj.is_shown_to_readers)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or _can_publish(request) or not obj.is_shown_to_readers)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and not self.has_change_permission(request, obj) and obj.is_shown_to_readers:
            messages.warning(
                request,
                _(
                    "Readers see this image on a published or scheduled article, as an "
                    "author's photo or in a house ad: only an editor can change or delete it."
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("preview"))
    def thumbnail(self, image):
        if not image.pk or not image.file:
            return "—"
        return format_html('<img src="{}" alt="" width="96">', image.thumbnail_url())

    @admin.display(description=_("size"))
    def dimensions(self, image):
        return f"{image.width} × {image.height}"


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo", "user"]
    list_select_related = ["user"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "menu_order"]
    list_editable = ["menu_order"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["parent"]


class LabelledRowsFormSet(BaseInlineFormSet):
    """A table's rows, whose boxes have their column's heading for a label, which screen
    readers do not tie to them: each box gets its field's label as its name."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


class BylineFormSet(LabelledRowsFormSet):
    default_error_messages = {
        "too_few_forms": _("An article must be signed by at least one author.")
    }


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    extra = 0
    min_num = 1
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order)")

    def get_formset(self, request, obj=None, **kwargs):
        # min_num alone only shows an empty row; this refuses a story left without a byline.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


# An address typed without its scheme is taken as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ReadMoreLinkInline(admin.TabularInline):
    model = ReadMoreLink
    formset = LabelledRowsFormSet
    formfield_overrides = HTTPS_URLS
    fk_name = "article"
    autocomplete_fields = ["target_article"]
    extra = 0
    max_num = 6
    verbose_name_plural = _("“Read also” links (in order)")

    def get_queryset(self, request):
        # A link to a story the user may not open would show its title: it stays, unseen and
        # untouched by the form.
        viewable = Article.objects.viewable_by(request.user)
        return (
            super()
            .get_queryset(request)
            .filter(Q(target_article__isnull=True) | Q(target_article__in=viewable))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target_article":
            # The picker names its choices: only articles the user may open.
            kwargs["queryset"] = Article.objects.viewable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CorrectionInline(admin.StackedInline):
    """Dated corrections shown at the foot of a published article (editors only)."""

    model = Correction
    extra = 0
    verbose_name_plural = _("corrections (shown at the foot of the article)")


# taggit's own tag admin merges tags in its generic table, which articles do not use, through
# a view that checks no permission: this one lists, adds and edits tags, nothing more.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        tags = super().get_queryset(request)
        if _can_publish(request):
            return tags
        # An author's tag suggestions must not name an embargoed story's subject.
        viewable = Article.objects.viewable_by(request.user)
        return tags.filter(
            pk__in=TaggedArticle.objects.filter(content_object__in=viewable).values("tag_id")
        )


@admin.register(HouseAd)
class HouseAdAdmin(admin.ModelAdmin):
    list_display = ["name", "slot", "is_active", "link", "updated_at"]
    list_editable = ["is_active"]
    list_filter = ["slot", "is_active"]
    search_fields = ["name", "link", "alt_text"]
    autocomplete_fields = ["image"]
    formfield_overrides = HTTPS_URLS


class MineFilter(admin.SimpleListFilter):
    """The stories one created or signs: "Mes articles", one click from the list."""

    title = _("selection")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("My articles"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.own_by(request.user)
        return queryset


class StateFilter(admin.SimpleListFilter):
    """Where a story stands: draft, in review, scheduled, online."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Drafts")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("online", _("Online")),
        ]

    def queryset(self, request, queryset):
        Status = Article.Status
        if self.value() == "draft":
            return queryset.filter(status=Status.DRAFT)
        if self.value() == "review":
            return queryset.filter(status=Status.REVIEW)
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "online":
            return queryset.published()
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, ReadMoreLinkInline, CorrectionInline]
    list_display = [
        "thumbnail", "title", "category", "author_names", "publication_state", "published",
        "updated",
    ]  # fmt: skip
    list_filter = [
        MineFilter, StateFilter, "category", "bylines__author", "access", "featured",
        "published_at",
    ]  # fmt: skip
    list_select_related = ["category", "featured_image"]
    list_display_links = ["thumbnail", "title"]
    # Stories not yet out first (being written, in review), then the newest published.
    ordering = [F("published_at").desc(nulls_first=True), "-updated_at", "-id"]
    search_fields = ["title", "kicker", "lead", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["featured_image", "category"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "publication_state", "word_count", "created_at", "updated_at", "live_entries",
    ]  # fmt: skip
    actions = ["publish_now", "unpublish"]
    change_list_template = "admin/articles/article/change_list.html"

    class Media:
        css = {"all": ["css/admin.css"]}
        js = [
            Script("js/word-count.js", type="module"),
            Script("js/autosave.js", type="module"),
            Script("js/presence.js", type="module"),
        ]

    fieldsets = [
        (None, {"fields": ["kicker", "title", "slug", "lead", "body"]}),
        (_("Section and tags"), {"fields": ["category", "tags", "featured_image"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "publication_state",
                    "status",
                    "published_at",
                    "access",
                    "featured",
                    "edited_version",
                ]
            },
        ),
        (
            _("Live coverage"),
            {
                "fields": ["live_status", "live_started_at", "live_ended_at", "live_entries"],
                "classes": ["collapse"],
            },
        ),
        (
            _("Search engines and sharing"),
            {"fields": ["seo_title", "meta_description", "noindex"], "classes": ["collapse"]},
        ),
        (
            _("Information"),
            {"fields": ["word_count", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_live_story:
            return fieldsets
        # A live story's entries are one click away, not in a folded section.
        unfolded = {"classes": []}
        return [
            (name, {**options, **unfolded} if "live_entries" in options["fields"] else options)
            for name, options in fieldsets
        ]

    # Who sees what: editors everything; authors their own stories and what readers see.

    def get_queryset(self, request):
        return super().get_queryset(request).viewable_by(request.user).with_bylines()

    def get_object(self, request, object_id, from_field=None):
        # A story the user may not see answers as one that does not exist: no title, no hint.
        article = super().get_object(request, object_id, from_field)
        if article is None:
            raise Http404
        return article

    # Workflow: authors draft and submit for review; only editors publish. Every write checks
    # the right on the article as stored, in the transaction that writes it.

    def has_publish_permission(self, request):
        return _can_publish(request)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not _can_publish(request):
            fields += ["published_at", "featured"]
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not _can_publish(request):
            kwargs["choices"] = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # "Save as new" is not offered (save_as is False), yet Django honours it in any POST:
        # on a history page it would keep the restored version unchecked, beside the copy.
        if request.method == "POST" and "_saveasnew" in request.POST:
            raise BadRequest
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _lock_for_change(self, request, object_id):
        """The stored article, locked until the transaction ends, if the user may change it.

        An editor publishing it meanwhile waits for the lock; the author's save is then
        refused, not written over the publication."""
        article = self.get_object(request, unquote(object_id))
        stored = get_object_or_404(Article.objects.select_for_update(), pk=article.pk)
        if not self.has_change_permission(request, stored):
            raise PermissionDenied
        return stored

    def change_view(self, request, object_id, form_url="", extra_context=None):
        with transaction.atomic():
            if request.method == "POST":
                self._lock_for_change(request, object_id)
            return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # The history is there to restore: it belongs to those who may change the article.
        article = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # reversion finds the version by its object's id alone, whatever its model (a byline's
        # version would revert the byline's own article), then writes it to the database
        # before the change form checks any right: check both first, on the stored article.
        versions = Version.objects.get_for_object_reference(Article, unquote(object_id))
        version = get_object_or_404(versions, pk=version_id)
        with transaction.atomic():
            request.stored_article = self._lock_for_change(request, object_id)
            if version.revision.version_set.filter(content_type=version.content_type).count() > 1:
                # Articles published together from the list before each had its own revision:
                # restoring it would revert every one of them.
                messages.error(
                    request,
                    _(
                        "This version was saved with other articles: restoring it would change "
                        "them too. Copy what you need from it instead."
                    ),
                )
                return redirect("admin:articles_article_history", object_id)
            try:
                _check_restorable(version.revision)
            except RevertError as error:
                messages.error(request, str(error))
                return redirect("admin:articles_article_history", object_id)
            request.stored_corrections = list(request.stored_article.corrections.all())
            request.restoring_version = True
            return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not _can_publish(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # A deleted story may have been published: bringing it back is an editor's decision.
        if not _can_publish(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(Article), pk=version_id)
        try:
            _check_restorable(version.revision)
        except RevertError as error:
            messages.error(request, str(error))
            return redirect("admin:articles_article_recoverlist")
        request.restoring_version = True
        return super().recover_view(request, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_recover": _can_publish(request), **(extra_context or {})}
        # Outside reversion's revision block: each article an action changes keeps its own
        # revision (_save_with_revision), which restores that article alone.
        return admin.ModelAdmin.changelist_view(self, request, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A restore from the history replaces the article on purpose.
        form.check_conflicts = not getattr(request, "restoring_version", False)
        return form

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        author = getattr(request.user, "author_profile", None)
        is_new = obj.pk is None and request.method == "GET"
        if isinstance(inline, BylineInline) and is_new and author is not None:
            kwargs["initial"] = [{"author": author}]
        return kwargs

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if getattr(request, "restoring_version", False):
            _empty_deleted_references(obj)
        stored = getattr(request, "stored_article", None)
        if stored is not None and not _can_publish(request):
            # A restored version brings its own publication date and front-page flag, fields
            # an author cannot set: the stored ones stay.
            obj.published_at, obj.featured = stored.published_at, stored.featured
        super().save_model(request, obj, form, change)
        autosave.forget_autosave(request.user, obj, created=not change)

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        if hasattr(request, "stored_corrections"):  # the restore keeps them (save_related)
            inlines = [inline for inline in inlines if inline is not CorrectionInline]
        return inlines

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        stored_corrections = getattr(request, "stored_corrections", None)
        if stored_corrections is not None:
            # Corrections are a public record: restoring a version neither deletes one added
            # since, nor rewrites one, nor brings back one an editor deleted.
            article = form.instance
            article.corrections.exclude(pk__in=[c.pk for c in stored_corrections]).delete()
            for correction in stored_corrections:
                correction.save()
            article.note_corrections()

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(
                lambda request, **kwargs: view(request, self, **kwargs)
            )

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        # The change form's safety net (articles/autosave.py); a new article's first.
        writing_views = [
            ("add/autosave/", autosave.autosave_view, "autosave_new"),
            ("add/autosave/discard/", autosave.discard_autosave_view, "discard_autosave_new"),
            ("<path:object_id>/autosave/", autosave.autosave_view, "autosave"),
            (
                "<path:object_id>/autosave/discard/",
                autosave.discard_autosave_view,
                "discard_autosave",
            ),
            ("<path:object_id>/presence/", autosave.presence_view, "presence"),
        ]
        # The editor's interface in French: Django's catalogue, the editor's and ours.
        catalogue = JavaScriptCatalog.as_view(
            packages=["django.contrib.admin", "django_prose_editor"]
        )
        return [
            path("jsi18n/", self.admin_site.admin_view(catalogue), name=f"{prefix}_jsi18n"),
            *(
                path(route, wrap(view), name=f"{prefix}_{name}")
                for route, view, name in writing_views
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, **kwargs):
        obj = kwargs.get("obj") or context.get("original")
        context.update(self._writing_context(request, obj))
        context["media"] = _with_editor_media(request, context["media"])
        return super().render_change_form(request, context, *args, **kwargs)

    def _writing_context(self, request, obj):
        """The change form's safety net: where its scripts autosave and say the article is
        open, the newer autosaved copy to offer back, and who else has the article open."""
        if request.method != "GET" or getattr(request, "restoring_version", False):
            return {}
        article = obj if obj is not None and obj.pk else None
        if article is None:
            urls = {
                "autosave_url": reverse("admin:articles_article_autosave_new"),
                "discard_url": reverse("admin:articles_article_discard_autosave_new"),
            }
        elif self.has_change_permission(request, article):
            urls = {
                "autosave_url": reverse("admin:articles_article_autosave", args=[article.pk]),
                "discard_url": reverse(
                    "admin:articles_article_discard_autosave", args=[article.pk]
                ),
                "presence_url": reverse("admin:articles_article_presence", args=[article.pk]),
            }
        else:  # read only: nothing to save
            return {}
        return {
            "writing": {
                **urls,
                "newer_autosave": autosave.newer_autosave(request.user, article),
                "others_editing": (
                    autosave.others_editing(request.user, article) if article else []
                ),
                "words_per_minute": WORDS_PER_MINUTE,
            }
        }

    def get_view_on_site_url(self, obj=None):
        if obj is None:
            return None
        return obj.get_absolute_url() if obj.is_visible else obj.get_preview_url()

    @admin.display(description=_("entries"))
    def live_entries(self, article):
        if article.pk is None or not article.is_live_story:
            return _("Make the article a live story and save it to add entries.")
        count = article.live_entries.count()
        entries_url = reverse("admin:articles_liveentry_changelist")
        add_url = reverse("admin:articles_liveentry_add")
        return format_html(
            '<a href="{}?article={}">{}</a> · <a href="{}?article={}" class="addlink">{}</a>',
            entries_url,
            article.pk,
            ngettext("%d entry", "%d entries", count) % count,
            add_url,
            article.pk,
            _("Add an entry"),
        )

    @admin.display(description=_("image"))
    def thumbnail(self, article):
        if article.featured_image is None:
            return ""
        return format_html(
            '<img src="{}" alt="" width="64">',
            article.featured_image.thumbnail_url(),
        )

    @admin.display(description=_("publication date"), ordering="published_at")
    def published(self, article):
        return _short_date(article.published_at)

    @admin.display(description=_("updated at"), ordering="updated_at")
    def updated(self, article):
        return _short_date(article.updated_at)

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return ", ".join(byline.author.name for byline in article.bylines.all())

    @admin.display(description=_("state"), ordering="status")
    def publication_state(self, article):
        if article.pk is None:
            return "—"
        if article.is_scheduled:
            when = timezone.localtime(article.published_at)
            return format_html(
                '<span class="newsroom-state newsroom-state--scheduled">{}</span>',
                _("Scheduled for %(date)s at %(time)s")
                % {
                    "date": formats.date_format(when, "d/m"),
                    "time": formats.time_format(when, "H:i"),
                },
            )
        return format_html(
            '<span class="newsroom-state newsroom-state--{}">{}</span>',
            article.status,
            article.get_status_display(),
        )

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        count = 0
        with transaction.atomic():
            for article in _locked(queryset):
                if article.is_visible:
                    continue
                article.status = Article.Status.PUBLISHED
                if article.published_at is None or article.published_at > now:
                    article.published_at = now
                self._save_with_revision(request, article, _("Published from the list."))
                count += 1
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        with transaction.atomic():
            for article in _locked(queryset.filter(status=Article.Status.PUBLISHED)):
                article.status = Article.Status.DRAFT
                self._save_with_revision(request, article, _("Unpublished from the list."))
                count += 1
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )

    def _save_with_revision(self, request, article, comment):
        with reversion.create_revision():
            article.save()
            reversion.set_user(request.user)
            reversion.set_comment(comment)
        self.log_change(request, article, str(comment))


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect, which names the public address (the slug) of any
    object: for an article or a live entry, only one the user may open in the admin (the
    entry on its story's page, or on its preview)."""
    types = ContentType.objects.get_for_models(Article, LiveEntry)
    article_admin = admin.site.get_model_admin(Article)
    if content_type_id == types[LiveEntry].pk:
        entry = admin.site.get_model_admin(LiveEntry).get_object(request, unquote(object_id))
        if entry is None:
            raise Http404
        if entry.article.is_visible and entry.article.is_live_story:
            # Its own address, which leads to the page of the story that holds it.
            return redirect(entry.get_absolute_url())
        return redirect(f"{article_admin.get_view_on_site_url(entry.article)}#{entry.anchor}")
    if content_type_id != types[Article].pk:
        return shortcut(request, content_type_id, object_id)
    article = article_admin.get_object(request, unquote(object_id))
    return redirect(article_admin.get_view_on_site_url(article))


class LiveStoryFilter(admin.SimpleListFilter):
    """The entries of one live story: the article's change form links here."""

    title = _("live story")
    parameter_name = "article"

    def lookups(self, request, model_admin):
        stories = (
            Article.objects.viewable_by(request.user)
            .exclude(live_status=Article.LiveStatus.NONE)
            .order_by(F("live_started_at").desc(nulls_last=True), "-id")
            .values_list("pk", "title")[:30]
        )
        return [(str(pk), title) for pk, title in stories]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(article_id=int(value)) if value.isdigit() else queryset.none()


@admin.register(LiveEntry)
class LiveEntryAdmin(admin.ModelAdmin):
    """A live story's entries. Whoever may change the article may add, change and pin its
    entries (editors any story; authors their own until it is published); every change is in
    the entry's history, and each save keeps a version of its text (reversion)."""

    form = LiveEntryForm
    list_display = ["time", "__str__", "article", "author", "pinned"]
    list_display_links = ["time", "__str__"]
    list_editable = ["pinned"]
    list_filter = [LiveStoryFilter, "pinned"]
    list_select_related = ["article", "author"]
    list_per_page = 50
    search_fields = ["title", "body"]
    autocomplete_fields = ["author"]
    fields = ["article", "published_at", "author", "title", "body", "pinned"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        viewable = Article.objects.viewable_by(request.user)
        return super().get_queryset(request).filter(article__in=viewable)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.article.is_editable_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.article.is_editable_by(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            # Only the live stories the user may change (a crafted choice is refused).
            kwargs["queryset"] = (
                Article.objects.editable_by(request.user)
                .exclude(live_status=Article.LiveStatus.NONE)
                .order_by(F("live_started_at").desc(nulls_last=True), "-id")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "article":  # chosen, never edited from here
            widget = field.widget
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django's French titles elide nothing (« Ajout de entrée du direct »).
        title = _("New live entry") if object_id is None else _("Live entry")
        extra_context = {"title": title, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial["published_at"] = timezone.now()
        author = getattr(request.user, "author_profile", None)
        if author is not None:
            initial["author"] = author
        return initial

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            # The right on the story as stored, in the transaction that writes the entry.
            stored = get_object_or_404(_locked(Article.objects.all()), pk=obj.article_id)
            if not stored.is_editable_by(request.user):
                raise PermissionDenied
            # Its text at each save, the deleted entry's last one too (no restore page yet).
            with reversion.create_revision():
                super().save_model(request, obj, form, change)
                reversion.set_user(request.user)

    def _back_to_story(self, obj):
        entries = reverse("admin:articles_liveentry_changelist")
        return redirect(f"{entries}?article={obj.article_id}")

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:  # another entry of the same story
            return redirect(f"{reverse('admin:articles_liveentry_add')}?article={obj.article_id}")
        return response

    def response_post_save_add(self, request, obj):
        return self._back_to_story(obj)

    def response_post_save_change(self, request, obj):
        return self._back_to_story(obj)

    def render_change_form(self, request, context, *args, **kwargs):
        context["media"] = _with_editor_media(request, context["media"])
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.display(description=_("time"), ordering="published_at")
    def time(self, entry):
        return _short_date(entry.published_at)
