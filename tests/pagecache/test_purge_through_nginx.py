"""Varnish behind nginx, as deploy/README.md lays it out: Varnish sees nginx's address,
loopback, for every reader, and takes purges from loopback; nginx lets no PURGE through."""

import ssl
from http.client import HTTPSConnection

from tests.pagecache.test_varnish import varnish
from tests.services import NGINX_SITE, free_port, local_site, nginx_server, render


def _https(port, method, path, headers):
    connection = HTTPSConnection(
        "127.0.0.1", port, timeout=30, context=ssl._create_unverified_context()
    )
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def test_a_reader_on_the_internet_cannot_purge_varnish_through_nginx(tmp_path):
    varnish_port, http_port, https_port = free_port(), free_port(), free_port()
    (tmp_path / "media").mkdir()
    with varnish(varnish_port, free_port()):
        conf = tmp_path / "newsroom.conf"
        conf.write_text(
            render(
                NGINX_SITE.read_text(),
                local_site(
                    tmp_path,
                    http_port=http_port,
                    https_port=https_port,
                    upstream=f"127.0.0.1:{varnish_port}",
                    media=tmp_path / "media",
                ),
            )
        )
        with nginx_server(conf, [http_port, https_port]):
            # Anyone may send this to the public site: "site" is the key of every page.
            status, body = _https(https_port, "PURGE", "/", {"xkey-purge": "site"})
    assert status in (403, 405), (status, body)
