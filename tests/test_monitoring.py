"""Errors reach Sentry when SENTRY_DSN is set, without the reader's cookies or address.

A local HTTP server stands for Sentry's ingest; the site runs in a process of its own with
production settings and sentry-sdk (tests/sentry_urls.py adds a view that fails).
"""

import gzip
import json
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsroom.monitoring import before_send
from tests.services import REPO_ROOT, free_port, production_env
from tests.test_logs import MANGLED_LINKS

# The site's WSGI application (as gunicorn runs it), on the test's URLs, asked one request.
FAIL = """
import threading
from http.client import HTTPConnection
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django
django.setup()
import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.test import override_settings

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(ROOT_URLCONF="tests.sentry_urls", STORAGES={"staticfiles": storage}):
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connection = HTTPConnection("127.0.0.1", server.server_port, timeout=30)
    connection.request(
        "POST",
        "/panne/signed-token-secret/?email=jean.dupont%40exemple.fr",
        body="email=paul.martin%40exemple.fr",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "sessionid=session-secret-cookie; csrftoken=CsrfSecretCookie0123456789abcdef",
        },
    )
    print(connection.getresponse().status)
    server.shutdown()
sentry_sdk.flush(timeout=10)
"""


class Ingest(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append((self.path, body.decode()))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_ingest():
    Ingest.received = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Ingest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], Ingest.received
    finally:
        server.shutdown()
        server.server_close()


def _run(env, script=FAIL):
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _events(received):
    """The event items of the envelopes received."""
    events = []
    for _path, envelope in received:
        lines = envelope.splitlines()
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_error_reaches_sentry_without_cookies_addresses_or_tokens(sentry_ingest, tmp_path):
    port, received = sentry_ingest
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
        SENTRY_ENVIRONMENT="recette",
        SENTRY_RELEASE="newsroom@1.2.3",
    )

    assert _run(env) == "500"

    assert received, "no envelope reached the ingest"
    assert all(path == "/api/1/envelope/" for path, _envelope in received)
    (event,) = _events(received)
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "NewsletterExploded"
    assert event["environment"] == "recette"
    assert event["release"] == "newsroom@1.2.3"
    assert event["request"]["method"] == "POST"
    assert "/panne/" in event["request"]["url"]
    everything = "\n".join(envelope for _path, envelope in received)
    for secret in (
        "session-secret-cookie",
        "CsrfSecretCookie",
        "signed-token-secret",
        "marie.curie@exemple.fr",
        "jean.dupont",
        "paul.martin",
        "exemple.fr",
    ):
        assert secret not in everything, secret


def test_an_error_reaches_sentry_without_the_token_of_the_referring_sign_in_link(
    sentry_ingest, tmp_path
):
    """A reader who posts from a sign-in link's page sends that link as Referer."""
    port, received = sentry_ingest
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
    )
    link = "https://www.example.fr/compte/connexion/eyJ1IjoxfQ:1vAbCd:referer-secret/"
    script = FAIL.replace("headers={", f'headers={{"Referer": "{link}",', 1)
    assert script != FAIL

    assert _run(env, script) == "500"

    everything = "\n".join(envelope for _path, envelope in received)
    assert "/panne/" in everything  # the event did arrive
    assert "/compte/connexion/" in everything  # with its Referer
    assert "referer-secret" not in everything


@pytest.mark.parametrize("url", MANGLED_LINKS)
def test_a_mangled_sign_in_link_leaves_its_token_out_of_a_sentry_event(url):
    event = {"request": {"url": f"https://www.example.fr{url}"}, "release": "r"}

    assert "secret-signature" not in before_send(event, {})["request"]["url"]
