"""Security headers: Permissions-Policy everywhere, no inline style on reader pages."""

import re

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FEATURES_OFF = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "interest-cohort",
    "browsing-topics",
]


@pytest.fixture
def reader_pages():
    article = ArticleFactory()
    return [
        "/",
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        "/recherche/?q=Otan",
        "/newsletter/",
        "/cette-page-n-existe-pas/",
    ]


def style_src(response):
    policy = response["Content-Security-Policy"]
    return re.search(r"style-src ([^;]*)", policy).group(1).split()


@pytest.mark.parametrize("path", ["/", "/cette-page-n-existe-pas/", "/admin/login/", "/rss/"])
def test_every_answer_turns_off_browser_features_no_page_uses(client, path):
    policy = client.get(path)["Permissions-Policy"]

    directives = dict(item.strip().split("=") for item in policy.split(","))
    assert {feature: directives.get(feature) for feature in FEATURES_OFF} == dict.fromkeys(
        FEATURES_OFF, "()"
    )


def test_reader_pages_allow_no_inline_style(client, reader_pages):
    for path in reader_pages:
        response = client.get(path)
        assert style_src(response) == ["'self'"], path
        content = response.content.decode()
        assert " style=" not in content, path
        assert "<style" not in content, path


def test_the_admin_alone_allows_inline_styles_for_its_rich_text_editor(editor_client):
    response = editor_client.get(reverse("admin:articles_article_add"))

    assert "'unsafe-inline'" in style_src(response)


def test_each_page_gets_its_own_policy_whatever_came_before(client, editor_client):
    """The site's policy is built once per process; the admin's, a nonce's and a changed
    setting's are never served in its place, nor it in theirs."""
    article = ArticleFactory()
    editor = reverse("admin:articles_article_add")
    for _round in range(2):
        assert style_src(client.get(article.get_absolute_url())) == ["'self'"]
        response = editor_client.get(editor)
        assert "'unsafe-inline'" in style_src(response)
        nonce = re.search(r"script-src [^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce and f'nonce="{nonce.group(1)}"' in response.content.decode()
        assert "'nonce-" not in client.get("/")["Content-Security-Policy"]


def test_a_new_policy_setting_is_served_at_once(client, settings):
    assert "report-uri" not in client.get("/")["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "report-uri": "/csp/"}
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    response = client.get("/")
    assert "report-uri /csp/" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"


def test_site_colours_come_from_a_stylesheet_browsers_keep(client, settings):
    settings.NEWSROOM_COLOURS = {"ink": "#102030", "accent": "#8a1010"}
    home = client.get("/").content.decode()
    (href,) = re.findall(r'<link rel="stylesheet" href="(/theme\.css[^"]*)">', home)

    response = client.get(href.replace("&amp;", "&"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "--ink: #102030;" in response.content.decode()
    assert "--accent: #8a1010;" in response.content.decode()
    assert "immutable" in response["Cache-Control"]


def test_new_site_colours_get_a_new_stylesheet_address(client, settings):
    settings.NEWSROOM_COLOURS = {"ink": "#102030", "accent": "#8a1010"}
    before = re.search(r'href="(/theme\.css[^"]*)"', client.get("/").content.decode())[1]

    settings.NEWSROOM_COLOURS = {"ink": "#102030", "accent": "#0b5394"}
    settings.NEWSROOM_RELEASE = "next"  # a new deployment's pages
    after = re.search(r'href="(/theme\.css[^"]*)"', client.get("/").content.decode())[1]

    assert before != after
