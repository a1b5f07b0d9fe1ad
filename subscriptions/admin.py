import csv
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subscriptions.forms import EmailAddressField
from subscriptions.models import (
    PaywallSettings,
    Plan,
    Subscriber,
    Subscription,
    WaitingListEntry,
)


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
                [
                    subscriber.email,
                    subscriber.status,
                    subscriber.created_at.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                    subscriber.consent_at.isoformat(),
                    subscriber.source_page,
                ]
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

    def save(self, commit=True):
        User = get_user_model()
        email = self.cleaned_data["reader_email"]
        reader = User.objects.filter(email__iexact=email, is_staff=False).first()
        if reader is None:
            reader = User(username=email[:150], email=email)
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
