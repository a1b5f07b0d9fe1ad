"""nginx's cache purged by address (Debian's libnginx-mod-http-cache-purge) in front of the
site under gunicorn: an edit purges the addresses of the pages that show the story."""

import tempfile
from pathlib import Path

import pytest

from tests.pagecache.test_varnish import (
    _run_worker,
    purging_site_env,
    retitle_and_check_only_its_pages_are_purged,
)
from tests.services import app_server, free_port, http, nginx_server

SITE = """
proxy_cache_path {directory}/cache keys_zone=pages:1m;
server {{
    listen 127.0.0.1:{port};
    # The module's own location: "proxy_cache_purge PURGE from …" inside the cached location
    # crashes Debian's nginx 1.22 (its worker dies on signal 11).
    location ~ ^/purge(/.*) {{
        allow 127.0.0.1;
        deny all;
        proxy_cache_purge pages $1$is_args$args;
    }}
    location / {{
        proxy_pass http://127.0.0.1:{app_port};
        proxy_set_header Host 127.0.0.1;
        proxy_cache pages;
        proxy_cache_key $uri$is_args$args;
        # Only visitors without cookies share the cache, so its copies need no Vary (which
        # the purge module cannot purge): the others always reach the site.
        proxy_cache_bypass $http_cookie;
        proxy_no_cache $http_cookie;
        proxy_ignore_headers Vary;
        add_header X-Cache $upstream_cache_status always;
    }}
}}
"""


@pytest.fixture
def site(tmp_path):
    nginx_port = free_port()
    env = purging_site_env(
        tmp_path,
        CDN_PURGE_BACKEND="nginx",
        CDN_PURGE_NGINX_URLS=f"http://127.0.0.1:{nginx_port}/purge",
    )
    with app_server(env) as (base_url, _log), tempfile.TemporaryDirectory() as directory:
        conf = Path(directory, "site.conf")
        conf.write_text(
            SITE.format(directory=directory, port=nginx_port, app_port=base_url.rsplit(":", 1)[1])
        )
        with nginx_server(conf, [nginx_port], modules=["ngx_http_cache_purge_module.so"]):
            _run_worker(env)  # the setup's purges
            yield env, f"http://127.0.0.1:{nginx_port}"


def test_an_edit_purges_the_addresses_of_the_pages_that_show_the_story(site):
    env, front = site
    pages = [f"{front}/", f"{front}/monde/", f"{front}/monde/deja-en-ligne-1/", f"{front}/sport/"]
    for address in pages:
        http(address)
    assert {http(address)[1]["X-Cache"] for address in pages} == {"HIT"}

    retitle_and_check_only_its_pages_are_purged(env, front, pages)
