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


class PendingPurge(models.Model):
    """A key whose pages the CDN must drop (pagecache/purge.py): written in the transaction of
    the change, removed once the CDN has said yes. Rows wait here while the worker is stopped
    or the CDN fails; ``due_at`` is when to try next (a scheduled publication, a retry)."""

    key = models.CharField(_("key"), max_length=200)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    # When the key first fell due: after PAGE_CACHE_SHARED_MAX_AGE the CDN has dropped the
    # pages itself, and a purge that keeps failing is given up.
    since = models.DateTimeField(_("since"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("pending purge")
        verbose_name_plural = _("pending purges")

    def __str__(self):
        return self.key
