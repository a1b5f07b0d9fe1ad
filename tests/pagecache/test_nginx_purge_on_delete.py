"""nginx's cache purged by address, for real: a story deleted, or moved to another section,
leaves an address that its id no longer names; that address is purged too."""

from tests.pagecache.test_nginx_purge import site  # noqa: F401 (the fixture)
from tests.pagecache.test_varnish import _run_worker
from tests.services import http, manage

DELETE = """
from articles.models import Article
Article.objects.get(slug="deja-en-ligne").delete()
"""
MOVE = """
from articles.models import Article, Category
article = Article.objects.get(slug="le-derby")
article.category = Category.objects.get(slug="monde")
article.save()
"""


def _kept(front, pages):
    for address in pages:
        http(front + address)
    assert {http(front + address)[1]["X-Cache"] for address in pages} == {"HIT"}


def test_a_deleted_story_s_address_and_lists_are_purged(site):  # noqa: F811
    env, front = site
    _kept(front, ["/monde/deja-en-ligne-1/", "/monde/", "/"])

    manage(env, "shell", "-c", DELETE)
    _run_worker(env)

    status, headers, _page = http(front + "/monde/deja-en-ligne-1/")
    assert (status, headers["X-Cache"]) == (404, "MISS")
    for address in ("/monde/", "/"):
        status, _headers, page = http(front + address)
        assert status == 200 and "Déjà en ligne" not in page, address


def test_a_story_moved_to_another_section_leaves_its_old_address_purged(site):  # noqa: F811
    env, front = site
    _kept(front, ["/sport/le-derby-3/"])

    manage(env, "shell", "-c", MOVE)
    _run_worker(env)

    status, headers, _page = http(front + "/sport/le-derby-3/")
    assert status == 301 and headers["Location"] == "/monde/le-derby-3/"
