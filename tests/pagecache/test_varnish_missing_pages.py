"""Varnish for real in front of the site: the 404 at the address of a story not published yet,
or withdrawn for a while, is not kept, so the story shows through Varnish once it is out."""

import json
import time

from tests.pagecache.test_varnish import _run_worker, site  # noqa: F401 (the fixture)
from tests.services import http, manage

SCHEDULE = """
import json
from datetime import timedelta
from django.utils import timezone
from articles.models import Category
from tests.factories import ArticleFactory
story = ArticleFactory(
    category=Category.objects.get(slug="monde"), title="Le scoop de midi", slug="le-scoop",
    authors=[],
    published_at=timezone.now() + timedelta(seconds=10),
)
print(json.dumps({"url": story.get_absolute_url(), "at": story.published_at.timestamp()}))
"""
SET_STATUS = """
from articles.models import Article
article = Article.objects.get(slug="deja-en-ligne")
article.status = Article.Status.{status}
article.save()
"""


def test_a_scheduled_story_shows_through_varnish_once_it_is_out(site):  # noqa: F811
    env, front = site
    scheduled = json.loads(manage(env, "shell", "-c", SCHEDULE).strip().splitlines()[-1])
    address = front + scheduled["url"]
    answers = [http(address) for _ in range(2)]
    assert [status for status, _headers, _body in answers] == [404, 404]
    assert answers[1][1]["X-Cache"] == "MISS"  # not kept

    time.sleep(max(scheduled["at"] - time.time(), 0))
    _run_worker(env)  # the purges due at its publication time

    status, _headers, page = http(address)
    assert status == 200 and "Le scoop de midi" in page


def test_a_story_withdrawn_then_restored_shows_through_varnish_again(site):  # noqa: F811
    env, front = site
    address = f"{front}/monde/deja-en-ligne-1/"
    assert http(address)[0] == 200
    manage(env, "shell", "-c", SET_STATUS.format(status="DRAFT"))
    _run_worker(env)
    assert [http(address)[0] for _ in range(2)] == [404, 404]

    manage(env, "shell", "-c", SET_STATUS.format(status="PUBLISHED"))
    _run_worker(env)

    status, _headers, page = http(address)
    assert status == 200 and "Déjà en ligne" in page
