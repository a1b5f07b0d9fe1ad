from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Category
from subscriptions.addresses import EmailAddressField

CONSENT_TEXT = _(
    "I agree to receive the newsletter by e-mail. I can unsubscribe at any time with the link "
    "in every e-mail."
)


class NewsletterSignupForm(forms.Form):
    email = EmailAddressField(label=_("Your e-mail address"))
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": _("Please tick the box to confirm your consent.")},
    )
    sections = forms.ModelMultipleChoiceField(
        label=_("Sections you are interested in (optional)"),
        queryset=Category.objects.filter(parent__isnull=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    source = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def clean_source(self):
        source = self.cleaned_data["source"]
        # Only a path of this site is kept as the page the reader signed up from.
        return source if source.startswith("/") and not source.startswith("//") else ""


class EmailForm(forms.Form):
    email = EmailAddressField(label=_("Your e-mail address"))
