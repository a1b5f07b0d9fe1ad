"""The reference nginx site (deploy/nginx/newsroom.conf) in front of the site under gunicorn:
uploaded pictures and static files served by nginx with their cache headers, pages compressed,
anonymous reader pages kept by nginx's proxy_cache and signed-in visitors never served one, and
the app told the scheme and the reader's address as its settings expect.

nginx runs as the current user from a prefix of its own (tests/services.py), on the very site
file, with only its paths, ports and certificate substituted.
"""

import gzip
import json
import re
import shutil
import ssl
import subprocess
import time
from contextlib import contextmanager
from http.client import HTTPConnection, HTTPSConnection
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

from tests.services import (
    NGINX_SITE,
    REPO_ROOT,
    app_server,
    free_port,
    local_site,
    manage,
    nginx_server,
    production_env,
    render,
    self_signed_certificate,
    throwaway_database,
)

SITE = NGINX_SITE
ADD_IMAGE = "/admin/articles/image/add/"
SEED = """
import json
import re
import shutil
from django.test import Client
from tests.factories import ArticleFactory, ImageFactory, UserFactory
image = ImageFactory()
article = ArticleFactory(title="Le budget est voté", featured_image=image)
staff = Client()
staff.force_login(UserFactory(username="editrice", is_staff=True, is_superuser=True))
print(json.dumps({
    "article": article.get_absolute_url(),
    "original": image.file.url,
    "rendition": image.thumbnail_url(),
    "files": [image.file.name, image.thumbnail_url().removeprefix("/media/")],
    "session": staff.cookies["sessionid"].value,
}))
"""


@pytest.fixture(autouse=True, scope="module")
def nginx_installed():
    # A missing nginx is a failure, never a skip: `.ci/run` installs Debian's nginx.
    if not shutil.which("nginx"):
        pytest.fail("nginx is not installed (apt-get install nginx-light)")


@contextmanager
def serving(directory, **settings):
    """The site under gunicorn with ``settings`` in its environment, behind nginx on this very
    site file; what the requests need to know (ports, paths, what the seed made)."""
    media = directory / "media"
    http_port, https_port = free_port(), free_port()
    with throwaway_database(prefix="deploy_nginx") as database_url:
        env = production_env(
            DATABASE_URL=database_url,
            MEDIA_ROOT=str(media),
            # Through nginx the app sees HTTPS (X-Forwarded-Proto): no redirect loop.
            SECURE_SSL_REDIRECT="true",
            TRUSTED_PROXY_COUNT="1",
            # The browser's origin carries the test's port, which nginx's $host drops.
            CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}",
            **settings,
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        with app_server(env) as (app_url, _log):
            conf = directory / "newsroom.conf"
            conf.write_text(
                render(
                    SITE.read_text(),
                    local_site(
                        directory,
                        http_port=http_port,
                        https_port=https_port,
                        upstream=app_url.removeprefix("http://"),
                        media=media,
                    ),
                )
            )
            with nginx_server(conf, [http_port, https_port]):
                yield {
                    "https": https_port,
                    "http": http_port,
                    "media": media,
                    "database": database_url,
                    "env": env,
                    "directory": directory,
                    **seeded,
                }


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("nginx-site")) as served:
        yield served


def get(site, path, method="GET", body=None, **headers):
    """One HTTPS request to nginx; (status, headers, body as bytes)."""
    connection = HTTPSConnection(
        "127.0.0.1", site["https"], timeout=30, context=ssl._create_unverified_context()
    )
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_uploaded_pictures_are_served_by_nginx_cached_for_good(site):
    for url, name in zip([site["original"], site["rendition"]], site["files"], strict=True):
        status, headers, body = get(site, url)

        assert status == 200, url  # the app itself, DEBUG off, serves no media
        assert body == (site["media"] / name).read_bytes()
        # Never a name given twice (articles/images.py): a name always holds the same picture.
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["Content-Type"] in ("image/jpeg", "image/webp")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "X-Cache-Status" not in headers  # not through the app


