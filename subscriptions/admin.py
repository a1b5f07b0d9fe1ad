import csv
from datetime import timedelta

from csp.decorators import csp_replace
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from subscriptions import accounts, editions, mailing, sending, tasks
from subscriptions.forms import EmailAddressField
from subscriptions.models import (
    Delivery,
    EditionArticle,
    NewsletterEdition,
    PaywallSettings,
    Plan,
    Subscriber,
    Subscription,
    WaitingListEntry,
)


def _spreadsheet_safe(*cells):
    """Cells a spreadsheet will not run as formulas (CSV injection)."""
    return [
        f"'{cell}" if str(cell)[:1] in ("=", "+", "-", "@", "\t", "\r") else cell for cell in cells
    ]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "source_page", "created_at", "confirmed_at"]
    list_filter = ["status", "sections", "created_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "consent_text", "consent_at", "source_page", "created_at", "confirmed_at",
        "unsubscribed_at", "last_email_at",
    ]  # fmt: skip
    fields = ["email", "status", "sections", *readonly_fields]
    actions = ["export_csv"]

    def has_add_permission(self, request):
        # Subscribers come from the signup form alone, which records the proof of their consent.
        return False

    def changelist_view(self, request, extra_context=None):
        # Counts at a glance, above the list.
        counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("id")).order_by())
        extra_context = {
            **(extra_context or {}),
            "status_counts": [
                (label, counts.get(value, 0)) for value, label in Subscriber.Status.choices
            ],
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Export the selected subscribers as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="abonnes-newsletter.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "status", "created_at", "confirmed_at", "consent_at", "source"])
        for subscriber in queryset.iterator():
            writer.writerow(
                _spreadsheet_safe(
                    subscriber.email,
                    subscriber.status,
                    subscriber.created_at.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                    subscriber.consent_at.isoformat(),
                    subscriber.source_page,
                )
            )
        return response


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "period", "availability", "position"]
    list_editable = ["availability", "position"]
    prepopulated_fields = {"slug": ["name"]}


