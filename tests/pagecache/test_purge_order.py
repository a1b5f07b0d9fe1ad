"""nginx's cache in front of Varnish (CDN_PURGE_BACKEND=nginx,varnish): the cache nearest
the site is purged first, so a reader between two purges never puts an old copy back."""

import pytest

from pagecache import purge
from tests.pagecache.test_purge import CDN, _queue

pytestmark = pytest.mark.django_db


def test_the_cache_nearer_the_site_is_purged_before_the_one_in_front_of_it(settings):
    with CDN() as both:  # one server answering for nginx's purge location and for Varnish
        settings.CDN_PURGE_BACKEND = "nginx,varnish"  # the setting deploy/README.md gives
        settings.CDN_PURGE_NGINX_URLS = [f"{both.url}/purge"]
        settings.CDN_PURGE_VARNISH_URLS = [both.url]
        _queue(["home"])
        purge.run_due()
    order = [
        "varnish" if "xkey-purge" in headers else "nginx" for _m, _p, headers, _b in both.requests
    ]
    assert order and order.index("varnish") < order.index("nginx"), order
