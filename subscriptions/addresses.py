"""E-mail addresses: the one spelling under which an address is stored, looked up and limited."""

import contextlib
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# No address is longer than 254 characters; far beyond that, the length check refuses a value
# without the cost of normalising it (NFKC can make a string 18 times longer).
LONGEST_WORTH_NORMALISING = 1000
# The root's trailing dot (or ideographic full stop, a dot to IDNA) and trailing spaces are no
# part of an address.
TRAILING_DOTS = re.compile(r"[\s.。]+\Z")


def normalise_email(address):
    """The canonical spelling of ``address``: NFKC, case folded, its domain in ASCII (IDNA).

    NFKC turns compatibility look-alikes (fullwidth letters, the Kelvin sign) into the letters
    they stand for; case folding makes ``Marie``, ``MARIE`` and ``marie`` (and ``ß`` and ``ss``)
    one address. Every form, lookup, unique constraint and rate limit uses this spelling, so two
    spellings of one address are never two rows, nor two answers.
    """
    if len(address) > LONGEST_WORTH_NORMALISING:
        return address
    address = unicodedata.normalize("NFKC", address).casefold()
    # Case folding can leave a string that is not NFKC.
    address = unicodedata.normalize("NFKC", address).strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    domain = TRAILING_DOTS.sub("", domain)
    # Left as typed when IDNA refuses it, or when it is longer than any domain name (IDNA is
    # slow on long labels): the address is then refused as not ASCII, or invalid.
    if len(domain) <= 253:
        with contextlib.suppress(UnicodeError):
            domain = TRAILING_DOTS.sub("", domain.encode("idna").decode("ascii"))
    return f"{local}@{domain}"


class EmailAddressField(forms.CharField):
    """An e-mail address, in its canonical spelling (``normalise_email``)."""

    default_error_messages = {"invalid": _("Enter a valid e-mail address, e.g. marie@exemple.fr.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_email(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        # Mailboxes that are not ASCII once normalised (SMTPUTF8) are refused: many mail servers
        # cannot deliver to them.
        if value and not value.isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if value:
            EmailValidator(message=self.error_messages["invalid"])(value)


class NormalisedEmailField(models.EmailField):
    """An e-mail address stored in its canonical spelling, and looked up by it.

    ``Subscriber.objects.filter(email="Marie@EXEMPLE.fr")`` finds ``marie@exemple.fr``: the
    value of every lookup is normalised as the stored values are.
    """

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is not None:
            value = normalise_email(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else normalise_email(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EmailAddressField, **kwargs})
