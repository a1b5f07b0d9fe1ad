"""The worker's memory of large values (pagecache/parts.py): its budget is what they take."""

import gc
import tracemalloc

import pytest
from django.test import Client
from django.urls import reverse

from pagecache import parts
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

BUDGET = 400_000


def memory_held_by_large_values():
    """The bytes freed when the worker lets its large values go: what they held."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    parts.MEMORY.large.clear()
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


def test_a_crawler_fills_the_worker_with_no_more_than_its_budget(monkeypatch):
    monkeypatch.setattr(parts, "WORKER_MEMORY_LARGE_BYTES", BUDGET)
    section = CategoryFactory(slug="monde")
    # French text as editors write it: typographic apostrophes, now and then an emoji.
    body = "<p>Le conseil municipal s’est réuni mardi soir, et le budget est voté 🎉.</p>" * 60
    articles = ArticleFactory.create_batch(200, category=section, body=body)
    crawler = Client()
    tracemalloc.start()
    try:
        for number in range(1, 11):
            assert (
                crawler.get(
                    reverse("articles:category", args=["monde"]), {"page": number}
                ).status_code
                == 200
            )
        for article in articles[:60]:
            assert crawler.get(article.get_absolute_url()).status_code == 200
        assert crawler.get(reverse("articles:category", args=["monde"])).status_code == 200
        assert parts.MEMORY.large_bytes <= BUDGET
        kept = list(parts.MEMORY.large)
        held = memory_held_by_large_values()
    finally:
        tracemalloc.stop()

    # Its pickled size said a fifth of it: the worker held four times its budget.
    assert held <= BUDGET * 1.25, held
    assert [key for key in kept if key.startswith("article-page:")]  # still kept, within it
    assert f"section-{section.pk}:stories:1" in kept
