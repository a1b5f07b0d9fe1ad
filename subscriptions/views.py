import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from subscriptions import accounts, mailing, newsletter, ratelimit
from subscriptions.forms import CONSENT_TEXT, EmailForm, NewsletterSignupForm
from subscriptions.models import Plan, Subscriber, Subscription, WaitingListEntry


def _client_ip(request):
    """The reader's address: behind ``TRUSTED_PROXY_COUNT`` proxies, the one the outermost
    proxy saw (each appends to X-Forwarded-For; anything further left can be forged)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _is_same_origin(request):
    """Whether a POST comes from a page of this site (Origin, or Referer when absent)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(origin) and urlsplit(origin).netloc == request.get_host()


def _referring_path(request):
    """The path of the page the form was sent from, if it is a page of this site."""
    referer = urlsplit(request.headers.get("Referer", ""))
    return referer.path if referer.netloc == request.get_host() else ""


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
    nl = settings.NEWSLETTER
    if not ratelimit.allow(
        f"{scope}:ip:{_client_ip(request)}", nl["RATE_PER_IP"], nl["RATE_PERIOD"]
    ):
        return True
    if email:
        key = f"{scope}:email:{email.lower()}"
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
                newsletter.request_subscription(
                    email=email,
                    sections=form.cleaned_data["sections"],
                    consent_text=str(CONSENT_TEXT),
                    source_page=form.cleaned_data["source"] or _referring_path(request),
                    request=request,
                )
            # The same answer for new, pending, confirmed and unsubscribed addresses alike.
            return redirect("subscriptions:signup_done")
        if _rate_limited(request, "signup"):
            return _too_many_requests(request)
    return render(request, "subscriptions/signup.html", {"form": form})


def signup_done(request):
    return render(request, "subscriptions/signup_done.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscriber = newsletter.subscriber_from_confirmation(token)
    except signing.SignatureExpired:
        return _expired_confirmation(request, token)
    except signing.BadSignature:
        subscriber = None
    if subscriber is None:
        return render(request, "subscriptions/confirm_invalid.html", status=404)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        # An old link (opened by a mail scanner, say) never undoes an unsubscribe.
        return render(request, "subscriptions/unsubscribed.html", {"subscriber": subscriber})
    subscriber.confirm()  # confirming twice is harmless
    return render(request, "subscriptions/confirmed.html", {"subscriber": subscriber})


def _expired_confirmation(request, token):
    """An expired link offers a new one, sent to the same address (once per period)."""
    if request.method == "POST":
        subscriber = newsletter.subscriber_from_confirmation(token, check_age=False)
        # Only a pending address gets a new link (an unsubscribed one stays unsubscribed).
        if subscriber and subscriber.status == Subscriber.Status.PENDING:
            if _rate_limited(request, "confirm-again", subscriber.email):
                return _too_many_requests(request)
            newsletter.resend_confirmation(subscriber, request)
        return redirect("subscriptions:signup_done")
    return render(request, "subscriptions/confirm_expired.html", status=410)


@csrf_exempt  # RFC 8058: mail clients POST here without a token; the signed link is the key
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = newsletter.subscriber_from_unsubscribe(token)
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
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _rate_limited(request, "login", email):
            return _too_many_requests(request)
        reader = accounts.reader_for_email(email)
        if reader is not None:
            path = reverse(
                "subscriptions:login_link", kwargs={"token": accounts.login_token(reader)}
            )
            mailing.send_login_link(reader, mailing.absolute_url(path))
        # The same answer whether or not the address has an account.
        return render(request, "subscriptions/login_sent.html", {"email": email})
    return render(request, "subscriptions/login.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request, token):
    """GET shows a button, POST signs in: mail scanners that follow links use up nothing."""
    reader = accounts.user_from_login_token(token)
    if reader is None:
        return render(request, "subscriptions/login_invalid.html", status=404)
    if request.method == "POST":
        login(request, reader, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("subscriptions:account")
    return render(request, "subscriptions/login_confirm.html", {"reader": reader})


@login_required
@never_cache
def account(request):
    subscriptions = Subscription.objects.filter(reader=request.user).select_related("plan")
    subscriber = Subscriber.objects.filter(email__iexact=request.user.email).first()
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
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _rate_limited(request, "waiting-list", email):
            return _too_many_requests(request)
        WaitingListEntry.objects.get_or_create(email__iexact=email, defaults={"email": email})
        messages.success(request, _("Thank you: we will tell you as soon as it opens."))
        return redirect("subscriptions:plans")
    return render(
        request,
        "subscriptions/plans.html",
        {"plans": Plan.objects.all(), "form": form},
    )
