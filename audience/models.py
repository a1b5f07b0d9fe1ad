from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from pagecache import purge


class AlertQuerySet(models.QuerySet):
    def running(self, now=None):
        """The alert readers see now (at most one): current, its end time not come."""
        return self.filter(is_current=True, ends_at__gt=now or timezone.now())

    def next_end(self):
        """When the alert shown now goes away by itself (a clock of the page cache), or None."""
        return self.running().order_by("ends_at").values_list("ends_at", flat=True).first()


class Alert(models.Model):
    """The breaking-news banner (« Alerte ») on every reader page until ``ends_at``.

    Never more than one at a time: the current one holds ``is_current``, which a unique
    constraint allows to a single row. An alert whose end time has come stays current until
    the next one is created (which retires it) or an editor ends it.
    """

    text = models.CharField(
        _("text"), max_length=160, help_text=_("One line, shown at the top of every page.")
    )
    link = models.URLField(
        _("link"), help_text=_("Where the alert leads: the story's full address.")
    )
    ends_at = models.DateTimeField(
        _("end time"), help_text=_("The alert goes away by itself at this time.")
    )
    is_current = models.BooleanField(_("current"), default=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="audience_one_current_alert",
                violation_error_message=_("Only one alert at a time."),
            )
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.is_current:
                # An alert whose time has come makes way for the new one (the CDN is told
                # by this save: see audience/purging.py).
                with purge.accounted_for():
                    Alert.objects.filter(is_current=True, ends_at__lte=timezone.now()).exclude(
                        pk=self.pk
                    ).update(is_current=False)
            super().save(*args, **kwargs)

    def is_running(self, now=None):
        return self.is_current and self.ends_at > (now or timezone.now())

    def clean(self):
        if self.ends_at is None:
            return
        now = timezone.now()
        if self.ends_at > now:
            self.is_current = True  # an ended alert given a later end time shows again
        if self.is_current and self.ends_at <= now and (self.pk is None or self.ends_at_changed()):
            raise ValidationError({"ends_at": gettext("The end time must be in the future.")})
        other = Alert.objects.running(now).exclude(pk=self.pk).first()
        if self.is_current and other is not None:
            raise ValidationError(
                gettext(
                    "An alert is already shown until %(time)s: change it or end it before "
                    "setting another."
                )
                % {
                    "time": formats.date_format(
                        timezone.localtime(other.ends_at), "DATETIME_FORMAT"
                    )
                }
            )

    def ends_at_changed(self):
        stored = Alert.objects.filter(pk=self.pk).values_list("ends_at", flat=True).first()
        return stored != self.ends_at


def hour_of(moment):
    """The start of the hour ``moment`` falls in (the table's buckets)."""
    return moment.replace(minute=0, second=0, microsecond=0)


def window_start(now, hours):
    """The first bucket of the last ``hours`` hours, the current one included."""
    return hour_of(now) - timedelta(hours=hours - 1)


class ArticleViews(models.Model):
    """How many readers opened a story in one hour (audience/counting.py flushes the counts
    here, a row per story and hour)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    hour = models.DateTimeField(_("hour"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("article views")
        verbose_name_plural = _("article views")
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="audience_views_per_hour")
        ]
        indexes = [models.Index(fields=["hour"], name="audience_views_hour_idx")]

    def __str__(self):
        return f"{self.article_id} {self.hour:%Y-%m-%d %H}h: {self.views}"


class MostRead(models.Model):
    """The most read stories of the last 24 hours, by rank: what readers see under « Les plus
    lus », replaced by the worker when the ranking changes (audience/ranking.py)."""

    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    article = models.OneToOneField(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="most_read"
    )

    class Meta:
        verbose_name = _("most read story")
        verbose_name_plural = _("most read stories")
        ordering = ["rank"]

    def __str__(self):
        return f"{self.rank}. {self.article_id}"
