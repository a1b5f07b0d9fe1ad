"""nginx's cache purged by address, for real: a live story's fragment of entries leaves the
cache when an entry is deleted and when the story stops being a live story (its fragment then
answers 404, which nginx must not keep serving as the old entries)."""

from tests.pagecache.test_nginx_purge import site  # noqa: F401 (the fixture)
from tests.pagecache.test_varnish import LIVE, _run_worker
from tests.services import http, manage

DELETE_LATEST = """
from articles.models import LiveEntry
LiveEntry.objects.filter(article__slug="deja-en-ligne").latest().delete()
"""
NOT_LIVE = """
from articles.models import Article
article = Article.objects.get(slug="deja-en-ligne")
article.live_status = Article.LiveStatus.NONE
article.save()
"""


def _kept(address):
    http(address)
    status, headers, page = http(address)
    assert (status, headers["X-Cache"]) == (200, "HIT")
    return page


def test_the_fragment_is_purged_when_an_entry_goes_and_when_the_story_is_no_longer_live(
    site,  # noqa: F811
):
    env, front = site
    fragment = f"{front}/direct/1/entrees/"
    manage(env, "shell", "-c", LIVE.format(text="Première entrée du direct."))
    manage(env, "shell", "-c", LIVE.format(text="Entrée retirée."))
    _run_worker(env)
    assert "Entrée retirée." in _kept(fragment)

    manage(env, "shell", "-c", DELETE_LATEST)
    _run_worker(env)
    status, headers, page = http(fragment)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert "Entrée retirée." not in page and "Première entrée du direct." in page
    _kept(fragment)

    manage(env, "shell", "-c", NOT_LIVE)
    _run_worker(env)
    status, headers, page = http(fragment)
    assert status == 404 and "Première entrée du direct." not in page
