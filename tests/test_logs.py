"""Request ids, and the JSON line logged for each request with LOG_FORMAT=json."""

import io
import json
import logging
import socket
import time
from pathlib import Path

import pytest
from django.test import Client

from newsroom.logs import HideSecrets, JsonFormatter
from tests.services import app_server, http, manage, production_env

pytestmark = pytest.mark.django_db

SIGN_IN_LINK = "/compte/connexion/eyJ1IjoxfQ:1vAbCd:secret-signature/"
# What mail clients and readers make of a link: a closing parenthesis or a full stop glued to
# it, a doubled slash. The request is a 404, but the token in it is intact and valid.
MANGLED_LINKS = [
    SIGN_IN_LINK + ")",
    SIGN_IN_LINK + ".",
    SIGN_IN_LINK + "/",
    "/newsletter/desinscription/eyJ1IjoxfQ:1vAbCd:secret-signature/%3E",
]


def _request_lines(caplog):
    return [record for record in caplog.records if record.name == "newsroom.requests"]


def test_a_sane_request_id_from_the_proxy_is_kept_and_sent_back(caplog):
    caplog.set_level(logging.INFO, logger="newsroom.requests")

    response = Client().get("/sante/", HTTP_X_REQUEST_ID="a1b2c3-proxy.42")

    assert response["X-Request-ID"] == "a1b2c3-proxy.42"
    assert _request_lines(caplog)[-1].request_id == "a1b2c3-proxy.42"


@pytest.mark.parametrize("given", ["", "with space", "x" * 200, "<script>", "a\u00e9b"])
def test_any_other_request_id_is_replaced_by_a_new_one(given):
    response = Client().get("/sante/", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32
    assert Client().get("/sante/")["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.parametrize(
    "url", [SIGN_IN_LINK + "?next=/compte/", SIGN_IN_LINK.rstrip("/"), "/newsletter/confirmer/tok/"]
)
def test_the_logged_path_holds_neither_the_query_string_nor_a_signed_token(caplog, url):
    caplog.set_level(logging.INFO, logger="newsroom.requests")

    Client(raise_request_exception=False).get(url)

    (line,) = _request_lines(caplog)
    assert "secret-signature" not in line.path
    assert "tok/" not in line.path
    assert "?" not in line.path
    assert line.path.endswith(("…/", "…"))
    assert "secret-signature" not in line.getMessage()


@pytest.mark.parametrize("url", MANGLED_LINKS)
def test_a_mangled_sign_in_link_leaves_its_token_in_no_log_record(caplog, url):
    caplog.set_level(logging.INFO)

    Client(raise_request_exception=False).get(url)

    logged = [record.getMessage() for record in caplog.records]
    logged += [getattr(record, "path", "") for record in caplog.records]
    assert caplog.records
    assert not [line for line in logged if "secret-signature" in line]


@pytest.fixture(scope="module")
def json_site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("json-logs")
    env = production_env(DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}", LOG_FORMAT="json")
    env.pop("CACHE_URL", None)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    with app_server(env, workers=1) as (base_url, log):
        yield base_url, log


def _json_lines(log, count):
    """The JSON lines of the server's log, once ``count`` request lines are there."""
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in Path(log).read_text().splitlines() if line[:1] == "{"]
        requests = [line for line in lines if line["logger"] == "newsroom.requests"]
        if len(requests) >= count or time.monotonic() > deadline:
            return requests
        time.sleep(0.1)


def test_with_log_format_json_each_request_is_one_json_line_on_stdout(json_site):
    base, log = json_site
    status, headers, _body = http(f"{base}/sante/?jeton=abc", headers={"X-Request-ID": "lb-7"})
    assert status == 200
    assert headers["X-Request-ID"] == "lb-7"
    status, headers, _body = http(f"{base}/introuvable/page/")
    assert status == 404
    generated = headers["X-Request-ID"]
    http(f"{base}{SIGN_IN_LINK}")

    health, missing, link = _json_lines(log, 3)

    assert health["request_id"] == "lb-7"
    assert health["method"] == "GET"
    assert health["path"] == "/sante/"
    assert health["status"] == 200
    assert health["client_ip"] == "127.0.0.1"
    assert isinstance(health["duration_ms"], float)
    assert health["cache"] is None  # not a page of the page cache
    assert health["timestamp"].endswith("+00:00")
    assert missing["request_id"] == generated
    assert missing["status"] == 404
    assert missing["path"] == "/introuvable/page/"
    assert "secret-signature" not in json.dumps(link)
    assert "secret-signature" not in Path(log).read_text()


def test_a_record_logged_while_answering_a_request_carries_its_id(settings):
    settings.ROOT_URLCONF = "tests.sentry_urls"  # a view that fails
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(HideSecrets())
    logging.getLogger("django.request").addHandler(handler)
    try:
        response = Client(raise_request_exception=False).post(
            "/panne/signed-token-secret/", HTTP_X_REQUEST_ID="req-500"
        )
    finally:
        logging.getLogger("django.request").removeHandler(handler)

    assert response.status_code == 500
    (line,) = [json.loads(text) for text in written.getvalue().splitlines()]
    assert line["level"] == "ERROR"
    assert line["request_id"] == "req-500"
    assert "NewsletterExploded" in line["exception"]
    assert "signed-token-secret" not in line["message"]


def test_the_development_servers_request_lines_pass_with_their_tokens_hidden():
    # runserver's own records (logger django.server) carry the connection's socket as
    # ``request``, not an HttpRequest: `make run` printed a traceback for every request.
    record = logging.makeLogRecord(
        {
            "name": "django.server",
            "msg": '"%s" %s %s',
            "args": (f"GET {SIGN_IN_LINK} HTTP/1.1", "302", "0"),
            "request": socket.socket(),
        }
    )
    try:
        assert HideSecrets().filter(record) is True
    finally:
        record.request.close()

    assert "secret-signature" not in record.getMessage()
    assert record.getMessage().startswith('"GET /compte/connexion/')
