"""Default settings (no CACHE_URL: each process has a cache of its own) under two server
processes: the limits on public forms and the admin's sign-in lockouts hold across them."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest

from tests.services import app_server, http, manage, production_env

STAFF = """
from tests.factories import UserFactory
UserFactory(username="claire", is_staff=True)
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    directory = tmp_path_factory.mktemp("shared-limits")
    env = production_env(
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        NEWSLETTER_RATE_PER_IP="3",
        TRUSTED_PROXY_COUNT="1",  # each test counts for a reader address of its own
        ADMIN_LOGIN_FAILURES_PER_ACCOUNT="2",
    )
    env.pop("CACHE_URL", None)  # the default: a local-memory cache in each process
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "shell", "-c", STAFF)
    with app_server(env, workers=2) as (first, _log), app_server(env, workers=2) as (second, _l):
        yield first, second


def _signup(base, email, reader):
    data = {"email": email, "consent": "on", "website": "", "source": "/"}
    headers = {"Origin": base, "X-Forwarded-For": reader}
    return http(f"{base}/newsletter/", "POST", data, headers=headers)[0]


def _failed_sign_in(base, attempt):
    _status, headers, body = http(f"{base}/admin/login/")
    cookie = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    data = {"username": "claire", "password": f"wrong-{attempt}", "csrfmiddlewaretoken": token}
    return http(f"{base}/admin/login/", "POST", data, headers={"Cookie": f"csrftoken={cookie}"})[0]


def test_the_signup_limit_per_client_ip_holds_across_server_processes(servers):
    reader = "203.0.113.1"
    statuses = [_signup(servers[n % 2], f"lecteur-{n}@exemple.fr", reader) for n in range(6)]

    assert statuses == [302, 302, 302, 429, 429, 429]


def test_signups_sent_at_once_to_both_servers_are_each_counted_once(servers):
    reader, attempts = "203.0.113.2", 16
    start = threading.Barrier(attempts)

    def signup(n):
        start.wait()
        return _signup(servers[n % 2], f"ensemble-{n}@exemple.fr", reader)

    with ThreadPoolExecutor(attempts) as pool:
        statuses = list(pool.map(signup, range(attempts)))

    assert sorted(statuses) == [302] * 3 + [429] * (attempts - 3)


def test_an_admin_lockout_holds_across_server_processes(servers):
    first, second = servers
    assert _failed_sign_in(first, 1) == 200
    assert _failed_sign_in(second, 2) == 429  # the second failure, on the other process
    assert _failed_sign_in(first, 3) == 429
