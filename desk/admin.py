"""The article admin of the desk: review buttons, internal notes, and the checks before
publishing, on top of the articles app's own admin (which knows nothing of the desk), with
the readers' views of each story (audience). The one place the articles' admin is assembled."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles import seo
from articles.admin import ArticleAdmin
from articles.models import Article
from articles.sanitizing import has_visible_text
from audience.admin import ArticleViewsInAdmin
from desk import prepublish, review
from desk.models import EditorialNote, ReviewEvent
from newsroom.site import absolute_url

SUBMIT = "_submit_review"
SEND_BACK = "_send_back"
NOTE = "review_note"


class EditorialNoteForm(forms.ModelForm):
    def clean_text(self):
        text = review.clean_note(self.cleaned_data["text"])
        if not has_visible_text(text):
            raise forms.ValidationError(_("This note shows no letter."), code="invisible")
        return text


class EditorialNoteFormSet(forms.BaseInlineFormSet):
    """Notes as their writers left them: only its writer may tick a note's delete box (a note
    whose writer's account is gone, any editor who may delete notes)."""

    user = None

    def may_delete(self, note):
        return note.author_id is None or note.author_id == self.user.pk

    def add_fields(self, form, index):
        super().add_fields(form, index)
        box = form.fields.get(forms.formsets.DELETION_FIELD_NAME)  # none without the right
        if box is not None and form.instance.pk is not None and not self.may_delete(form.instance):
            box.disabled = True


class EditorialNoteInline(admin.TabularInline):
    """Editors' notes on the story, for the newsroom: kept as written, never shown to readers."""

    model = EditorialNote
    form = EditorialNoteForm
    formset = EditorialNoteFormSet
    extra = 0
    fields = ["text", "written_by", "created_at"]
    readonly_fields = ["written_by", "created_at"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request, obj=None):
        return False  # a note stays as written; its writer may delete it and write another

    def has_view_permission(self, request, obj=None):
        # An author reads the notes on their own stories only, never on a colleague's they
        # may open read-only (a note may name a source).
        if not super().has_view_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("articles.publish_article"):
            return True
        return Article.objects.own_by(request.user).filter(pk=obj.pk).exists()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    @admin.display(description=_("written by"))
    def written_by(self, note):
        if note.author is None:
            return "—"
        return note.author.get_full_name() or note.author.get_username()


admin.site.unregister(Article)


@admin.register(Article)
class DeskArticleAdmin(ArticleViewsInAdmin, ArticleAdmin):
    inlines = [*ArticleAdmin.inlines, EditorialNoteInline]
    change_form_template = "admin/desk/article_change_form.html"

    class Media:
        css = {"all": ["css/desk.css"]}
        js = ["js/desk-preview.js"]

    def get_fieldsets(self, request, obj=None):
        # The full address, under the slug that makes it.
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = []
            for field in options["fields"]:
                fields.append(field)
                if field == "slug":
                    fields.append("full_address")
            fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "full_address"]

    @admin.display(description=_("full address"))
    def full_address(self, article):
        if not (article.pk and article.category_id):
            return _("Shown once the article is saved.")
        url = absolute_url(article.get_absolute_url())
        if article.is_visible:
            return format_html('<a href="{}" class="desk-address">{}</a>', url, url)
        return format_html(
            '<span class="desk-address">{}</span> <span class="desk-address__state">{}</span>',
            url,
            _("(not online yet)"),
        )

    # Review: "Submit for review" for whoever writes, "Send back" with a note for editors. The
    # rights are checked here, on the request, whatever the page offered.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            if SEND_BACK in request.POST and not request.user.has_perm("articles.publish_article"):
                raise PermissionDenied
            if len(request.POST.get(NOTE, "")) > review.NOTE_MAX_LENGTH:
                raise BadRequest
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        Status = Article.Status
        before = None
        if change:
            before = Article.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        if SUBMIT in request.POST:
            if before == Status.PUBLISHED:
                raise BadRequest  # never offered: a published story is not sent to review
            obj.status = Status.REVIEW
        elif SEND_BACK in request.POST:
            if before != Status.REVIEW:
                raise BadRequest  # only a story in review is sent back
            obj.status = Status.DRAFT
        super().save_model(request, obj, form, change)
        note = review.clean_note(request.POST.get(NOTE, ""))
        request.review_event = review.record(obj, before, request.user, note=note)

    def save_formset(self, request, form, formset, change):
        if formset.model is not EditorialNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            if note.pk is None:
                note.author = request.user
            note.save()
        for note in formset.deleted_objects:
            if formset.may_delete(note):  # whatever a crafted form asked
                note.delete()

    def _after_review(self, request, obj):
        event = getattr(request, "review_event", None)
        if event is None or not (SUBMIT in request.POST or SEND_BACK in request.POST):
            return None
        if event.kind == ReviewEvent.Kind.SUBMITTED:
            message = _("“%(title)s” is in review: the editors are told by e-mail.")
        else:
            message = _("“%(title)s” is sent back to its authors, who are told by e-mail.")
        self.message_user(request, message % {"title": obj.title}, messages.SUCCESS)
        return redirect("admin:index")

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_review(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._after_review(request, obj) or super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        article = context["adminform"].form.instance
        can_publish = request.user.has_perm("articles.publish_article")
        stored_status = obj.status if obj is not None else None
        sent_back = None
        if obj is not None and stored_status == Article.Status.DRAFT:
            latest = obj.review_events.select_related("actor").first()
            if latest is not None and latest.kind == ReviewEvent.Kind.SENT_BACK:
                sent_back = latest
        context["desk_review"] = {
            "can_submit": stored_status in (None, Article.Status.DRAFT)
            and self.has_change_permission(request, obj)
            and not context.get("is_popup"),
            "can_send_back": can_publish and stored_status == Article.Status.REVIEW,
            "sent_back": sent_back,
            "note_max_length": review.NOTE_MAX_LENGTH,
        }
        context["desk_preview"] = prepublish.preview(article)
        context["desk_checklist"] = prepublish.checklist(article)
        context["desk_site_name"] = settings.NEWSROOM_SITE_NAME
        context["desk_description_chars"] = seo.DESCRIPTION_CHARS
        return super().render_change_form(request, context, add, change, form_url, obj)
