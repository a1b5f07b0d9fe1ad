from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """The version of one part of what readers see: ``pages`` (everything), or a piece of site
    furniture kept apart (the menu, the house ads, the paywall settings).

    In the database, the one store every process of a deployment shares, whatever the cache:
    a change committed anywhere reaches every worker (pagecache/versions.py).
    """

    scope = models.CharField(_("scope"), max_length=50, primary_key=True)
    number = models.PositiveBigIntegerField(_("number"), default=0)
    changed_at = models.DateTimeField(_("changed at"))
    # When content changes by the clock alone (a scheduled article falls due): the first
    # request after that moment starts a new version.
    next_change_at = models.DateTimeField(_("next change at"), null=True, blank=True)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return f"{self.scope} {self.number}"
