"""Every kind of reader page passes the Nu HTML validator (the W3C's), on the demo newsroom."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, Category, Correction
from tests.nu import nu_errors

pytestmark = pytest.mark.django_db


def test_every_kind_of_reader_page_is_valid_html(client, settings):
    settings.DEBUG = True  # load_demo refuses to run in production
    call_command("load_demo", force=True, stdout=StringIO())
    settings.DEBUG = False
    article = Article.objects.published().exclude(body="").first()
    Correction.objects.create(article=article, text="La date du vote était erronée.")
    addresses = [
        "/",
        article.get_absolute_url(),
        Article.objects.get(live_status=Article.LiveStatus.LIVE).get_absolute_url(),
        Category.objects.filter(parent__isnull=True).first().get_absolute_url(),
        Author.objects.first().get_absolute_url(),
        reverse("articles:tag", args=[Tag.objects.filter(article__isnull=False).first().slug]),
        "/recherche/?q=europe",
        "/corrections/",
        "/recherche/?q=",
        "/newsletter/",
        "/abonnement/",
        "/compte/connexion/",
    ]
    pages = {}
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        pages[address] = response.content.decode()
    pages["404"] = client.get("/page-qui-n-existe-pas/").content.decode()

    assert nu_errors(pages) == []


def test_the_validator_finds_an_error():
    html = "<!doctype html><html lang=fr><title>x</title><p><div>mal placé</div></p>"
    assert nu_errors({"broken": html})