def test_hashed_static_files_are_immutable_and_served_precompressed(site):
    manifest = json.loads((REPO_ROOT / "staticfiles" / "staticfiles.json").read_text())
    name = next(hashed for source, hashed in manifest["paths"].items() if source.endswith(".css"))

    status, headers, body = get(site, f"/static/{name}", **{"Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (REPO_ROOT / "staticfiles" / name).read_bytes()


def test_pages_are_gzip_compressed_when_the_browser_asks(site):
    status, headers, body = get(site, site["article"], **{"Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Le budget est voté" in gzip.decompress(body).decode()

    status, headers, body = get(site, site["article"])
    assert "Content-Encoding" not in headers
    assert "Le budget est voté" in body.decode()


def test_anonymous_reader_page_is_kept_by_nginx_and_a_signed_in_visitor_bypasses_it(site):
    path = "/"
    get(site, path)  # kept, if it was not yet
    status, headers, _body = get(site, path)
    assert status == 200
    assert headers["X-Cache-Status"] == "HIT"
    assert "s-maxage=" in headers["Cache-Control"]

    status, headers, _body = get(site, path, Cookie=f"sessionid={site['session']}")
    assert status == 200
    assert headers["X-Cache-Status"] == "BYPASS"
    assert "private" in headers["Cache-Control"]

    # The signed-in visitor's page was not kept in place of the readers' one.
    status, headers, _body = get(site, path)
    assert headers["X-Cache-Status"] == "HIT"
    assert "private" not in headers["Cache-Control"]


def test_staff_pages_are_never_kept(site):
    for _ in range(2):
        status, headers, _body = get(site, "/admin/", Cookie=f"sessionid={site['session']}")
        assert status == 200
        assert headers["X-Cache-Status"] == "BYPASS"
    for _ in range(2):  # signed out: the sign-in page is not kept either
        status, headers, _body = get(site, "/admin/login/")
        assert status == 200
        assert headers["X-Cache-Status"] == "MISS"


def test_plain_http_is_redirected_to_https(site):
    connection = HTTPConnection("127.0.0.1", site["http"], timeout=30)
    try:
        connection.request("GET", site["article"])
        response = connection.getresponse()
    finally:
        connection.close()

    assert response.status == 301
    assert response.headers["Location"] == f"https://127.0.0.1{site['article']}"


def test_site_file_passes_nginx_t_in_debians_main_configuration(tmp_path):
    """The site file as a sysadmin installs it, read by Debian's own nginx.conf: only the
    certificate (certbot's is not there yet), the cache and the log paths are the test's."""
    conf = tmp_path / "newsroom.conf"
    conf.write_text(
        render(
            SITE.read_text(),
            {
                "/var/cache/nginx/newsroom": str(tmp_path / "cache"),
                "/var/log/nginx/": f"{tmp_path}/",
                **self_signed_certificate(tmp_path),
            },
        )
    )
    debian = Path("/etc/nginx/nginx.conf").read_text()
    main = tmp_path / "nginx.conf"
    main.write_text(
        render(
            debian,
            {
                "include /etc/nginx/sites-enabled/*;": f"include {conf};",
                "pid /run/nginx.pid;": f"pid {tmp_path}/nginx.pid;",
            },
        )
    )

    checked = subprocess.run(["nginx", "-t", "-c", str(main)], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_body_limit_lets_the_largest_image_through_and_refuses_more(site, settings):
    limit = re.search(r"client_max_body_size (\d+)m;", SITE.read_text())
    limit_bytes = int(limit.group(1)) * 1024 * 1024
    assert limit_bytes > settings.IMAGE_MAX_UPLOAD_BYTES

    status, _headers, _body = get(site, ADD_IMAGE, "POST", b"x" * (limit_bytes + 1))

    assert status == 413  # refused by nginx, before gunicorn reads it


def test_the_app_counts_the_address_nginx_saw_not_a_forged_one(site):
    status, headers, body = get(site, "/admin/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    csrf_field = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urlencode(
        {"csrfmiddlewaretoken": csrf_field, "username": "intrus", "password": "mauvais"}
    )

    status, _headers, _body = get(
        site,
        "/admin/login/",
        "POST",
        form.encode(),
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Origin": f"https://127.0.0.1:{site['https']}",
            "X-Forwarded-For": "203.0.113.9",  # anyone can send this; nginx appends to it
        },
    )

    assert status == 200  # the form again, with its error
    with psycopg.connect(site["database"]) as db:
        attempts = db.execute(
            "SELECT host(ip_address) FROM axes_accessattempt WHERE username = %s", ["intrus"]
        ).fetchall()
    assert attempts == [("127.0.0.1",)]


def test_visitors_with_other_cookies_share_the_readers_copy_and_personal_ones_bypass_it(site):
    path = "/"
    get(site, path)  # kept, if it was not yet
    for analytics in ("_ga=GA1.1.111.222", "_ga=GA1.1.333.444; consent=oui"):
        status, headers, _body = get(site, path, Cookie=analytics)
        assert status == 200
        assert headers["X-Cache-Status"] == "HIT", analytics  # not one copy per Cookie header

    for personal in ("csrftoken=abcdefabcdefabcdefabcdefabcdefab", "newsroom_meter=1:forged"):
        status, headers, _body = get(site, path, Cookie=f"_ga=GA1.1.1.2; {personal}")
        assert status == 200
        assert headers["X-Cache-Status"] == "BYPASS", personal


def test_a_sign_in_link_leaves_no_token_in_nginx_access_log(site):
    """A sign-in link is a credential (newsroom/logs.py), even mangled by a mail client, and
    the page it opens sends it on as the Referer of whatever it loads."""
    token = "eyJ1IjoxfQ:1vAbCd:secret-signature"
    get(site, f"/compte/connexion/{token}/")
    get(site, f"/compte/connexion/{token}/)?utm_source=lettre")
    get(site, f"/newsletter/desinscription/{token}/")
    get(site, f"/newsletter/confirmer/{token}/")
    get(site, "/", Referer=f"https://www.example.fr/compte/connexion/{token}/")
    time.sleep(0.5)  # nginx writes its log line once the response is sent

    logged = (site["directory"] / "newsroom.access.log").read_text()
    assert "/compte/connexion/" in logged
    assert "/newsletter/confirmer/" in logged
    assert "secret-signature" not in logged


UNPUBLISH = """
from articles.models import Article
article = Article.objects.get(title="Le budget est voté")
article.status = Article.Status.DRAFT
article.save()
"""
STALE_WHILE_REVALIDATE = 30  # pagecache/pages.py
SHARED_MAX_AGE = 2  # seconds: PAGE_CACHE_SHARED_MAX_AGE, short so the test need not wait long


@pytest.fixture(scope="module")
def short_lived_site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("nginx-short-lived")
    with serving(directory, PAGE_CACHE_SHARED_MAX_AGE=str(SHARED_MAX_AGE)) as served:
        yield served


def test_a_withdrawn_story_leaves_nginx_once_its_shared_max_age_has_passed(short_lived_site):
    site, path = short_lived_site, short_lived_site["article"]
    get(site, path)
    assert get(site, path)[1]["X-Cache-Status"] == "HIT"
    manage(site["env"], "shell", "-c", UNPUBLISH)  # withdrawn, say, by a court order

    # Well past s-maxage and stale-while-revalidate, each request asking the app, which says
    # 404: nginx is told the page is gone.
    deadline = time.monotonic() + SHARED_MAX_AGE + STALE_WHILE_REVALIDATE + 2
    while time.monotonic() < deadline:
        get(site, path)
        time.sleep(1)
    answers = []
    for _ in range(6):
        status, headers, body = get(site, path)
        answers.append((status, headers["X-Cache-Status"], "Le budget est voté" in body.decode()))
        time.sleep(0.5)

    assert all(not shown for _status, _cache, shown in answers), answers
