from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subscriptions.addresses import NormalisedEmailField


class Subscriber(models.Model):
    """A newsletter address, with the proof of the reader's consent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = NormalisedEmailField(_("e-mail address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    sections = models.ManyToManyField(
        "articles.Category",
        verbose_name=_("sections"),
        blank=True,
        related_name="+",
        help_text=_("The sections this reader wants; none means all."),
    )
    consent_text = models.TextField(_("consent text shown"))
    consent_at = models.DateTimeField(_("consent given at"))
    source_page = models.CharField(_("signed up from"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    last_email_at = models.DateTimeField(
        _("last confirmation e-mail"),
        null=True,
        blank=True,
        help_text=_("A known address gets at most one confirmation e-mail per period."),
    )

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        ordering = ["-created_at"]
        constraints = [
            # One row per address, however spelt (it is stored normalised): concurrent signups
            # cannot make two.
            models.UniqueConstraint(fields=["email"], name="unique_subscriber_email"),
        ]
        indexes = [models.Index(fields=["status"], name="subscriber_status_idx")]

    def __str__(self):
        return self.email

    def confirm(self):
        if self.status != self.Status.CONFIRMED:
            self.status = self.Status.CONFIRMED
            self.confirmed_at = timezone.now()
            self.unsubscribed_at = None
            self.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])

    def unsubscribe(self):
        if self.status != self.Status.UNSUBSCRIBED:
            self.status = self.Status.UNSUBSCRIBED
            self.unsubscribed_at = timezone.now()
            self.save(update_fields=["status", "unsubscribed_at"])


class NewsletterEdition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    articles = models.ManyToManyField(
        "articles.Article",
        through="EditionArticle",
        verbose_name=_("articles"),
        related_name="+",
    )
    sections = models.ManyToManyField(
        "articles.Category",
        verbose_name=_("sections to fill from"),
        blank=True,
        related_name="+",
        help_text=_("“Fill from the latest stories” picks the newest articles of these sections."),
    )
    audience_section = models.ForeignKey(
        "articles.Category",
        verbose_name=_("for the readers of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"parent__isnull": True},
        help_text=_(
            "Empty: the edition goes to every subscriber. A section: only to the subscribers "
            "who chose it, and to those who receive everything."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # While the edition is sending, a live worker pushes this back every few seconds; once it is
    # past, every worker that was sending the edition is dead (subscriptions/sending.py). Empty
    # when no run is wanted: a draft, a sent edition, or one paused for an editor.
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("newsletter edition")
        verbose_name_plural = _("newsletter editions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class EditionArticle(models.Model):
    edition = models.ForeignKey(NewsletterEdition, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("article of the edition")
        verbose_name_plural = _("articles of the edition")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article"], name="unique_article_per_edition"
            )
        ]

    def __str__(self):
        return str(self.article)


class Delivery(models.Model):
    """One edition to one subscriber: the ledger that makes sending resumable, never doubled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    edition = models.ForeignKey(
        NewsletterEdition, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When a worker took the row to send it: a row left "sending" by a worker that died is sent
    # again, with the same Message-ID (subscriptions/sending.py).
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    message_id = models.TextField(_("Message-ID"), blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="one_delivery_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["edition", "status"], name="delivery_edition_status_idx")]

    def __str__(self):
        return f"{self.edition} → {self.subscriber}"


class Plan(models.Model):
    class Period(models.TextChoices):
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    class Availability(models.TextChoices):
        SOON = "soon", _("Coming soon")
        ACTIVE = "active", _("Available")

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    price = models.DecimalField(_("price (€)"), max_digits=7, decimal_places=2)
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    description = models.TextField(_("description"), blank=True)
    availability = models.CharField(
        _("availability"), max_length=6, choices=Availability.choices, default=Availability.SOON
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["position", "price"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="plan_price_positive")
        ]

    def __str__(self):
        return self.name


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Subscriptions that open every article right now."""
        return self.filter(status=Subscription.Status.ACTIVE, current_period_end__gt=timezone.now())


class Subscription(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    current_period_end = models.DateTimeField(_("paid until"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-current_period_end"]
        indexes = [
            models.Index(fields=["reader", "status", "current_period_end"], name="subscription_idx")
        ]

    def __str__(self):
        return f"{self.reader} – {self.plan}"


class WaitingListEntry(models.Model):
    """A reader who asked to be told when subscriptions open ("Prévenez-moi")."""

    email = NormalisedEmailField(_("e-mail address"), max_length=254)
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["email"], name="unique_waiting_list_email")]

    def __str__(self):
        return self.email


class PaywallSettings(models.Model):
    """The newsroom's paywall switch, one row, edited in the admin."""

    class Mode(models.TextChoices):
        OFF = "off", _("Off: everything readable, no teaser")
        ANNOUNCE = "announce", _("Announce: everything readable, subscription announced")
        METERED = "metered", _("Metered: a few subscriber articles free, then the teaser")
        ON = "on", _("On: subscriber articles reserved to subscribers")

    mode = models.CharField(
        _("paywall mode"), max_length=10, choices=Mode.choices, default=Mode.ANNOUNCE
    )
    free_articles = models.PositiveSmallIntegerField(
        _("free subscriber articles per 30 days"),
        default=3,
        help_text=_("In metered mode: how many subscriber-only articles a browser may read."),
    )
    preview_paragraphs = models.PositiveSmallIntegerField(
        _("paragraphs shown before the teaser"),
        default=2,
        help_text=_(
            "What readers without access read of a subscriber article, in On mode and once "
            "the free articles of Metered mode are used up. A list item, a quoted paragraph, "
            "a caption and a line ended by a line break each count as one paragraph; headings "
            "do not count. Whatever this number, they never read more than a third of the "
            "text: the preview then stops at the end of a word. Headings, images and rules "
            "that would end the preview are left out."
        ),
    )

    class Meta:
        verbose_name = _("paywall settings")
        verbose_name_plural = _("paywall settings")

    def __str__(self):
        return str(_("Paywall settings"))

    @classmethod
    def load(cls):
        """The settings row (made by a migration); the defaults if it was deleted."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class RateLimitWindow(models.Model):
    """One rate limit's current window, counted in the database when the cache is each
    process's own (newsroom/ratelimit.py)."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    hits = models.PositiveIntegerField(_("hits"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("rate-limit window")
        verbose_name_plural = _("rate-limit windows")

    def __str__(self):
        return self.key


class WorkerHeartbeat(models.Model):
    """When a background worker last showed life: one row, renewed by every worker's heartbeat
    (subscriptions/management/commands/db_worker.py) and read by the health check."""

    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return str(self.seen_at)

    @classmethod
    def beat(cls):
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(seen_at=now):
            cls.objects.get_or_create(pk=1, defaults={"seen_at": now})

    @classmethod
    def last_seen(cls):
        return cls.objects.filter(pk=1).values_list("seen_at", flat=True).first()