class GrantSubscriptionForm(forms.ModelForm):
    """Staff grant a subscription by e-mail; the reader's account is made if needed."""

    reader_email = EmailAddressField(label=_("Reader's e-mail address"))

    class Meta:
        model = Subscription
        fields = ["plan", "status", "current_period_end"]

    def clean_reader_email(self):
        email = self.cleaned_data["reader_email"]
        taken = get_user_model().objects.filter(username=email[:150]).exists()
        if accounts.reader_for_email(email) is None and taken:
            raise ValidationError(_("Another account, not a reader's, already uses this address."))
        return email

    def save(self, commit=True):
        email = self.cleaned_data["reader_email"]
        reader = accounts.reader_for_email(email)
        if reader is None:
            reader = get_user_model()(username=email[:150], email=email)
            reader.set_unusable_password()  # readers sign in with e-mailed links
            reader.save()
        self.instance.reader = reader
        return super().save(commit)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["reader", "plan", "status", "current_period_end", "granted_by"]
    list_filter = ["status", "plan"]
    search_fields = ["reader__email", "reader__username"]
    list_select_related = ["reader", "plan", "granted_by"]
    autocomplete_fields = ["reader"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = GrantSubscriptionForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["reader_email", "plan", "status", "current_period_end"]
        return ["reader", "plan", "status", "current_period_end"]

    def get_changeform_initial_data(self, request):
        return {"current_period_end": timezone.now() + timedelta(days=365)}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(admin.ModelAdmin):
    list_display = ["email", "plan", "created_at"]
    list_filter = ["plan"]
    search_fields = ["email"]


@admin.register(PaywallSettings)
class PaywallSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:subscriptions_paywallsettings_change", PaywallSettings.load().pk)


# Newsletter editions --------------------------------------------------------------------------


def _count_of(model, **filters):
    """A per-edition count as a subquery, so that the list's counts don't multiply each other."""
    counts = (
        model.objects.filter(edition=OuterRef("pk"), **filters)
        .order_by()
        .values("edition")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


class EditionArticleInline(admin.TabularInline):
    model = EditionArticle
    autocomplete_fields = ["article"]
    fields = ["position", "article", "on_site"]
    readonly_fields = ["on_site"]
    ordering = ["position", "id"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description=_("on the site"))
    def on_site(self, item):
        if item.pk is None:
            return "—"
        if item.article.is_visible:
            return _("Published")
        return _("Not published: left out when sending")


@admin.register(NewsletterEdition)
class NewsletterEditionAdmin(admin.ModelAdmin):
    """Editions: composed as drafts, previewed, tested, then sent by the background worker.

    Custom views (get_urls): preview, a test to oneself, the sending confirmation, resuming,
    filling from the latest stories. Sending is for editors only: ``editions.can_send``.
    """

    list_display = [
        "subject", "audience_section", "status", "article_count", "created_at", "sent_at",
        "progress",
    ]  # fmt: skip
    list_select_related = ["audience_section"]
    list_filter = ["status", "audience_section"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["sections"]
    readonly_fields = ["status", "sent_at", "delivery_report"]
    inlines = [EditionArticleInline]
    actions = ["fill_from_latest_stories"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["subject", "intro", "audience_section"]}),
            (
                _("Articles"),
                {
                    "fields": ["sections"],
                    "description": _(
                        "Pick the articles below, or choose sections, save, and use "
                        "“Fill from the latest stories”. Only published articles are sent."
                    ),
                },
            ),
        ]
        if obj is not None:
            fieldsets.append(
                (_("Delivery to subscribers"), {"fields": ["status", "sent_at", "delivery_report"]})
            )
        return fieldsets

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_articles=_count_of(EditionArticle),
                n_deliveries=_count_of(Delivery),
                n_sent=_count_of(Delivery, status=Delivery.Status.SENT),
                n_failed=_count_of(Delivery, status=Delivery.Status.FAILED),
            )
        )

    def has_change_permission(self, request, obj=None):
        # Only drafts change: once sending starts, the edition is what subscribers receive.
        if obj is not None and obj.status != NewsletterEdition.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == NewsletterEdition.Status.SENDING:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("articles"), ordering="n_articles")
    def article_count(self, edition):
        return edition.n_articles

    @admin.display(description=_("delivered"))
    def progress(self, edition):
        if not edition.n_deliveries:
            return "—"
        done = f"{edition.n_sent} / {edition.n_deliveries}"
        if not edition.n_failed:
            return done
        failed = ngettext("%(count)s failed", "%(count)s failed", edition.n_failed) % {
            "count": edition.n_failed
        }
        return format_html("{} · <strong>{}</strong>", done, failed)

    @admin.display(description=_("deliveries"))
    def delivery_report(self, edition):
        counts = sending.delivery_counts(edition)
        if not counts["total"]:
            return "—"
        report = format_html_join(
            " · ",
            "{}: <strong>{}</strong>",
            ((label, counts[value]) for value, label in Delivery.Status.choices),
        )
        guarantee = _(
            "Every subscriber receives the edition at least once: a message a stopped worker was "
            "sending is sent again with the same Message-ID, by which mail servers recognise "
            "and drop a copy."
        )
        report = format_html('{}<br><span class="help">{}</span>', report, guarantee)
        if counts["interrupted"]:
            warning = ngettext(
                "%(count)s message was given up: a worker stopped while sending it at each "
                "attempt, so it may or may not have been received.",
                "%(count)s messages were given up: a worker stopped while sending them at each "
                "attempt, so they may or may not have been received.",
                counts["interrupted"],
            ) % {"count": counts["interrupted"]}
            report = format_html(
                '{}<br><strong class="newsletter-interrupted">{}</strong>', report, warning
            )
        return report

    @admin.action(description=_("Fill from the latest stories"), permissions=["change"])
    def fill_from_latest_stories(self, request, queryset):
        added = sum(
            len(editions.fill_from_latest(edition))
            for edition in queryset.filter(status=NewsletterEdition.Status.DRAFT)
        )
        self._report_fill(request, added)

    # Custom views ---------------------------------------------------------------------------

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        # The e-mail preview is shown in a frame of the admin's preview page, on the same site.
        frameable = xframe_options_sameorigin(
            csp_replace({"frame-ancestors": ["'self'"]})(self.preview_email_view)
        )
        views = [
            ("apercu/", self.preview_view, "preview"),
            ("apercu/courriel/", frameable, "preview_email"),
            ("test/", require_POST(self.test_view), "test"),
            ("envoyer/", self.send_view, "send"),
            ("reprendre/", require_POST(self.resume_view), "resume"),
            ("remplir/", require_POST(self.fill_view), "fill"),
        ]
        return [
            *(
                path(f"<int:pk>/{route}", self.admin_site.admin_view(view), name=f"{name}_{suffix}")
                for route, view, suffix in views
            ),
            *super().get_urls(),
        ]

    def _edition(self, request, pk, allowed):
        edition = self.get_object(request, str(pk))
        if edition is None:
            raise Http404
        if not allowed(request, edition):
            raise PermissionDenied
        return edition

    def _url(self, view, *args):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def _change_url(self, edition):
        return self._url("change", edition.pk)

    def _may_send(self, request, edition=None):
        return editions.can_send(request.user)

    def _may_test(self, request, edition=None):
        return self.has_change_permission(request)

    def _tools(self, request, edition):
        """Which of the edition's buttons this user sees."""
        draft = edition.status == NewsletterEdition.Status.DRAFT
        may_send = self._may_send(request)
        return {
            "can_fill": draft and self.has_change_permission(request, edition),
            "can_test": self._may_test(request),
            "can_send": draft and may_send,
            "can_resume": edition.status == NewsletterEdition.Status.SENDING and may_send,
        }

    def _page(self, request, edition, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/subscriptions/newsletteredition/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": edition,
                "title": title,
                **self._tools(request, edition),
                **context,
            },
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._tools(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request, pk):
        edition = self._edition(request, pk, self.has_view_permission)
        items = editions.edition_items(edition)
        text, _html = mailing.render_edition(edition, sample=True, items=items).personalise(
            mailing.sample_unsubscribe_url()
        )
        return self._page(
            request,
            edition,
            "preview.html",
            _("Preview of “%(subject)s”") % {"subject": edition.subject},
            text=text,
            items=items,
            left_out=edition.n_articles - len(items),
        )

    def preview_email_view(self, request, pk):
        """The HTML e-mail itself, as a sample subscriber receives it."""
        edition = self._edition(request, pk, self.has_view_permission)
        rendered = mailing.render_edition(edition, sample=True)
        _text, html = rendered.personalise(mailing.sample_unsubscribe_url())
        return HttpResponse(html)

    def test_view(self, request, pk):
        edition = self._edition(request, pk, self._may_test)
        if not request.user.email:
            messages.error(request, _("Your account has no e-mail address to send the test to."))
        elif not editions.edition_items(edition):
            messages.error(request, _("The edition has no published article yet."))
        else:
            # A test never creates deliveries, and its unsubscribe link is a marked sample.
            mailing.send_edition_test(edition, request.user.email)
            messages.success(
                request, _("A test was sent to %(email)s.") % {"email": request.user.email}
            )
        return redirect(self._change_url(edition))

    def send_view(self, request, pk):
        """A confirmation page showing who will receive the edition; POST starts the sending."""
        edition = self._edition(request, pk, self._may_send)
        if edition.status != NewsletterEdition.Status.DRAFT:
            messages.error(request, _("This edition has already been sent, or is being sent."))
            return redirect(self._change_url(edition))
        items = editions.edition_items(edition)
        if not items:
            messages.error(
                request, _("The edition has no published article: add some before sending it.")
            )
            return redirect(self._change_url(edition))
        if request.method == "POST":
            if tasks.start_sending(edition):
                messages.success(
                    request,
                    _("“%(subject)s” is being sent to the subscribers.")
                    % {"subject": edition.subject},
                )
            else:
                messages.error(request, _("This edition has already been sent, or is being sent."))
            return redirect(self._url("changelist"))
        return self._page(
            request,
            edition,
            "send_confirmation.html",
            _("Send “%(subject)s” to the subscribers") % {"subject": edition.subject},
            subscriber_count=editions.recipients(edition).count(),
            items=items,
            left_out=edition.n_articles - len(items),
        )

    def resume_view(self, request, pk):
        edition = self._edition(request, pk, self._may_send)
        if tasks.resume_sending(edition):
            messages.success(request, _("Sending resumed."))
        else:
            messages.error(request, _("This edition is not being sent."))
        return redirect(self._change_url(edition))

    def fill_view(self, request, pk):
        edition = self._edition(request, pk, self.has_change_permission)
        self._report_fill(request, len(editions.fill_from_latest(edition)))
        return redirect(self._change_url(edition))

    def _report_fill(self, request, added):
        if added:
            messages.success(
                request,
                ngettext(
                    "%(count)s article added to the edition.",
                    "%(count)s articles added to the edition.",
                    added,
                )
                % {"count": added},
            )
        else:
            messages.warning(
                request,
                _(
                    "No article added: the edition is full, or no other published article "
                    "matches its sections."
                ),
            )
