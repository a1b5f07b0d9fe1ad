"""A save or deletion that raises, outside a request (a management command, the shell), must
not leave the purge bookkeeping believing a save is still under way: later writes in that
process still queue their purges."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article
from pagecache.models import PendingPurge
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _pending():
    return set(PendingPurge.objects.values_list("key", flat=True))


@pytest.fixture
def story(settings):
    settings.CDN_PURGE_BACKEND = "fastly"
    story = ArticleFactory()
    PendingPurge.objects.all().delete()
    return story


def _failed_save(story):
    story.published_at = "pas une date"
    with pytest.raises(ValidationError), transaction.atomic():
        story.save()  # raises between pre_save and post_save
    story.refresh_from_db()


def test_a_bulk_update_after_a_failed_save_still_purges_every_page(story):
    _failed_save(story)

    Article.objects.filter(pk=story.pk).update(title="En bloc")

    assert "site" in _pending()


def test_a_save_after_a_failed_save_purges_its_story(story):
    _failed_save(story)

    story.title = "Corrigé"
    story.save()
    Article.objects.filter(pk=story.pk).update(title="Puis en bloc")

    assert {f"article-{story.pk}", "site"} <= _pending()


def test_a_bulk_update_in_a_receiver_of_a_save_still_purges_every_page(story):
    # Writes made by another receiver while a declared row is being saved are not the save's.
    from django.db.models.signals import post_save

    def receiver(instance, **kwargs):
        Article.objects.exclude(pk=instance.pk).update(title="Par effet de bord")

    other = ArticleFactory()
    PendingPurge.objects.all().delete()
    post_save.connect(receiver, sender=Article, dispatch_uid="test-side-effect")
    try:
        story.save()
    finally:
        post_save.disconnect(sender=Article, dispatch_uid="test-side-effect")
    assert other.pk and "site" in _pending()
