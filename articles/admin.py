import reversion
import taggit.admin
from django.contrib import admin, messages
from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from js_asset import Media
from reversion.admin import VersionAdmin
from taggit.models import Tag

from articles.forms import ArticleAdminForm, TagAdminForm
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Category,
    Correction,
    HouseAd,
    Image,
    ReadMoreLink,
)

admin.site.site_header = _("Newsroom — editorial office")
admin.site.site_title = _("Newsroom")
admin.site.index_title = _("Editorial office")


def _can_publish(request):
    return request.user.has_perm("articles.publish_article")


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "caption", "credit", "dimensions", "created_at"]
    search_fields = ["alt_text", "caption", "credit"]
    date_hierarchy = "created_at"
    fields = ["file", "thumbnail", "alt_text", "caption", "credit", "body_address"]
    readonly_fields = ["thumbnail", "body_address"]

    @admin.display(description=_("preview"))
    def thumbnail(self, image):
        if not image.pk or not image.file:
            return "—"
        return format_html('<img src="{}" alt="" width="96">', image.thumbnail_url())

    @admin.display(description=_("address for the article text"))
    def body_address(self, image):
        # The body's editor inserts images by address; library images are the only ones kept.
        if not image.pk or not image.file:
            return "—"
        return format_html("<code>{}</code>", image.fallback_url)

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


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ["author"]
    extra = 0
    min_num = 1
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order)")


# An address typed without its scheme is taken as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ReadMoreLinkInline(admin.TabularInline):
    model = ReadMoreLink
    formfield_overrides = HTTPS_URLS
    fk_name = "article"
    autocomplete_fields = ["target_article"]
    extra = 0
    max_num = 6
    verbose_name_plural = _("“Read also” links (in order)")


class CorrectionInline(admin.StackedInline):
    """Dated corrections shown at the foot of a published article (editors only)."""

    model = Correction
    extra = 0
    verbose_name_plural = _("corrections (shown at the foot of the article)")


@admin.register(HouseAd)
class HouseAdAdmin(admin.ModelAdmin):
    list_display = ["name", "slot", "is_active", "link", "updated_at"]
    list_editable = ["is_active"]
    list_filter = ["slot", "is_active"]
    search_fields = ["name", "link", "alt_text"]
    autocomplete_fields = ["image"]
    formfield_overrides = HTTPS_URLS


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, ReadMoreLinkInline, CorrectionInline]
    list_display = [
        "thumbnail", "title", "publication_state", "category", "author_names", "published_at",
        "access", "featured",
    ]  # fmt: skip
    list_filter = ["status", "category", "bylines__author", "access", "featured", "published_at"]
    list_select_related = ["category", "featured_image"]
    list_display_links = ["thumbnail", "title"]
    search_fields = ["title", "kicker", "lead", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["featured_image", "category"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["publication_state", "word_count", "created_at", "updated_at"]
    actions = ["publish_now", "unpublish"]

    class Media:
        css = {"all": ["css/admin.css"]}

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
            _("Search engines and sharing"),
            {"fields": ["seo_title", "meta_description", "noindex"], "classes": ["collapse"]},
        ),
        (
            _("Information"),
            {"fields": ["word_count", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_bylines()

    # Workflow: authors draft and submit for review; only editors publish.

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

    def revision_view(self, request, object_id, version_id, extra_context=None):
        request.restoring_version = True
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        request.restoring_version = True
        return super().recover_view(request, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, *args, **kwargs):
        # The rich-text editor's import map is an inline script: give it the page's CSP nonce.
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_view_on_site_url(self, obj=None):
        if obj is None:
            return None
        return obj.get_absolute_url() if obj.is_visible else obj.get_preview_url()

    @admin.display(description=_("image"))
    def thumbnail(self, article):
        if article.featured_image is None:
            return ""
        return format_html(
            '<img src="{}" alt="" width="64">',
            article.featured_image.thumbnail_url(),
        )

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
        for article in queryset:
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
        for article in queryset.filter(status=Article.Status.PUBLISHED):
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


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(taggit.admin.TagAdmin):
    form = TagAdminForm
    inlines = []  # taggit's generic tagged items: articles use their own table
