from django import template

from subscriptions.forms import CONSENT_TEXT

register = template.Library()


@register.simple_tag
def consent_text():
    """The consent readers tick: the very text stored with their signup as its proof."""
    return CONSENT_TEXT
