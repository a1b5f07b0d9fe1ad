"""Read replicas (newsroom/routers.py), against a real PostgreSQL streaming replica.

The site runs under gunicorn with production settings, its primary and its replica two
clusters the module starts on free ports (tests/services.py): whatever database the suite runs
on, and never touching the shared server. A replica whose replay is paused is a replica that
lags: what is written meanwhile is on the primary alone, which tells which server a page read.
Search results are never kept by the page cache: each search is read from the database.
"""

import json
import os
import signal
import time
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve

from articles.models import Article
from newsroom import routers
from tests.services import (
    app_server,
    http,
    manage,
    postgres_replica,
    production_env,
    redis_server,
)

SEED = """
import json
from django.test import Client
from tests.factories import ArticleFactory, CategoryFactory, UserFactory
ArticleFactory(category=CategoryFactory(name="Monde", slug="monde"), title="Le sommet s’ouvre")
staff = Client()
staff.force_login(UserFactory(username="editrice", is_staff=True, is_superuser=True))
print(json.dumps({"session": staff.cookies["sessionid"].value}))
"""
# Each shell is a new process, its factories' sequences anew: the author is the seed's.
PUBLISH = """
from articles.models import Article
from tests.factories import ArticleFactory
seeded = Article.objects.first()
ArticleFactory(category=seeded.category, title="{title}", authors=list(seeded.authors.all()))
"""
NEW_SECTION = """
from tests.factories import CategoryFactory
CategoryFactory(name="{name}", slug="{slug}")
"""


