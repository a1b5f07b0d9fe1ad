"""Body figures on the reader's page: library pictures from their reference, embeds as cards."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import embeds, figures
from articles.models import Article
from subscriptions import paywall
from subscriptions.models import PaywallSettings
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def picture(image, caption="Légende du corps"):
    caption = f"<figcaption>{caption}</figcaption>" if caption is not None else ""
    return (
        f'<figure data-image="{image.pk}"><img src="{image.file.url}" alt="{image.alt_text}">'
        f"{caption}</figure>"
    )


def embed(url, provider="youtube"):
    return f'<figure data-embed="{provider}"><a href="{url}">{url}</a></figure>'


def test_a_library_picture_is_rendered_like_the_lead_picture():
    image = ImageFactory(credit="Photo : Léa Roux")
    body = f"<p>Avant.</p>{picture(image)}<p>Après.</p>"

    html = figures.render(body)

    assert '<source type="image/webp" srcset="' in html
    assert image.srcset_webp in html and image.srcset() in html
    assert f'width="{image.width}" height="{image.height}"' in html
    assert 'loading="lazy"' in html
    assert f'alt="{image.alt_text}"' in html
    assert '<figcaption>Légende du corps <span class="credit">Photo : Léa Roux</span>' in html
    assert html.startswith("<p>Avant.</p>") and html.endswith("<p>Après.</p>")


def test_a_picture_without_a_caption_of_its_own_takes_the_librarys():
    image = ImageFactory(caption="La place de la mairie", credit="")

    html = figures.render(picture(image, caption=None))

    assert "<figcaption>La place de la mairie</figcaption>" in html


def test_a_deleted_library_image_leaves_its_caption_and_no_broken_image():
    image = ImageFactory()
    body = picture(image, "Le maire, mardi")
    image.delete()

    html = figures.render(body)

    assert "<img" not in html and "<picture" not in html
    assert "<figcaption>Le maire, mardi</figcaption>" in html


def test_an_article_page_survives_the_deletion_of_its_body_picture(client):
    image = ImageFactory()
    article = ArticleFactory(body=f"<p>Texte.</p>{picture(image, 'Le maire, mardi')}")
    assert client.get(article.get_absolute_url()).content.decode().count("<picture>") == 1

    image.delete()  # a new content version: the cached page is not served again

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "<picture>" not in content and image.file.name not in content
    assert "<figcaption>Le maire, mardi</figcaption>" in content


def test_a_missing_library_image_without_caption_leaves_nothing():
    gone = '<figure data-image="987654"><img src="/media/images/x.jpg" alt="x"></figure>'
    body = f"<p>Texte.</p>{gone}"

    assert figures.render(body) == "<p>Texte.</p>"


def test_every_picture_of_a_body_is_fetched_in_one_query(django_assert_num_queries):
    body = "".join(picture(ImageFactory()) for _ in range(6))

    with django_assert_num_queries(1):
        html = figures.render(body)

    assert html.count("<picture>") == 6


def test_a_body_without_pictures_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        figures.render(f"<p>Texte.</p>{embed(YOUTUBE)}")


def test_an_embed_is_a_card_with_a_link_and_the_nocookie_player_for_later():
    html = figures.render(embed(YOUTUBE))

    assert "<iframe" not in html
    assert f'<a href="{YOUTUBE}">{YOUTUBE}</a>' in html
    assert 'data-embed-player="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert '<p class="embed__source">YouTube</p>' in html


def test_a_post_without_an_allowed_player_stays_a_card_with_its_link():
    url = "https://mastodon.social/@Gargron/110000000000000000"

    html = figures.render(embed(url, "mastodon"))

    assert "data-embed-player" not in html and "<button" not in html
    assert f'<a href="{url}">' in html


def test_an_embed_whose_address_is_not_its_providers_is_left_as_stored():
    body = embed("https://exemple.fr/video", "youtube")

    assert figures.render(body) == body


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        (YOUTUBE, "youtube"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube"),
        ("https://vimeo.com/76979871", "vimeo"),
        ("https://www.dailymotion.com/video/x8abcde", "dailymotion"),
        ("https://dai.ly/x8abcde", "dailymotion"),
        ("https://x.com/lemondefr/status/1790000000000000000", "x"),
        ("https://twitter.com/lemondefr/status/1790000000000000000", "x"),
        ("https://www.instagram.com/p/C7abcDEFghi/", "instagram"),
        ("https://bsky.app/profile/lemonde.fr/post/3kabcdefghij2", "bluesky"),
        ("https://mastodon.social/@Gargron/110000000000000000", "mastodon"),
        ("https://exemple.fr/video", None),
        ("https://www.youtube.com/channel/UC123", None),
        ("https://evil.example/?https://youtu.be/dQw4w9WgXcQ", None),
    ],
)
def test_providers_recognise_their_addresses_only(url, provider):
    assert embeds.provider_of(url) == provider


def test_every_player_is_allowed_by_the_content_security_policy(settings):
    frame_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"]
    examples = {
        "youtube": YOUTUBE,
        "vimeo": "https://vimeo.com/76979871",
        "dailymotion": "https://www.dailymotion.com/video/x8abcde",
        "x": "https://x.com/lemondefr/status/1790000000000000000",
        "instagram": "https://www.instagram.com/p/C7abcDEFghi/",
        "bluesky": "https://bsky.app/profile/did:plc:abcdefghijklmnop/post/3kabcdefghij2",
    }
    for name, url in examples.items():
        player = embeds.embed(name, url).player
        assert any(player.startswith(source) for source in frame_src if source != "'self'"), name


def test_the_article_page_shows_body_pictures_and_embeds_with_the_script_and_frame_src(client):
    image = ImageFactory()
    article = ArticleFactory(body=f"<p>Début.</p>{picture(image)}{embed(YOUTUBE)}<p>Fin.</p>")

    response = client.get(article.get_absolute_url())

    content = response.content.decode()
    assert content.count("<picture>") == 1
    assert "js/embeds." in content
    policy = response["Content-Security-Policy"]
    assert "frame-src 'self' https://www.youtube-nocookie.com" in policy


def test_an_article_page_without_embeds_loads_no_script(client):
    article = ArticleFactory(body="<p>Texte seul.</p>")

    assert "embeds" not in client.get(article.get_absolute_url()).content.decode()


def test_body_pictures_do_not_add_queries_per_picture_to_the_article_page():
    def queries(article):
        Client().get("/")  # the furniture, as on a running site
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(article.get_absolute_url()).status_code == 200
        return len(captured)

    one = ArticleFactory(body=picture(ImageFactory()))
    many = ArticleFactory(body="".join(picture(ImageFactory()) for _ in range(5)))

    assert queries(many) == queries(one)


# The paywall's cut keeps a figure whole or leaves it out


LONG = "Un paragraphe assez long pour que la coupe tombe plus loin dans le texte. " * 3


def test_the_paywall_cut_never_splits_a_figure():
    image = ImageFactory()
    body = f"<p>{LONG}</p>" + picture(image, "Une très longue légende " * 20) + f"<p>{LONG}</p>" * 6

    preview = paywall.preview(body, paragraphs=2)

    assert "<figure" not in preview  # cut in the caption: the whole figure is left out
    assert preview.startswith(f"<p>{LONG.strip()}") or preview.startswith(f"<p>{LONG}")


def test_the_paywall_cut_keeps_a_whole_figure_before_the_cut():
    image = ImageFactory()
    body = f"<p>{LONG}</p>{picture(image, 'Courte légende')}<p>{LONG}</p>" + f"<p>{LONG}</p>" * 6

    preview = paywall.preview(body, paragraphs=3)

    assert picture(image, "Courte légende") in preview
    assert figures.render(preview).count("<picture>") == 1


def test_a_subscriber_only_article_shows_its_pictures_to_non_subscribers_only_up_to_the_cut(
    client,
):
    PaywallSettings.objects.update_or_create(
        pk=1, defaults={"mode": PaywallSettings.Mode.ON, "preview_paragraphs": 1}
    )
    first, hidden = ImageFactory(), ImageFactory()
    article = ArticleFactory(
        access=Article.Access.SUBSCRIBERS,
        body=f"<p>{LONG}</p>{picture(first, 'Visible')}<p>{LONG}</p>" * 3
        + picture(hidden, "Caché")
        + f"<p>{LONG}</p>" * 4,
    )

    content = client.get(article.get_absolute_url()).content.decode()

    body = re.search(r'<div class="article__body">(.*?)</div>', content, re.S).group(1)
    assert hidden.file.url.rsplit(".", 1)[0] not in body
    assert "Caché" not in body
