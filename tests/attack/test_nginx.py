"""Attacks on the reference nginx site (deploy/nginx/newsroom.conf) in front of gunicorn."""

import json
import time

import pytest

from tests.deploy.test_nginx import SITE, get, nginx_installed, render, self_signed_certificate
from tests.services import (
    REPO_ROOT,
    app_server,
    free_port,
    manage,
    nginx_server,
    production_env,
    throwaway_database,
)

__all__ = ["nginx_installed"]

SEED = """
import json
from tests.factories import ArticleFactory
print(json.dumps({"article": ArticleFactory(title="Un récit retiré").get_absolute_url()}))
"""
UNPUBLISH = """
from articles.models import Article
article = Article.objects.get(title="Un récit retiré")
article.status = Article.Status.DRAFT
article.save()
"""
STALE_WHILE_REVALIDATE = 30  # pagecache/pages.py
SHARED_MAX_AGE = 2  # seconds: PAGE_CACHE_SHARED_MAX_AGE, short so the test need not wait long


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("attack-nginx")
    http_port, https_port = free_port(), free_port()
    with throwaway_database(prefix="attack_nginx") as database_url:
        env = production_env(
            DATABASE_URL=database_url,
            MEDIA_ROOT=str(directory / "media"),
            SECURE_SSL_REDIRECT="true",
            TRUSTED_PROXY_COUNT="1",
            PAGE_CACHE_SHARED_MAX_AGE=str(SHARED_MAX_AGE),
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        with app_server(env) as (app_url, _log):
            conf = directory / "newsroom.conf"
            conf.write_text(
                render(
                    SITE.read_text(),
                    {
                        "listen 80;": f"listen 127.0.0.1:{http_port};",
                        "listen [::]:80;": "",
                        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
                        "listen [::]:443 ssl http2;": "",
                        "server 127.0.0.1:8000;": f"server {app_url.removeprefix('http://')};",
                        "/var/cache/nginx/newsroom": str(directory / "cache"),
                        "/var/log/nginx/": f"{directory}/",
                        "/var/www/letsencrypt": str(directory / "acme"),
                        "/srv/newsroom/staticfiles/": f"{REPO_ROOT / 'staticfiles'}/",
                        "/srv/newsroom/media/": f"{directory / 'media'}/",
                        **self_signed_certificate(directory),
                    },
                )
            )
            with nginx_server(conf, [http_port, https_port]):
                yield {"https": https_port, "env": env, "directory": directory, **seeded}


def test_a_withdrawn_story_leaves_nginx_once_its_shared_max_age_has_passed(site):
    path = site["article"]
    get(site, path)
    assert get(site, path)[1]["X-Cache-Status"] == "HIT"
    manage(site["env"], "shell", "-c", UNPUBLISH)  # withdrawn, say, by a court order

    # Well past s-maxage and stale-while-revalidate (30 s), each request asking the app, which
    # says 404: nginx is told the page is gone.
    deadline = time.monotonic() + SHARED_MAX_AGE + STALE_WHILE_REVALIDATE + 2
    while time.monotonic() < deadline:
        get(site, path)
        time.sleep(1)
    answers = []
    for _ in range(6):
        status, headers, body = get(site, path)
        answers.append((status, headers["X-Cache-Status"], "Un récit retiré" in body.decode()))
        time.sleep(0.5)

    assert all(not shown for _status, _cache, shown in answers[1:]), answers


def test_a_sign_in_link_leaves_no_token_in_nginx_access_log(site):
    """newsroom/logs.py hides the token of e-mail links from the app's logs ("a sign-in link
    is a credential"); the reference nginx site logs every request line whole. (So does
    gunicorn's access log, which deploy/systemd/newsroom.service turns on.)"""
    token = "eyJ1IjoxfQ:1vAbCd:secret-signature"
    get(site, f"/compte/connexion/{token}/")
    get(site, f"/newsletter/desinscription/{token}/")
    time.sleep(0.5)  # nginx writes its log line once the response is sent

    logged = (site["directory"] / "newsroom.access.log").read_text()
    assert "/compte/connexion/" in logged
    assert "secret-signature" not in logged
