"""What the desk home (the admin's home page) shows each member of the newsroom, in a fixed
number of queries whatever the number of stories."""

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article, ArticleAuthor, published_q
from desk.models import ReviewEvent

# Stories per list; the article list (linked from each) has the rest.
SHOWN = 8
# Editors see the whole review queue, up to this many.
REVIEW_QUEUE_SHOWN = 50


@dataclass
class Desk:
    can_publish: bool
    drafts: list = field(default_factory=list)
    in_review: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)
    published: list = field(default_factory=list)
    corrected: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _latest(kind):
    return ReviewEvent.objects.filter(article=OuterRef("pk"), kind=kind).order_by("-created_at")


def _listed(articles):
    """Articles as the desk lists them: no body, with their section and review dates."""
    return (
        articles.select_related("category")
        .defer("body")
        .annotate(
            submitted_at=Subquery(_latest(ReviewEvent.Kind.SUBMITTED).values("created_at")[:1]),
        )
    )


def _with_send_back(drafts):
    """Drafts with their latest send-back: its date, note and sender's names."""
    latest = _latest(ReviewEvent.Kind.SENT_BACK)
    return drafts.annotate(
        sent_back_at=Subquery(latest.values("created_at")[:1]),
        sent_back_note=Subquery(latest.values("note")[:1]),
        sent_back_first_name=Subquery(latest.values("actor__first_name")[:1]),
        sent_back_last_name=Subquery(latest.values("actor__last_name")[:1]),
        sent_back_username=Subquery(latest.values("actor__username")[:1]),
    )


@dataclass(frozen=True)
class SentBack:
    """An editor's send-back note still to act on."""

    at: object
    note: str
    by: str


def desk_for(user):
    """The desk of ``user``: editors follow the whole newsroom, authors their own stories."""
    now = timezone.now()
    can_publish = user.has_perm("articles.publish_article")
    viewable = Article.objects.viewable_by(user)
    # What each list follows: the newsroom's output for editors, one's own for authors.
    followed = viewable if can_publish else viewable.own_by(user)
    own = Article.objects.own_by(user)
    Status = Article.Status

    drafts = own.filter(status=Status.DRAFT).order_by("-updated_at", "-id")
    in_review = (
        _listed(followed.filter(status=Status.REVIEW))
        .annotate(waiting_since=Coalesce("submitted_at", "updated_at"))
        .order_by("waiting_since", "id")
    )
    scheduled = followed.scheduled().order_by("published_at", "id")
    published = followed.filter(published_q()).order_by("-published_at", "-id")
    corrected = followed.filter(published_q(), corrected_at__isnull=False).order_by(
        "-corrected_at", "-id"
    )
    desk = Desk(
        can_publish=can_publish,
        drafts=list(_with_send_back(_listed(drafts))[:SHOWN]),
        in_review=list(in_review[: REVIEW_QUEUE_SHOWN if can_publish else SHOWN]),
        scheduled=list(_listed(scheduled)[:SHOWN]),
        published=list(_listed(published)[:SHOWN]),
        corrected=list(_listed(corrected)[:SHOWN]),
    )
    # Filtered first: the counts read the rows waiting, not the whole archive.
    is_scheduled = Q(status=Status.PUBLISHED, published_at__gt=now)
    desk.counts = followed.filter(Q(status=Status.REVIEW) | is_scheduled).aggregate(
        in_review=Count("pk", filter=Q(status=Status.REVIEW)),
        scheduled=Count("pk", filter=is_scheduled),
    )
    desk.counts["drafts"] = drafts.count()
    _prefetch_details(desk, now)
    return desk


def _prefetch_details(desk, now):
    """Bylines of every listed story in one query for all the lists; notes still to act on."""
    articles = [*desk.drafts, *desk.in_review, *desk.scheduled, *desk.published, *desk.corrected]
    bylines = ArticleAuthor.objects.select_related("author").order_by("position", "id")
    prefetch_related_objects(articles, Prefetch("bylines", queryset=bylines))
    for article in articles:
        article.sent_back = None
    for article in desk.drafts:
        # A send-back still to act on: none since the story's latest submission.
        at = article.sent_back_at
        if at and not (article.submitted_at and article.submitted_at > at):
            name = f"{article.sent_back_first_name or ''} {article.sent_back_last_name or ''}"
            article.sent_back = SentBack(
                at=at, note=article.sent_back_note, by=name.strip() or article.sent_back_username
            )
    today = timezone.localdate(now)
    for article in desk.scheduled:
        article.goes_out_today = timezone.localdate(article.published_at) == today
