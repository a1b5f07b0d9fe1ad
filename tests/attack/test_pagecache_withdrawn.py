"""Attack on ``pagecache.pages.withdrawn_at``: "once one is no longer is_visible (or deleted),
the older copy of its page kept at that address ... is replaced by an empty one" — the copy a
reader gets while the database is unreachable. It listens to post_save and post_delete: an
unpublication in bulk (a takedown of several stories from the shell, a script) sends neither,
and the watcher (pagecache/watch.py) starts a new version but empties nothing."""

import pytest
from django.core.cache import cache
from django.test import Client

from articles.models import Article
from pagecache import keys
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _save_as_draft():
    article = Article.objects.get(title="Un récit retiré")
    article.status = Article.Status.DRAFT
    article.save()


WITHDRAWALS = {
    "save() (the control: emptied)": _save_as_draft,
    "unpublished in bulk": lambda: Article.objects.filter(title="Un récit retiré").update(
        status=Article.Status.DRAFT
    ),
    "bulk_update": lambda: Article.objects.bulk_update(
        [
            Article(pk=a.pk, status=Article.Status.DRAFT)
            for a in Article.objects.filter(title="Un récit retiré")
        ],
        ["status"],
    ),
}


@pytest.mark.parametrize("withdraw", WITHDRAWALS)
def test_a_story_withdrawn_in_bulk_leaves_no_copy_to_serve_while_the_database_is_down(
    withdraw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(title="Un récit retiré")
    address = article.get_absolute_url()
    assert Client().get(address).status_code == 200  # kept

    with django_capture_on_commit_callbacks(execute=True):
        WITHDRAWALS[withdraw]()

    kept = cache.get(keys.page(address))
    served_while_down = kept and kept["variants"]
    assert not served_while_down
