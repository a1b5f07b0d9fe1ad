"""The e-mails that tell the newsroom about a story's review: who gets them, and what they say.

Sent by the background worker (desk.tasks), in the site's language.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from desk.models import ReviewEvent
from newsroom import sessions
from newsroom.site import absolute_url


def editors():
    """The people who review: active staff with the right to publish (the editors' group or
    the permission itself; superusers are not told unless they hold it)."""
    return get_user_model().objects.with_perm(
        "articles.publish_article",
        include_superusers=False,
        backend=sessions.BACKEND,
    )


def article_authors(article):
    """The article's signatories with an account, and whoever created it."""
    return get_user_model().objects.filter(
        Q(author_profile__bylines__article=article) | Q(pk=article.created_by_id), is_active=True
    )


def recipients(event):
    if event.kind == ReviewEvent.Kind.SUBMITTED:
        people = editors()
    else:
        people = article_authors(event.article)
    # Only those who may still open the desk: a story in review is no one else's news.
    people = people.filter(is_staff=True, is_active=True)
    people = people.exclude(email="").exclude(pk=event.actor_id).distinct()
    return sorted({user.email for user in people})


def send(event_id):
    """E-mail everyone concerned by the review event ``event_id`` (one message each); returns
    how many were sent. An event deleted with its article since is nobody's news."""
    event = ReviewEvent.objects.select_related("article", "actor").filter(pk=event_id).first()
    if event is None:
        return 0
    addresses = recipients(event)
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        actor = event.actor
        context = {
            "event": event,
            "article": event.article,
            "actor_name": (actor.get_full_name() or actor.get_username()) if actor else "",
            "url": absolute_url(reverse("admin:articles_article_change", args=[event.article_id])),
            "desk_url": absolute_url(reverse("admin:index")),
            "site_name": settings.NEWSROOM_SITE_NAME,
        }
        if event.kind == ReviewEvent.Kind.SUBMITTED:
            subject = _("To review: %(title)s") % {"title": event.article.title}
        else:
            subject = _("Sent back to you: %(title)s") % {"title": event.article.title}
        subject = " ".join(subject.split())  # one line, whatever the title holds
        body = render_to_string("desk/email/review.txt", context)
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in addresses]
    return get_connection().send_messages(messages) or 0
