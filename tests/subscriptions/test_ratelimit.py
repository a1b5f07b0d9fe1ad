"""Rate limits counted in the database when the cache is each process's own (the default)."""

from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.utils import timezone

from newsroom import ratelimit
from newsroom.cache import is_shared
from subscriptions.models import RateLimitWindow

pytestmark = pytest.mark.django_db


def test_with_a_local_memory_cache_hits_are_counted_in_the_database():
    assert not is_shared(caches["default"])
    assert [ratelimit.allow("signup:ip:203.0.113.7", 3, 60) for _hit in range(5)] == [
        True, True, True, False, False,
    ]  # fmt: skip
    window = RateLimitWindow.objects.get(key="signup:ip:203.0.113.7")
    assert window.hits == 5
    assert ratelimit.allow("signup:ip:203.0.113.8", 3, 60)  # another key, its own count
    assert cache.get("ratelimit:signup:ip:203.0.113.7") is None


def test_an_ended_window_starts_again_and_ended_windows_are_deleted():
    for _hit in range(3):
        ratelimit.allow("a", 2, 60)
        ratelimit.allow("b", 2, 60)
    assert not ratelimit.allow("a", 2, 60)
    RateLimitWindow.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert ratelimit.allow("a", 2, 60)
    assert RateLimitWindow.objects.get(key="a").hits == 1
    assert RateLimitWindow.objects.get(key="a").expires_at > timezone.now()
    assert not RateLimitWindow.objects.filter(key="b").exists()  # ended: cleaned up


def test_a_key_longer_than_the_column_is_counted_under_its_digest():
    key = "signup:ip:" + "x" * 300
    assert [ratelimit.allow(key, 1, 60) for _hit in range(2)] == [True, False]
    assert RateLimitWindow.objects.get().key != key
