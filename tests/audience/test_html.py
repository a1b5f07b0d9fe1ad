"""Pages with the alert and « Les plus lus » pass the Nu HTML validator."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audience import ranking
from audience.models import Alert, ArticleViews, hour_of
from tests.factories import ArticleFactory, CategoryFactory
from tests.nu import nu_errors

pytestmark = pytest.mark.django_db


def test_pages_with_the_alert_and_the_most_read_list_are_valid_html():
    section = CategoryFactory(slug="monde")
    stories = [ArticleFactory(category=section) for _ in range(6)]
    for views, story in enumerate(stories, start=1):
        ArticleViews.objects.create(article=story, hour=hour_of(timezone.now()), views=views)
    ranking.refresh()
    Alert.objects.create(
        text="Séisme de magnitude 6 dans les Alpes : « des dégâts importants »",
        link="https://exemple.fr/seisme?source=alerte&x=1",
        ends_at=timezone.now() + timedelta(hours=1),
    )
    pages = {}
    for address in ["/", stories[0].get_absolute_url(), "/monde/", "/newsletter/"]:
        response = Client().get(address)
        assert response.status_code == 200, address
        content = response.content.decode()
        assert 'class="site-alert"' in content
        pages[address] = content
    assert 'class="most-read"' in pages["/"]
    assert 'class="most-read"' in pages[stories[0].get_absolute_url()]
    pages["404"] = Client().get("/nulle-part/").content.decode()
    assert 'class="site-alert"' in pages["404"]

    assert nu_errors(pages) == []
