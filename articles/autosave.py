"""The editor's safety net: autosaved copies of what each user types, and who has an article open.

The change form's scripts (static/js/autosave.js, static/js/presence.js) call these admin views.
Each one answers JSON, in French, and never a 500: a 403 for an article the user may not change,
a 404 for one they may not see, a 413 for too long a text, a 429 when called too often.
"""

from datetime import timedelta

from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Autosave, EditingPresence

# A page that has not said it is open for this long is taken as closed (it says so every minute).
PRESENCE_TIMEOUT = timedelta(minutes=2)
# Calls per user and minute, autosaves and heartbeats together: a page makes about three, a
# few tabs open at once stay well under.
CALLS_PER_MINUTE = 40


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


def _too_many_calls(user):
    """Count a call for ``user``; True past CALLS_PER_MINUTE in the current minute. A cache
    that cannot count lets the call through: losing a text is worse than one extra write."""
    key = f"autosave-calls:{user.pk}:{int(timezone.now().timestamp() // 60)}"
    try:
        cache.add(key, 0, timeout=120)
        return cache.incr(key) > CALLS_PER_MINUTE
    except Exception:  # an unreachable or evicting cache, whatever its backend
        return False


def _article_for(model_admin, request, object_id):
    """The article ``object_id`` if the user may change it; None for a new one; or the error
    response to send."""
    if object_id is None:
        if not model_admin.has_add_permission(request):
            return None, _error(_("You may not write articles."), 403)
        return None, None
    try:
        article = model_admin.get_object(request, unquote(object_id))
    except Http404:
        article = None
    if article is None:
        return None, _error(_("This article does not exist, or you may not open it."), 404)
    if not model_admin.has_change_permission(request, article):
        return None, _error(_("You may no longer change this article."), 403)
    return article, None


def _describe(autosave):
    when = timezone.localtime(autosave.saved_at)
    return {
        "saved_at": autosave.saved_at.isoformat(),
        "message": _("Saved automatically at %(time)s")
        % {"time": formats.time_format(when, "H:i")},
    }


@require_http_methods(["GET", "POST"])
def autosave_view(request, model_admin, object_id=None):
    """GET: the user's autosaved copy, its body sanitised, to restore it. POST (title, lead,
    body): keep it as the user's copy of the article, whatever its status: readers never see
    it."""
    article, refused = _article_for(model_admin, request, object_id)
    if refused:
        return refused
    if request.method == "GET":
        autosave = Autosave.objects.filter(user=request.user, article=article).first()
        if autosave is None:
            return _error(_("There is no autosaved text for this article."), 404)
        return JsonResponse(
            {
                "title": autosave.title,
                "lead": autosave.lead,
                "body": autosave.restorable_body(),
                **_describe(autosave),
            }
        )
    if _too_many_calls(request.user):
        return _error(_("Too many automatic saves: the next one will be in a moment."), 429)
    fields = {}
    for name, limit in Autosave.MAX_LENGTHS.items():
        value = request.POST.get(name, "")
        if len(value) > limit:
            return _error(_("This text is too long to be saved automatically."), 413)
        fields[name] = value.replace("\x00", "")  # PostgreSQL refuses NUL characters
    fields["saved_at"] = timezone.now()
    try:
        with transaction.atomic():
            autosave, _created = Autosave.objects.update_or_create(
                user=request.user, article=article, defaults=fields
            )
    except IntegrityError:  # the same user's other tab created it at the same instant
        return _error(_("The text could not be saved automatically; it will be retried."), 409)
    return JsonResponse(_describe(autosave))


@require_POST
def discard_autosave_view(request, model_admin, object_id=None):
    """Forget the user's autosaved copy of the article (the "Ignorer" of the restore banner)."""
    article, refused = _article_for(model_admin, request, object_id)
    if refused:
        return refused
    Autosave.objects.filter(user=request.user, article=article).delete()
    return JsonResponse({"discarded": True})


def newer_autosave(user, article):
    """The user's autosaved copy of ``article`` (None: their new article) if it holds text that
    the saved article does not, typed after the article was last saved; else None."""
    autosave = Autosave.objects.filter(user=user, article=article).first()
    if autosave is None:
        return None
    if article is not None and autosave.saved_at <= article.updated_at:
        return None
    return autosave if autosave.differs_from(article) else None


def forget_autosave(user, article, created):
    """Once ``article`` is saved, the user's copy of it (or of their new article) is stale."""
    Autosave.objects.filter(user=user, article=None if created else article).delete()
    if created:
        Autosave.objects.filter(user=user, article=article).delete()


def others_editing(user, article):
    """Sentences naming the other users who have ``article`` open, longest open first."""
    recent = timezone.now() - PRESENCE_TIMEOUT
    presences = (
        EditingPresence.objects.filter(article=article, seen_at__gte=recent)
        .exclude(user=user)
        .select_related("user")
        .order_by("opened_at")
    )
    return [_editing_sentence(presence) for presence in presences]


def _editing_sentence(presence):
    name = presence.user.get_full_name() or presence.user.get_username()
    if timezone.now() - presence.opened_at < timedelta(minutes=1):
        return _("%(user)s has just opened this article") % {"user": name}
    return _("%(user)s has been editing this article for %(duration)s") % {
        "user": name,
        "duration": timesince(presence.opened_at, depth=1),
    }


@require_POST
def presence_view(request, model_admin, object_id):
    """The change form's heartbeat: the user has the article open (or, with ``leave``, has just
    closed it). Answers who else has it open."""
    article, refused = _article_for(model_admin, request, object_id)
    if refused:
        return refused
    if _too_many_calls(request.user):
        return _error(_("Too many calls: the next one will be in a moment."), 429)
    now = timezone.now()
    # Pages closed without a word (a crash, no network): their rows for this article go.
    EditingPresence.objects.filter(article=article, seen_at__lt=now - PRESENCE_TIMEOUT).exclude(
        user=request.user
    ).delete()
    if request.POST.get("leave"):
        EditingPresence.objects.filter(user=request.user, article=article).delete()
        return JsonResponse({"others": []})
    try:
        with transaction.atomic():
            presence, created = EditingPresence.objects.get_or_create(
                user=request.user, article=article, defaults={"opened_at": now, "seen_at": now}
            )
            if not created:
                if presence.seen_at < now - PRESENCE_TIMEOUT:  # closed since, now reopened
                    presence.opened_at = now
                presence.seen_at = now
                presence.save(update_fields=["opened_at", "seen_at"])
    except IntegrityError:  # the same user's other tab, at the same instant: it counts
        pass
    return JsonResponse({"others": others_editing(request.user, article)})
