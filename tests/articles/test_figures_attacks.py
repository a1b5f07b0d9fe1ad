"""Body pictures referenced in odd ways: one picture has one reference, which the protection
of the pictures readers see recognises, and no reference breaks a reader's page."""

import pytest

from articles import figures
from articles.models import Image
from articles.sanitizing import sanitize_html
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_a_picture_reference_is_stored_without_leading_zeros():
    assert (
        sanitize_html('<figure data-image="0012"></figure>') == '<figure data-image="12"></figure>'
    )


def test_a_zero_or_endless_reference_is_dropped():
    assert sanitize_html('<figure data-image="0"></figure>') == "<figure></figure>"
    for digits in (30, 5000):  # past Python's limit of digits for an int
        reference = "9" * digits
        assert sanitize_html(f'<figure data-image="{reference}"></figure>') == "<figure></figure>"


def test_an_author_cannot_change_a_published_picture_referenced_with_leading_zeros(
    author_client,
):
    image = ImageFactory(caption="Le maire")
    ArticleFactory(
        body=f'<figure data-image="000{image.pk}"><figcaption>Le maire</figcaption></figure>'
    )

    assert Image.objects.get(pk=image.pk).is_shown_to_readers
    response = author_client.post(
        f"/admin/articles/image/{image.pk}/change/",
        {"alt_text": "Autre chose", "caption": "Remplacée", "credit": ""},
    )
    assert response.status_code == 403
    assert Image.objects.get(pk=image.pk).caption == "Le maire"


@pytest.mark.parametrize("reference", ["999999999999999999", "2147483648", "9223372036854775807"])
def test_a_reference_beyond_any_picture_leaves_the_page_whole(client, reference):
    article = ArticleFactory(
        body=f'<figure data-image="{reference}"><figcaption>Légende</figcaption></figure>'
        "<p>Suite.</p>"
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Suite." in response.content.decode()


def test_a_reference_not_written_as_the_sanitiser_writes_it_shows_no_picture():
    image = ImageFactory()
    body = f'<figure data-image="0{image.pk}"><figcaption>Le maire</figcaption></figure>'

    html = figures.render(body)

    assert "<img" not in html and "<picture" not in html


def test_a_figure_written_inside_another_loses_no_text_and_leaves_no_stray_tag():
    image = ImageFactory()
    body = sanitize_html(
        f'<figure data-image="{image.pk}"><figure data-embed="youtube">'
        '<a href="https://youtu.be/abcdefghijk">La vidéo du débat</a></figure>'
        "<figcaption>Le maire</figcaption></figure><p>Suite.</p>"
    )

    html = figures.render(body)

    assert "La vidéo du débat" in html and "Le maire" in html
    assert html.count("<figure") == html.count("</figure>")
