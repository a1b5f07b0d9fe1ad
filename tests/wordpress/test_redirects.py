"""Old addresses of the WordPress site answer with a 301 to where their content now lives."""

import pytest

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory
from wordpress import redirects
from wordpress.models import ImportedItem, OldAddress

pytestmark = pytest.mark.django_db


def new_address(wp_id):
    pk = ImportedItem.objects.get(kind="post", wp_id=str(wp_id)).object_id
    return Article.objects.select_related("category").get(pk=pk).get_absolute_url()


@pytest.mark.parametrize(
    "old, wp_id",
    [
        ("/2024/03/le-port-rouvre/", 100),
        ("/2024/03/le-port-rouvre", 100),  # without its final slash
        ("/?p=100", 100),
        ("/?p=101&utm_source=x", 101),
        ("/2024/02/la-rentree/", 101),
    ],
)
def test_every_old_permalink_answers_301_to_the_new_article(run_import, client, old, wp_id):
    run_import()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new_address(wp_id)


def test_the_new_page_answers_after_the_redirect(run_import, client):
    run_import()
    response = client.get("/2024/03/le-port-rouvre/", follow=True)
    assert response.redirect_chain == [(new_address(100), 301)]
    assert response.status_code == 200
    assert "Le port rouvre ses quais" in response.content.decode()


@pytest.mark.parametrize(
    "old, new",
    [
        ("/category/societe/", "/societe/"),
        ("/category/societe/education/", "/education/"),
        ("/category/societe/education/lycees/", "/education/"),  # folded
        ("/category/%C3%A9conomie/", "/economie/"),
        ("/category/societe/feed/", "/rss/societe/"),
        ("/tag/peche/", "/tags/peche/"),
        ("/author/mdupont/", "/auteurs/marie-dupont/"),
        ("/author/mdupont/feed/", "/rss/auteurs/marie-dupont/"),
        ("/feed/", "/rss/"),
    ],
)
def test_category_tag_author_and_feed_addresses_redirect(run_import, client, old, new):
    run_import()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_an_old_address_never_shadows_a_page_of_the_site(client):
    CategoryFactory(slug="societe")
    OldAddress.objects.create(path="/societe/", target="/ailleurs/")
    assert client.get("/societe/").status_code == 200
    # Created after the redirect, a page still wins.
    OldAddress.objects.create(path="/culture/", target="/societe/")
    assert client.get("/culture/").status_code == 301
    CategoryFactory(slug="culture")
    assert client.get("/culture/").status_code == 200


def test_the_home_page_with_an_unknown_or_odd_p_is_the_home_page(client):
    for query in ("?p=999", "?p=abc", "?p=%EF%BC%91", "?page=2"):
        assert client.get(f"/{query}").status_code == 200, query


def test_only_reads_are_redirected(client):
    ArticleFactory()
    OldAddress.objects.create(path="/ancien/", target="/")
    assert client.post("/ancien/").status_code != 301
    assert client.head("/ancien/").status_code == 301


def test_a_redirect_follows_its_article_when_it_moves(client):
    story = ArticleFactory(status="published")
    OldAddress.objects.create(path="/2020/01/ancien/", article=story)
    story.category = CategoryFactory(slug="monde")
    story.save()
    assert client.get("/2020/01/ancien/")["Location"] == story.get_absolute_url()


def test_the_lookup_is_one_indexed_query(django_assert_num_queries):
    story = ArticleFactory()
    OldAddress.objects.create(path="/2020/01/ancien/", article=story)
    with django_assert_num_queries(1):
        assert redirects.destination("/2020/01/ancien/") == story.get_absolute_url()
    with django_assert_num_queries(1):
        assert redirects.destination("/nulle-part/") is None
    assert OldAddress._meta.get_field("path").unique  # the index the lookup uses


def test_editors_list_and_edit_old_addresses_in_the_admin(editor_client):
    address = OldAddress.objects.create(path="/2020/01/ancien/", target="/")
    listing = editor_client.get("/admin/wordpress/oldaddress/")
    assert listing.status_code == 200
    assert "/2020/01/ancien/" in listing.content.decode()
    response = editor_client.post(
        f"/admin/wordpress/oldaddress/{address.pk}/change/",
        {"path": "/2020/01/ancien/", "target": "/rss/", "article": ""},
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.target == "/rss/"


def test_authors_do_not_manage_old_addresses(author_client):
    assert author_client.get("/admin/wordpress/oldaddress/").status_code == 403


def test_an_old_address_cannot_send_readers_to_another_site(editor_client):
    for target in ("https://ailleurs.example/", "//ailleurs.example/"):
        response = editor_client.post(
            "/admin/wordpress/oldaddress/add/", {"path": "/ancien/", "target": target}
        )
        assert response.status_code == 200
        assert "Saisissez un chemin qui commence par un seul « / »." in response.content.decode()
    assert not OldAddress.objects.exists()


@pytest.mark.parametrize("wp_id", [103, 104], ids=["scheduled", "in review"])
def test_an_old_address_never_names_a_story_readers_cannot_see_yet(run_import, client, wp_id):
    """The new address holds the story's slug, its title in words: a redirect to a story not
    published yet (an embargo, a draft) would tell it to anyone who tries ``/?p=<n>``."""
    run_import()
    OldAddress.objects.get_or_create(
        path=f"/?p={wp_id}",
        defaults={"article_id": ImportedItem.objects.get(kind="post", wp_id=str(wp_id)).object_id},
    )
    response = client.get(f"/?p={wp_id}")
    assert response.status_code != 301
    assert new_address(wp_id) not in response.get("Location", "")
    assert new_address(wp_id) not in response.content.decode()


def test_an_old_address_of_a_story_unpublished_since_redirects_no_more(client):
    story = ArticleFactory(status=Article.Status.PUBLISHED)
    OldAddress.objects.create(path="/2019/05/le-recit/", article=story)
    assert client.get("/2019/05/le-recit/").status_code == 301
    story.status = Article.Status.DRAFT
    story.save()
    assert client.get("/2019/05/le-recit/").status_code == 404


def test_an_address_with_a_nul_character_is_a_plain_404(client):
    assert client.get("/%00/").status_code == 404
    assert client.get("/rubrique/%00").status_code == 404
