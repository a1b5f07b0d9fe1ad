"""Composing a newsletter edition, and who may send it to the subscribers."""

from django.db.models import Q

from articles.models import Article
from articles.roles import EDITORS_GROUP
from subscriptions.models import EditionArticle, Subscriber

# Sending to every subscriber is an editor's decision. The rule is kept simple: the change
# permission on editions (granted to this group by migration 0004) *and* membership of the group,
# or a superuser. Authors (Rédacteurs) may neither see nor send editions.
# "Fill from the latest stories" tops the edition up to this many articles.
FILL_LIMIT = 8


def edition_items(edition):
    """The edition's articles that readers may see now, in the editor's order.

    Only these go out: an article still in draft, scheduled or unpublished when the edition is
    sent is left out of it.
    """
    return list(
        EditionArticle.objects.filter(edition=edition, article__in=Article.objects.published())
        .select_related("article__category", "article__featured_image")
        .order_by("position", "id")
    )


def fill_from_latest(edition, limit=FILL_LIMIT):
    """Add the newest published articles of the edition's sections, sub-sections included.

    Articles already in the edition are skipped, and the edition is topped up to ``limit``
    articles; with no section chosen, those of the section the edition is for, else the newest
    of the whole site. Returns the articles added.
    """
    existing = dict(
        EditionArticle.objects.filter(edition=edition).values_list("article_id", "position")
    )
    missing = limit - len(existing)
    if missing <= 0:
        return []
    candidates = Article.objects.published().exclude(pk__in=existing)
    section_ids = list(edition.sections.values_list("pk", flat=True))
    if not section_ids and edition.audience_section_id:  # a section's edition: its stories
        section_ids = [edition.audience_section_id]
    if section_ids:
        candidates = candidates.filter(
            Q(category__in=section_ids) | Q(category__parent__in=section_ids)
        )
    added = list(candidates.order_by("-published_at", "-id")[:missing])
    start = max(existing.values(), default=-1) + 1
    EditionArticle.objects.bulk_create(
        [
            EditionArticle(edition=edition, article=article, position=start + offset)
            for offset, article in enumerate(added)
        ],
        ignore_conflicts=True,  # an editor adding the same article meanwhile is not an error
    )
    return added


def confirmed_subscribers():
    return Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)


def recipients(edition):
    """The confirmed subscribers ``edition`` goes to: all of them for an edition for every
    reader; for a section's edition, those who chose the section and those who chose none
    (everything)."""
    subscribers = confirmed_subscribers()
    if edition.audience_section_id is None:
        return subscribers
    choices = Subscriber.sections.through.objects
    chose_it = choices.filter(category_id=edition.audience_section_id).values("subscriber_id")
    chose_some = choices.values("subscriber_id")
    return subscribers.filter(Q(pk__in=chose_it) | ~Q(pk__in=chose_some))


def can_send(user):
    """Whether ``user`` may send editions to the subscribers (see EDITORS_GROUP)."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.has_perm("subscriptions.change_newsletteredition") and (
        user.groups.filter(name=EDITORS_GROUP).exists()
    )
