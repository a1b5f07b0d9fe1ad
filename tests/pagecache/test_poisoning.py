"""A page kept for every reader holds nothing of the request that built it: its pagination
links carry the page number alone, whatever else the address held."""

import pytest
from django.test import Client

from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def test_a_query_parameter_of_one_visitor_never_reaches_the_page_kept_for_all(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        section = CategoryFactory(name="Monde", slug="monde")
        ArticleFactory.create_batch(25, category=section)  # two pages

    Client().get("/monde/?utm_source=arnaque-exemple&page=1")  # the first visitor's address
    page = Client().get("/monde/").content.decode()  # anybody else's

    assert "page=2" in page  # the link to the next page
    assert "arnaque-exemple" not in page
