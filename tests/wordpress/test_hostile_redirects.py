"""Old addresses under attack: no way out to another site, no loop, no 500, no leak."""

import pytest

from articles.models import Article
from tests.factories import ArticleFactory
from tests.wordpress.hostile import export, post
from wordpress.models import ImportedItem, OldAddress

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "target", ["/\\evil.example/", "/\\/evil.example/", "/\t/evil.example/", "/ /evil.example/"]
)
def test_an_odd_target_still_leads_to_a_path_of_this_site(client, target):
    # Stored as it was typed (the admin only asks for one leading "/"): browsers read "/\\x" or
    # "/<tab>/x" as "//x", another site, but the answer's Location percent-encodes them.
    OldAddress.objects.create(path="/ancien/", target=target)
    location = client.get("/ancien/")["Location"]
    assert location.startswith("/") and location[1] not in "/\\"
    assert not any(char.isspace() or ord(char) < 32 for char in location)


@pytest.mark.parametrize(
    "path, target", [("/boucle/", "/boucle/"), ("/boucle", "/boucle/"), ("/boucle/", "/boucle")]
)
def test_an_old_address_cannot_lead_to_itself(editor_client, path, target):
    response = editor_client.post(
        "/admin/wordpress/oldaddress/add/", {"path": path, "target": target}
    )
    assert response.status_code == 200
    assert "tourneraient en boucle" in response.content.decode()
    assert not OldAddress.objects.exists()


def test_two_old_addresses_cannot_lead_to_each_other(editor_client):
    OldAddress.objects.create(path="/a/", target="/b/")
    response = editor_client.post(
        "/admin/wordpress/oldaddress/add/", {"path": "/b/", "target": "/a/"}
    )
    assert response.status_code == 200
    assert OldAddress.objects.count() == 1


@pytest.mark.parametrize("number", ["9" * 5000, "1" + "0" * 4300, "-1", "１２", "²", "1e3", " 1"])
def test_the_home_page_with_any_p_is_never_a_500(client, number):
    ArticleFactory()
    OldAddress.objects.create(path="/?p=1", target="/rss/")
    response = client.get("/", {"p": number})
    assert response.status_code in (200, 301)


def test_the_home_page_cached_before_an_import_redirects_after_it(run_import, client, tmp_path):
    assert client.get("/?p=1").status_code == 200  # nothing imported yet: the home page
    run_import(str(export(tmp_path, post(1, "Titre"))))
    response = client.get("/?p=1")
    assert response.status_code == 301


def test_an_old_page_404_cached_before_an_import_redirects_after_it(run_import, client, tmp_path):
    assert client.get("/2024/03/article-1/").status_code == 404
    run_import(str(export(tmp_path, post(1, "Titre"))))
    assert client.get("/2024/03/article-1/").status_code == 301


@pytest.mark.parametrize("status", ["draft", "pending", "future"])
def test_an_old_address_never_reveals_an_unpublished_story(run_import, client, tmp_path, status):
    gmt = "2099-01-01 09:00:00" if status == "future" else "2024-03-01 09:00:00"
    run_import(str(export(tmp_path, post(1, "Embargo : le maire démissionne", status=status,
                                          gmt=gmt))))  # fmt: skip
    story = Article.objects.get()
    assert client.get("/2024/03/article-1/").status_code == 404
    home = client.get("/?p=1")  # the home page, as for any post that is not there
    assert home.status_code == 200 and story.slug not in home.content.decode()
    # Once published, the old addresses lead to it.
    story.status, story.published_at = Article.Status.PUBLISHED, None
    story.save()
    assert client.get("/?p=1")["Location"] == story.get_absolute_url()


def test_a_numeric_p_that_is_not_ascii_does_not_stop_the_import(run_import, tmp_path):
    path = export(
        tmp_path,
        post(1, link="https://hostile.example.fr/?p=²",
             body='<p><a href="https://hostile.example.fr/?p=²">a</a> '
                  f'<a href="/?p={"9" * 5000}">b</a></p>'),
    )  # fmt: skip
    run_import(str(path))
    assert Article.objects.count() == 1


def test_authors_see_nothing_of_the_import(author_client):
    assert author_client.get("/admin/wordpress/importeditem/").status_code == 403
    assert author_client.get("/admin/wordpress/oldaddress/add/").status_code == 403
    assert author_client.get("/admin/wordpress/").status_code in (403, 404)


def test_editors_cannot_forge_import_records(editor_client):
    item = ImportedItem.objects.create(site="s", kind="post", wp_id="1", object_id=1)
    response = editor_client.post(
        f"/admin/wordpress/importeditem/{item.pk}/change/", {"object_id": "2"}
    )
    assert response.status_code in (302, 403)
    item.refresh_from_db()
    assert item.object_id == 1
    assert editor_client.post(f"/admin/wordpress/importeditem/{item.pk}/delete/",
                              {"post": "yes"}).status_code == 403  # fmt: skip
