import html

from django import forms
from django.contrib.admin.widgets import AdminTextInputWidget
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from reversion.models import Version
from taggit.forms import TagWidget
from taggit.models import Tag

from articles import embeds, figures, tags
from articles.models import Article, LiveEntry
from articles.sanitizing import has_visible_text, plain_line, sanitize_html

# What the editor offers matches what sanitize_html keeps.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    # Pictures come from the media library through its chooser (static/js/body-media.js):
    # the figure names its Image (data-image), no address is typed.
    "Figure": {
        "chooserUrl": reverse_lazy("admin:articles_image_chooser"),
        "strings": {
            "button": _("Insert a picture from the media library"),
            "title": _("Insert a picture"),
            "close": _("Close"),
            "loading": _("Loading the media library…"),
            "failed": _("The media library did not answer. Try again."),
            "uploading": _("Uploading…"),
        },
    },
    "Caption": True,
    "Image": True,
    # A video or post address pasted on its own line becomes an embed (articles/embeds.py).
    "Embed": {
        "providers": embeds.editor_patterns(),
        "labels": {name: provider.label for name, provider in embeds.PROVIDERS.items()},
        "strings": {"embed": _("Embedded content")},
    },
    "SpecialCharacters": True,
    # The browser's spell checker stays on (the editor turns it off by default), in French,
    # and every button is named in French (static/js/prose-editor-fr.js).
    "NoSpellCheck": False,
    "FrenchInterface": True,
}


class TagSuggestionsInput(TagWidget):
    """taggit's comma-separated input, with suggestions of existing tags as one types."""

    def __init__(self, attrs=None):
        super().__init__({"size": 60, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-tag-suggestions"] = (
            reverse("admin:autocomplete") + "?app_label=articles&model_name=article&field_name=tags"
        )
        return context

    class Media:
        js = ["js/tag-suggestions.js"]


class ArticleAdminForm(forms.ModelForm):
    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        extensions=BODY_EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
    )
    # The version of the article the editor started from, to refuse silent overwrites.
    edited_version = forms.CharField(widget=forms.HiddenInput, required=False)
    check_conflicts = True

    class Media:
        css = {"all": ["css/body-media.css"]}  # the image chooser, embeds in the editor

    class Meta:
        model = Article
        fields = [
            "kicker", "title", "slug", "lead", "body", "category", "tags", "featured_image",
            "status", "published_at", "access", "featured", "seo_title", "meta_description",
            "noindex", "live_status", "live_started_at", "live_ended_at",
        ]  # fmt: skip
        widgets = {
            "tags": TagSuggestionsInput,
            "title": AdminTextInputWidget(attrs={"spellcheck": "true"}),
            "lead": forms.Textarea(attrs={"rows": 3, "spellcheck": "true"}),
            "meta_description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edited_version"].initial = self.instance.updated_at.isoformat()
        # The admin's date and time boxes carry their words ("Date :") as plain text: give
        # each box a name of its own for screen readers.
        published_at = self.fields.get("published_at")
        if published_at is not None and hasattr(published_at.widget, "widgets"):
            date, time = published_at.widget.widgets
            names = {"field": published_at.label}
            date.attrs["aria-label"] = _("%(field)s: date") % names
            time.attrs["aria-label"] = _("%(field)s: time") % names

    def clean_title(self):
        title = " ".join(plain_line(self.cleaned_data["title"]).split())  # one line
        if not has_visible_text(title):
            raise forms.ValidationError(_("The title shows no letter."), code="invisible")
        return title

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and self.check_conflicts:
            self._check_for_concurrent_edit(cleaned_data.get("edited_version"))
        return cleaned_data

    def _check_for_concurrent_edit(self, edited_version):
        # select_for_update holds the row until the admin's transaction commits this save.
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if current is None or edited_version == current.isoformat():
            return
        # Keep everything the editor typed, but let a second save knowingly replace the other
        # version: the form now carries the version that is in the database.
        self.data = self.data.copy()
        self.data[self.add_prefix("edited_version")] = current.isoformat()
        latest = Version.objects.get_for_object(self.instance).select_related("revision__user")
        latest = latest.first()
        who = latest.revision.user if latest and latest.revision.user else None
        when = formats.date_format(timezone.localtime(current), "DATETIME_FORMAT")
        if who:
            message = _(
                "%(user)s saved this article on %(when)s, after you opened it. Your text is "
                "kept below: check the history, then save again to replace their version."
            ) % {"user": who.get_full_name() or who.get_username(), "when": when}
        else:
            message = _(
                "Someone saved this article on %(when)s, after you opened it. Your text is "
                "kept below: check the history, then save again to replace their version."
            ) % {"when": when}
        raise forms.ValidationError(message, code="edit_conflict")


class LiveEntryForm(forms.ModelForm):
    """A live story's entry, written with the body's editor (same pictures, embeds, rules)."""

    body = ProseEditorFormField(
        label=_("Text"), extensions=BODY_EDITOR_EXTENSIONS, sanitize=sanitize_html
    )

    class Media:
        css = {"all": ["css/body-media.css"]}

    class Meta:
        model = LiveEntry
        fields = ["article", "published_at", "author", "title", "body", "pinned"]
        widgets = {"title": AdminTextInputWidget(attrs={"spellcheck": "true"})}

    def clean_title(self):
        title = " ".join(plain_line(self.cleaned_data["title"]).split())  # one line
        if title and not has_visible_text(title):  # optional, but not invisible
            raise forms.ValidationError(_("The title shows no letter."), code="invisible")
        return title

    def clean_body(self):
        body = self.cleaned_data["body"]
        # Empty as readers would see it: a figure of a picture deleted from the library, or of
        # none, shows nothing (LiveEntry.clean() refuses a body without text or figure).
        shown = figures.render(body)
        if not has_visible_text(html.unescape(strip_tags(shown))) and "<img" not in shown:
            raise forms.ValidationError(_("This entry is empty."), code="empty")
        return body


class TagAdminForm(forms.ModelForm):
    # The model's slug field takes any letter; the tag page's address only ASCII ones.
    slug = forms.SlugField(
        label=Tag._meta.get_field("slug").verbose_name,
        max_length=Tag._meta.get_field("slug").max_length,
    )

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = tags.clean_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        # The same tag in another case or Unicode form, which the article form would pick.
        same = tags.stored_tags([name]).get(name.casefold())
        if same is not None and same.pk != self.instance.pk:
            raise forms.ValidationError(self.instance.unique_error_message(Tag, ["name"]))
        return name
