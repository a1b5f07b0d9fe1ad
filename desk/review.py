"""A story's way through review: handed to the editors, handed back to its authors with a note.

Every change of state records a ``ReviewEvent`` (the desk home reads them) and queues the
e-mail that tells the people concerned, in the transaction of the change.
"""

from datetime import timedelta

from articles.models import Article
from articles.sanitizing import plain_line
from desk.models import ReviewEvent
from desk.tasks import notify_review

NOTE_MAX_LENGTH = 1000
# A story taken out of review by its author and submitted again within this time, with no
# editor's step between, tells the editors nothing new: no second e-mail.
RESUBMISSION_QUIET = timedelta(minutes=30)


def clean_note(text):
    """The note as typed, without control characters (PostgreSQL refuses NUL), direction
    overrides or surrounding blanks; its lines stay."""
    return plain_line(text).strip()


def record(article, before, actor, note=""):
    """Record what moving ``article`` from status ``before`` to its current one means for the
    review, and queue the e-mails; returns the event, or None if the move is no review step.

    A story put in review is a submission; an editor taking it from review back to draft
    sends it back (an author withdrawing their own story tells nobody)."""
    Status = Article.Status
    if article.status == Status.REVIEW and before != Status.REVIEW:
        kind = ReviewEvent.Kind.SUBMITTED
        note = ""
    elif (
        before == Status.REVIEW
        and article.status == Status.DRAFT
        and actor.has_perm("articles.publish_article")
    ):
        kind = ReviewEvent.Kind.SENT_BACK
    else:
        return None
    last = ReviewEvent.objects.filter(article=article).order_by("-created_at", "-pk").first()
    event = ReviewEvent.objects.create(article=article, kind=kind, actor=actor, note=note)
    resubmitted = (
        last is not None
        and kind == last.kind == ReviewEvent.Kind.SUBMITTED
        and event.created_at - last.created_at < RESUBMISSION_QUIET
    )
    if not resubmitted:
        notify_review.enqueue(event.pk)
    return event
