"""The purge location deploy/README.md gives for ``CDN_PURGE_BACKEND=nginx`` must reach the very
copies the reference site file (deploy/nginx/newsroom.conf) keeps: the cache_purge module
purges the entry whose key it computes, and pagecache/purge.py takes its 404 ("not in the
cache") for a success. A key computed otherwise purges nothing, silently."""

import re

from tests.services import NGINX_SITE, REPO_ROOT

README = REPO_ROOT / "deploy" / "README.md"
PAGE = "/europe/lotan-se-reunit-12/"


def _evaluate(template, variables):
    return re.sub(r"\$(\w+)", lambda found: variables[found[1]], template)


def test_the_documented_purge_location_computes_the_key_the_site_file_keeps_pages_under():
    [cache_key] = re.findall(r"^\s*proxy_cache_key\s+([^;]+);", NGINX_SITE.read_text(), re.M)
    [purge_key] = re.findall(r"proxy_cache_purge\s+newsroom\s+([^;]+);", README.read_text())
    # A reader's GET of the page, through the HTTPS server block.
    kept = _evaluate(
        cache_key,
        {
            "scheme": "https",
            "host": "www.example.fr",
            "request_uri": PAGE,
            "uri": PAGE,
            "is_args": "",
            "args": "",
        },
    )
    # pagecache.purge.Nginx's PURGE of http://127.0.0.1/purge<page>, caught by
    # `location ~ ^/purge(/.*)`.
    purged = _evaluate(
        purge_key.replace("$1", PAGE),
        {
            "scheme": "http",
            "host": "127.0.0.1",
            "request_uri": f"/purge{PAGE}",
            "uri": f"/purge{PAGE}",
            "is_args": "",
            "args": "",
        },
    )
    assert purged == kept
