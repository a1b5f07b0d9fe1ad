"""Lockouts on the admin's sign-in page (django-axes): who is locked out, and what they see.

Axes holds one failure count against one limit. Here an account is locked from one address
after ``AXES_FAILURE_LIMIT`` failures, and an address, whatever accounts it tries, after
``ADMIN_LOGIN_FAILURES_PER_ADDRESS``. An unknown account and a wrong password count alike.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UsernameField
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        """The account's failures from this address, or the address's own count on the same
        scale (settings.AXES_LOCKOUT_PARAMETERS lists the two, in that order)."""
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        return max(by_account, by_address * limit // settings.ADMIN_LOGIN_FAILURES_PER_ADDRESS)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # Typos before a successful sign-in are forgotten, never the address's other failures:
        # an attacker with an account of their own must not wipe their address's count.
        AccessAttempt.objects.filter(
            username=user.get_username(), ip_address=request.axes_ip_address
        ).delete()


def lockout_page(request, original_response, credentials):
    """The admin's page for a locked-out sign-in, the same for every account."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Too many sign-in attempts"),
        "retry_at": timezone.now() + cool_off,
    }
    response = render(request, "admin/lockout.html", context, status=429)
    response["Retry-After"] = int(cool_off.total_seconds())
    add_never_cache_headers(response)  # it names this visitor's address, like the sign-in page
    return response


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing a username longer than any account's: Django's own
    only tells the browser, and the lockout records every username tried."""

    username = UsernameField(
        max_length=get_user_model()._meta.get_field("username").max_length,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
