import functools
import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsroom import ratelimit
from newsroom.clients import client_network
from subscriptions import accounts, links, tasks
from subscriptions.forms import CONSENT_TEXT, EmailForm, NewsletterSignupForm
from subscriptions.models import Plan, Subscriber, Subscription, WaitingListEntry

DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_same_origin(request):
    """Whether a POST comes from a page of this site: its Origin header, or its Referer when a
    browser sends no Origin, names this site's scheme, host and port."""
    origin = request.headers.get("Origin")
    return _is_on_this_site(origin or request.headers.get("Referer"), request)


def _is_on_this_site(url, request):
    """Whether ``url`` is an absolute address on this site (an opaque ``null`` origin is not)."""
    try:
        url = urlsplit(url or "")
        site = urlsplit(f"{request.scheme}://{request.get_host()}")
        return (
            url.scheme in ("http", "https")
            and url.username is None
            and url.password is None
            and (url.scheme, url.hostname, url.port or DEFAULT_PORTS[url.scheme])
            == (site.scheme, site.hostname, site.port or DEFAULT_PORTS[site.scheme])
        )
    except ValueError:  # a port that is not a number, a broken IPv6 address
        return False


def _referring_path(request):
    """The path of the page the form was sent from, if it is a page of this site."""
    referer = request.headers.get("Referer", "")
    return urlsplit(referer).path if _is_on_this_site(referer, request) else ""


def public_form(view):
    """A reader form that may sit on a cached page: CSRF defended by the Origin header.

    Pages from the shared cache cannot carry a per-reader CSRF token, so these views are
    exempt from the token check and refuse instead any POST that a page of another site sent.
    """

    @csrf_exempt
    @never_cache
    @require_http_methods(["GET", "POST"])
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not _is_same_origin(request):
            return render(request, "403_csrf.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _too_many_requests(request):
    return render(request, "429.html", status=429)


def _rate_limited(request, scope, email=None):
    """Whether this reader's IP, or this address, asked too often.

    The address, normalised by the form, is counted under a digest: a key of fixed length that
    keeps no address in the cache.
    """
    nl = settings.NEWSLETTER
    if not ratelimit.allow(
        f"{scope}:ip:{client_network(request)}", nl["RATE_PER_IP"], nl["RATE_PERIOD"]
    ):
        return True
    if email:
        key = f"{scope}:email:{hashlib.sha256(email.encode()).hexdigest()}"
        return not ratelimit.allow(key, nl["RATE_PER_ADDRESS"], nl["RATE_PERIOD"])
    return False


@public_form
def signup(request):
    form = NewsletterSignupForm(request.POST or None, initial={"source": request.GET.get("depuis")})
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            if _rate_limited(request, "signup", email):
                return _too_many_requests(request)
            if not form.is_bot():
                # The same work and the same answer for new, pending, confirmed and
                # unsubscribed addresses alike: the worker looks the address up.
                tasks.request_subscription.enqueue(
                    email=email,
                    section_ids=[section.pk for section in form.cleaned_data["sections"]],
                    consent_text=str(CONSENT_TEXT),
                    source_page=form.cleaned_data["source"] or _referring_path(request),
                )
            return redirect("subscriptions:signup_done")
        if _rate_limited(request, "signup"):
            return _too_many_requests(request)
    return render(request, "subscriptions/signup.html", {"form": form})


def signup_done(request):
    return render(request, "subscriptions/signup_done.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button, POST confirms: mail scanners that follow links subscribe nobody."""
    try:
        subscriber = links.subscriber_from_confirmation(token)
    except signing.SignatureExpired:
        return _expired_confirmation(request, token)
    except signing.BadSignature:
        subscriber = None
    if subscriber is None:
        return render(request, "subscriptions/confirm_invalid.html", status=404)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        # An old link never undoes an unsubscribe.
        return render(request, "subscriptions/unsubscribed.html", {"subscriber": subscriber})
    if request.method == "POST":
        subscriber.confirm()  # confirming twice is harmless
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return render(request, "subscriptions/confirmed.html", {"subscriber": subscriber})
    return render(request, "subscriptions/confirm.html", {"subscriber": subscriber})


def _expired_confirmation(request, token):
    """An expired link offers a new one, sent to the same address (once per period)."""
    if request.method == "POST":
        subscriber = links.subscriber_from_confirmation(token, check_age=False)
        # Only a pending address gets a new link (an unsubscribed one stays unsubscribed).
        if subscriber and subscriber.status == Subscriber.Status.PENDING:
            if _rate_limited(request, "confirm-again", subscriber.email):
                return _too_many_requests(request)
            tasks.resend_confirmation.enqueue(subscriber.pk)
        return redirect("subscriptions:signup_done")
    return render(request, "subscriptions/confirm_expired.html", status=410)


@csrf_exempt  # RFC 8058: mail clients POST here without a token; the signed link is the key
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = links.subscriber_from_unsubscribe(token)
    if subscriber is None:
        return render(request, "subscriptions/confirm_invalid.html", status=404)
    if request.method == "POST":
        subscriber.unsubscribe()
        return render(request, "subscriptions/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "subscriptions/unsubscribe.html", {"subscriber": subscriber})


@never_cache
@require_http_methods(["GET", "POST"])
def login_request(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            if _rate_limited(request, "login", email):
                return _too_many_requests(request)
            # The same work and the same answer whether or not the address has an account: the
            # worker looks the reader up.
            tasks.send_login_link.enqueue(email)
            return render(request, "subscriptions/login_sent.html", {"email": email})
        if _rate_limited(request, "login"):
            return _too_many_requests(request)
    return render(request, "subscriptions/login.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request, token):
    """GET shows a button, POST signs in: mail scanners that follow links use up nothing."""
    reader = accounts.user_from_login_token(token)
    if reader is None:
        return render(request, "subscriptions/login_invalid.html", status=404)
    if request.method == "POST":
        login(request, reader, backend="newsroom.sessions.UserBackend")
        return redirect("subscriptions:account")
    return render(request, "subscriptions/login_confirm.html", {"reader": reader})


@login_required
@never_cache
def account(request):
    subscriptions = Subscription.objects.filter(reader=request.user).select_related("plan")
    subscriber = Subscriber.objects.filter(email=request.user.email).first()
    return render(
        request,
        "subscriptions/account.html",
        {
            "subscriptions": subscriptions,
            "subscriber": subscriber,
        },
    )


@public_form
def plans(request):
    form = EmailForm(request.POST or None)  # one waiting list, whichever plan opens first
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            if _rate_limited(request, "waiting-list", email):
                return _too_many_requests(request)
            # One INSERT … ON CONFLICT DO NOTHING: the same query for a new and a known address.
            WaitingListEntry.objects.bulk_create(
                [WaitingListEntry(email=email)], ignore_conflicts=True
            )
            messages.success(request, _("Thank you: we will tell you as soon as it opens."))
            return redirect("subscriptions:plans")
        if _rate_limited(request, "waiting-list"):
            return _too_many_requests(request)
    return render(
        request,
        "subscriptions/plans.html",
        {"plans": Plan.objects.all(), "form": form},
    )