@pytest.fixture(scope="module")
def site():
    with postgres_replica() as clusters, redis_server() as redis:
        env = production_env(
            DATABASE_URL=clusters.primary_url,
            DATABASE_REPLICA_URLS=clusters.replica_url,
            DATABASE_REPLICA_RETRY_AFTER="1",
            CACHE_URL=redis.url,  # one page cache for every process, as in production
            # The tests poll the search from one address until a replica catches up: on a slow
            # machine that is more than a reader's 30 a minute. The limit is tested elsewhere.
            SEARCH_RATE_PER_IP="100000",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        with app_server(env) as (base_url, log):
            yield {"env": env, "base": base_url, "clusters": clusters, "log": log, **seeded}


@pytest.fixture
def replica(site):
    """The replica, caught up with the primary; replaying and running again after the test."""
    clusters = site["clusters"]
    _until(clusters.caught_up)
    yield clusters
    if not (clusters.directory / "replica" / "postmaster.pid").exists():
        clusters.start_replica()
    clusters.resume_replay()


def _get(site, path, cookies=None):
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    status, _headers, body = http(site["base"] + path, headers=headers if cookies else None)
    assert status == 200, (path, status)
    return body


def _found(site, word, cookies=None):
    """Whether a reader's search finds the story titled with ``word``."""
    return f"Le {word} " in _get(site, f"/recherche/?q={word}", cookies)


def _publish(site, word):
    manage(site["env"], "shell", "-c", PUBLISH.format(title=f"Le {word} fait la une"))


def _until(check, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never came true"
        time.sleep(0.2)


def test_reader_pages_read_the_replica_and_the_admin_the_primary(site, replica):
    replica.pause_replay()
    _publish(site, "Zanzibar")  # on the primary alone while the replica lags
    staff = {"sessionid": site["session"]}

    for _worker in range(4):
        assert not _found(site, "Zanzibar")
    admin = _get(site, "/admin/articles/article/?q=Zanzibar", staff)
    assert "Le Zanzibar fait la une" in admin

    replica.resume_replay()
    _until(lambda: _found(site, "Zanzibar"))


def test_signed_in_staff_read_the_primary_on_reader_pages(site, replica):
    replica.pause_replay()
    _publish(site, "Kamtchatka")

    assert _found(site, "Kamtchatka", {"sessionid": site["session"]})
    assert not _found(site, "Kamtchatka")


def test_signup_reads_the_primary_and_the_visitor_then_reads_their_own_writes(site, replica):
    replica.pause_replay()
    manage(site["env"], "shell", "-c", NEW_SECTION.format(name="Astronomie", slug="astronomie"))
    _publish(site, "Tombouctou")

    assert "Astronomie" in _get(site, "/newsletter/")  # the form's sections, from the primary
    status, headers, _body = http(
        site["base"] + "/newsletter/",
        "POST",
        {"email": "lectrice@exemple.fr", "consent": "on", "website": "", "source": "/"},
        headers={"Origin": site["base"]},
    )
    assert status == 302  # written on the primary: a replica refuses any write
    pin = headers["Set-Cookie"].split(";")[0].split("=", 1)
    assert pin[0] == routers.PIN_COOKIE

    assert _found(site, "Tombouctou", dict([pin]))  # the same visitor, right after: the primary
    assert not _found(site, "Tombouctou")  # anybody else: the replica
    assert not _found(site, "Tombouctou", {routers.PIN_COOKIE: "1:forged:signature"})


def test_replica_stopped_reads_fall_back_to_the_primary_then_return(site, replica):
    for _worker in range(4):
        assert _found(site, "sommet")  # each worker keeps a connection to the replica
    replica.stop_replica()
    _publish(site, "Ouagadougou")

    for _request in range(6):
        assert _found(site, "Ouagadougou")  # 200, from the primary: no 500, no 503
    log = Path(site["log"]).read_text()
    assert "Traceback" not in log
    assert "Database replica1 is unreachable" in log

    replica.start_replica()
    _until(replica.caught_up)
    replica.pause_replay()
    _publish(site, "Valparaiso")
    # Once the replica has been left alone for DATABASE_REPLICA_RETRY_AFTER, it reads again.
    _until(lambda: not _found(site, "Valparaiso"))


def _cluster_processes(clusters, cluster):
    """The postmaster of ``cluster`` and its children (the backends serving the site)."""
    postmaster = int((clusters.directory / cluster / "postmaster.pid").read_text().split()[0])
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        if int(fields.get("PPid", "0").strip()) == postmaster:
            children.append(int(status.parent.name))
    return [postmaster, *children]


def test_a_replica_that_stops_answering_sends_readers_to_the_primary(site, replica):
    """A hung server (or one behind a network that drops packets) neither refuses nor answers:
    the check of a kept connection gives up within DATABASE_CONNECT_TIMEOUT."""
    for _worker in range(4):
        assert _found(site, "sommet")  # each worker keeps a connection to the replica
    hung = _cluster_processes(replica, "replica")
    for pid in hung:
        os.kill(pid, signal.SIGSTOP)
    try:
        _publish(site, "Tananarive")  # on the primary alone, the replica stopped
        answers = []
        for _request in range(2):
            try:
                answers.append(_found(site, "Tananarive"))
            except OSError as error:  # the worker killed, or the client's 30 s wait over
                answers.append(repr(error))
    finally:
        for pid in hung:
            os.kill(pid, signal.SIGCONT)

    assert answers == [True, True]
    assert "Database replica1 is unreachable" in Path(site["log"]).read_text()


def test_a_page_built_while_the_replica_lags_is_never_kept_stale(site, replica):
    for _worker in range(4):
        assert "Le sommet s’ouvre" in _get(site, "/monde/")  # kept by the page cache
    replica.pause_replay()
    _publish(site, "Reykjavik")
    time.sleep(1.1)  # each worker re-reads the content version within a second
    for _worker in range(4):
        assert "Le Reykjavik " not in _get(site, "/monde/")  # the replica lags: an older page

    replica.resume_replay()
    _until(replica.caught_up)
    _until(lambda: "Le Reykjavik " in _get(site, "/monde/"), timeout=10)


# The router's rules, in this process: no request, no replica.


def test_outside_requests_reads_and_migrations_go_to_the_primary():
    router = routers.ReplicaRouter()
    assert router.db_for_read(Article) == "default"
    assert router.db_for_write(Article) == "default"
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica1", "articles")


@override_settings(DATABASE_PRIMARY_AFTER_WRITE=10)
def test_the_cookie_of_a_recent_write_pins_only_while_it_is_young_and_signed(time_machine):
    time_machine.move_to(time.time(), tick=False)
    cookie = routers.signing.TimestampSigner(salt=routers.PIN_SALT).sign("1")
    request = RequestFactory().get("/", headers={"Cookie": f"{routers.PIN_COOKIE}={cookie}"})
    assert routers._pinned(request)
    time_machine.shift(11)
    assert not routers._pinned(request)
    forged = RequestFactory().get("/", headers={"Cookie": f"{routers.PIN_COOKIE}=1:x:y"})
    assert not routers._pinned(forged)


def _reader_page_on(monkeypatch, *, replica_answers_again):
    """A reader page through ReplicaMiddleware whose replica fails halfway (the 503 page):
    the servers it read from, and the response."""
    read_from = []

    def view(request):
        middleware.process_view(request, None, (), {})
        read_from.append(routers.reading_from())
        return HttpResponse(status=503 if read_from[-1] == "replica1" else 200)

    monkeypatch.setattr(routers, "_answers", lambda alias: True)  # up when the request began
    monkeypatch.setattr(routers, "_answers_again", lambda alias: replica_answers_again)
    middleware = routers.ReplicaMiddleware(view)
    request = RequestFactory().get("/")
    request.resolver_match = resolve("/")
    return read_from, middleware(request)


@override_settings(DATABASE_REPLICAS=["replica1"])
def test_a_reader_page_whose_replica_went_away_halfway_is_answered_from_the_primary(
    monkeypatch,
):
    read_from, response = _reader_page_on(monkeypatch, replica_answers_again=False)

    assert read_from == ["replica1", "default"]
    assert response.status_code == 200


@override_settings(DATABASE_REPLICAS=["replica1"])
def test_a_503_page_with_the_replica_still_up_is_not_asked_again(monkeypatch):
    read_from, response = _reader_page_on(monkeypatch, replica_answers_again=True)

    assert read_from == ["replica1"]
    assert response.status_code == 503
