from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(moment):
    """ "il y a 3 heures", or "à l'instant" under a minute (never "il y a 0 minute")."""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(moment, depth=1)}


@register.filter
def waited(moment):
    """How long a story has waited: "1 jour, 2 heures", or "moins d'une minute"."""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("less than a minute")
    return timesince(moment)
