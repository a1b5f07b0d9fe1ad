"""What an import from WordPress leaves behind: which row each WordPress object became (so that
the next run finds it again), and the old addresses that now redirect."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import Article


def spellings(path):
    """``path`` and the same path with or without its final slash: both lead to one place."""
    if len(path) <= 1:
        return [path]
    return [path, path[:-1] if path.endswith("/") else f"{path}/"]


class ImportedItem(models.Model):
    """A WordPress object (post, attachment, author, category) and the row it became."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        ATTACHMENT = "attachment", _("Attachment")
        AUTHOR = "author", _("Author")
        CATEGORY = "category", _("Category")

    site = models.CharField(_("WordPress site"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The post id for posts and attachments, the login for authors, the slug for categories.
    wp_id = models.CharField(_("WordPress identifier"), max_length=200)
    object_id = models.PositiveBigIntegerField(_("Newsroom identifier"))
    # The source as last imported: the same fingerprint, nothing to do.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    # The article's updated_at right after the import: a later one is an edit made in Newsroom.
    stored_at = models.DateTimeField(_("stored at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("imported WordPress item")
        verbose_name_plural = _("imported WordPress items")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "wp_id"], name="wordpress_item_once_per_site"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.wp_id}"


class OldAddress(models.Model):
    """An address of the former site that answers with a permanent redirect: to an article
    (wherever it moves) or to a path of this site."""

    path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("A path of the former site, such as /2024/03/titre/ or /?p=123."),
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    target = models.CharField(
        _("new address"),
        max_length=500,
        blank=True,
        help_text=_("A path of this site, for an address that leads to no article."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=False) | ~models.Q(target=""),
                name="old_address_leads_somewhere",
            ),
        ]

    def __str__(self):
        return self.path

    def clean(self):
        # Only this site's paths: an old address is never a way out to another site.
        for name in ("path", "target"):
            value = getattr(self, name)
            if value and (not value.startswith("/") or value.startswith("//")):
                raise ValidationError({name: _("Enter a path that starts with one “/”.")})
        if self.target and self._leads_back():
            raise ValidationError(
                {"target": _("This address leads back to the old address: readers would loop.")}
            )

    def _leads_back(self, hops=10):
        """Whether following ``target`` from address to address comes back to ``path``."""
        seen, target = set(spellings(self.path)), self.target
        for _hop in range(hops):
            if target in seen:
                return True
            seen.update(spellings(target))
            following = (
                OldAddress.objects.filter(path__in=spellings(target), article=None)
                .exclude(pk=self.pk)
                .first()
            )
            if following is None:
                return False
            target = following.target
        return True  # as good as a loop for a reader

    def destination(self):
        return self.article.get_absolute_url() if self.article_id else self.target
