"""Several server processes on the default settings (no CACHE_URL: each worker keeps pages in
its own memory), changes made from a third process, then the database cut off."""

import time

import pytest

from tests.services import (
    app_server,
    cut_off_database,
    http,
    manage,
    production_env,
    throwaway_database,
)

SETUP = """
from tests.factories import ArticleFactory, CategoryFactory
section = CategoryFactory(name="Monde", slug="monde")
ArticleFactory(category=section, title="Déjà en ligne")
print(ArticleFactory(category=section, title="Un récit retiré").get_absolute_url())
"""
UNPUBLISH = """
from articles.models import Article
article = Article.objects.get(title="Un récit retiré")
article.status = Article.Status.DRAFT
article.save()
"""


@pytest.fixture
def site(tmp_path):
    with throwaway_database("newsroom_outage_processes") as database_url:
        env = production_env(DATABASE_URL=database_url, MEDIA_ROOT=str(tmp_path / "media"))
        env.pop("CACHE_URL", None)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        path = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
        with app_server(env, workers=2) as (first, _), app_server(env, workers=2) as (second, _):
            yield {"env": env, "servers": [first, second], "db": database_url, "path": path}


def test_default_settings_a_withdrawn_story_is_not_served_while_the_database_is_down(site):
    for server in site["servers"]:
        for _ in range(6):  # every worker keeps the page in its own memory
            assert http(server + site["path"])[0] == 200
    manage(site["env"], "shell", "-c", UNPUBLISH)  # withdrawn from another process
    time.sleep(1.2)  # PAGE_CACHE_RECHECK: every worker learns of the new version
    for server in site["servers"]:
        http(server + "/")  # nothing else; the workers now know the new version

    cut_off_database(site["db"], allowed=False)
    try:
        time.sleep(1.2)
        bodies = [http(server + site["path"])[2] for server in site["servers"] for _ in range(6)]
    finally:
        cut_off_database(site["db"], allowed=True)

    assert not any("Un récit retiré" in body for body in bodies)
