from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db import IntegrityError
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audience.models import Alert, ArticleViews, window_start
from audience.ranking import WEEK


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Editors set the breaking-news banner; authors never see it (articles/roles.py)."""

    fields = ["text", "link", "ends_at"]
    list_display = ["text", "ends_at", "state", "created_by"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    search_fields = ["text"]
    actions = ["end_now"]

    @admin.display(description=_("state"))
    def state(self, alert):
        return _("Shown") if alert.is_running() else _("Ended")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "link":
            kwargs["assume_scheme"] = "https"  # an address typed without https:// gets it
        if db_field.name == "text":
            kwargs["widget"] = forms.TextInput(attrs={"size": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {"ends_at": timezone.localtime() + timedelta(hours=2), **initial}

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except IntegrityError:  # another editor's alert saved between the check and this save
            self.message_user(
                request,
                _("Another alert was just saved: change it or end it before setting another."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("End now"), permissions=["change"])
    def end_now(self, request, queryset):
        ended = queryset.filter(is_current=True).update(is_current=False, ends_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d alert ended.", "%(count)d alerts ended.", ended) % {"count": ended},
            messages.SUCCESS,
        )


def _views_since(hours):
    rows = (
        ArticleViews.objects.filter(
            article=OuterRef("pk"), hour__gte=window_start(timezone.now(), hours)
        )
        .order_by()
        .values("article")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return Coalesce(Subquery(rows), 0)


class ArticleViewsInAdmin:
    """For the articles' admin (assembled by the desk, desk/admin.py): how many readers opened
    each story (counts flushed by the worker, a few minutes behind)."""

    VIEWS = ["views_24h", "views_7d"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), *self.VIEWS]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.VIEWS]

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), (_("Readers"), {"fields": self.VIEWS})]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(audience_24h=_views_since(24), audience_7d=_views_since(WEEK))
        )

    @admin.display(description=_("views (24 h)"), ordering="audience_24h")
    def views_24h(self, article):
        return getattr(article, "audience_24h", 0)

    @admin.display(description=_("views (7 days)"), ordering="audience_7d")
    def views_7d(self, article):
        return getattr(article, "audience_7d", 0)
