import importlib
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation
from taggit.models import Tag

from articles.models import Article
from tests.articles.test_admin import change_url, submit
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

WORKING_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
NAMES_WITHOUT_ASCII_LETTERS = ["日本", ">", "🔥", "—", "Ἀθῆναι", "\u200b?"]


def _assert_has_a_working_address(client, tag, article):
    assert WORKING_SLUG.fullmatch(tag.slug), tag.slug
    assert len(tag.slug) <= Tag._meta.get_field("slug").max_length
    page = client.get(f"/tags/{tag.slug}/")
    assert page.status_code == 200
    assert article.title in page.content.decode()


@pytest.mark.parametrize("name", [*NAMES_WITHOUT_ASCII_LETTERS, "Ça", "ǅ"])
def test_tag_added_in_code_has_a_working_address_linked_from_the_article(client, name):
    article = ArticleFactory(title="Un article étiqueté", tags=[name])
    tag = article.tags.get()

    _assert_has_a_working_address(client, tag, article)
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert f'href="/tags/{tag.slug}/"' in page.content.decode()


def test_tags_typed_in_the_article_form_get_working_addresses(editor_client, client):
    article = ArticleFactory(title="Un article étiqueté")

    response = submit(editor_client, change_url(article), tags='日本, ">", 🔥, —, Ça, ǅ')

    assert response.status_code == 302
    tags = article.tags.all()
    assert sorted(tag.name for tag in tags) == sorted(["日本", ">", "🔥", "—", "Ça", "Dž"])
    assert len({tag.slug for tag in tags}) == 6
    for tag in tags:
        _assert_has_a_working_address(client, tag, article)
    assert editor_client.get(article.get_preview_url()).status_code == 200


def test_blank_tag_names_are_ignored(editor_client):
    article = ArticleFactory()
    article.tags.add("   ", "\u3000")

    response = submit(editor_client, change_url(article), tags='"   ", Otan')

    assert response.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["Otan"]


def test_names_that_slugify_alike_are_two_tags_with_two_addresses(client):
    palace = ArticleFactory(title="Réunion à l’Élysée", tags=["Élysée"])
    other = ArticleFactory(title="Le club Elysee", tags=["elysee"])

    palace_tag, other_tag = palace.tags.get(), other.tags.get()

    assert palace_tag != other_tag
    assert palace_tag.slug == "elysee"
    assert other_tag.slug == "elysee-2"
    _assert_has_a_working_address(client, palace_tag, palace)
    _assert_has_a_working_address(client, other_tag, other)
    assert other.title not in client.get("/tags/elysee/").content.decode()


def test_same_name_in_another_case_or_unicode_form_is_the_same_tag(editor_client):
    first = ArticleFactory(tags=["Kelvin"])
    second = ArticleFactory(tags=["\u212aelvin"])  # KELVIN SIGN, then "elvin"
    submit(editor_client, change_url(second), tags="KELVIN, \u212aELVIN, ｋｅｌｖｉｎ")

    assert Tag.objects.count() == 1
    assert first.tags.get() == second.tags.get()
    assert second.tags.get().name == "Kelvin"


def test_names_typed_twice_in_one_form_in_other_cases_are_one_tag(editor_client):
    article = ArticleFactory()

    response = submit(editor_client, change_url(article), tags="Ça, ÇA, ça,  Ça ")

    assert response.status_code == 302
    assert [name.casefold() for name in article.tags.names()] == ["ça"]


def test_runs_of_spaces_inside_a_name_are_one_space():
    article = ArticleFactory(tags=["Union \t  européenne"])

    assert list(article.tags.names()) == ["Union européenne"]


def test_too_long_tag_name_is_refused_in_french_and_nothing_is_saved(editor_client):
    article = ArticleFactory(title="Titre d’origine", tags=["Otan"])

    with translation.override("fr"):
        response = submit(editor_client, change_url(article), title="Nouveau", tags="a" * 101)

    assert response.status_code == 200
    (message,) = response.context["adminform"].form.errors["tags"]
    assert "100 caractères" in message
    article.refresh_from_db()
    assert article.title == "Titre d’origine"
    assert list(article.tags.names()) == ["Otan"]


def test_too_long_tag_name_added_in_code_is_refused():
    article = ArticleFactory()

    with pytest.raises(ValidationError):
        article.tags.add("a" * 101)

    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("name", "other_name"),
    [("a" * 99 + "!", "a" * 99 + "?"), ("日" * 100, "本" * 100), ("Ça " * 33, "ça " * 33 + "!")],
)
def test_longest_names_get_distinct_addresses_within_the_slug_length(client, name, other_name):
    first = ArticleFactory(tags=[name])
    second = ArticleFactory(tags=[other_name])

    first_tag, second_tag = first.tags.get(), second.tags.get()
    assert first_tag != second_tag
    assert first_tag.slug != second_tag.slug
    _assert_has_a_working_address(client, first_tag, first)
    _assert_has_a_working_address(client, second_tag, second)


def test_tag_created_in_the_tag_admin_without_ascii_letters_gets_a_working_address(
    editor_client, client
):
    response = editor_client.post("/admin/taggit/tag/add/", {"name": "🔥", "slug": "feu"})

    assert response.status_code == 302
    article = ArticleFactory(tags=["🔥"])
    _assert_has_a_working_address(client, Tag.objects.get(name="🔥"), article)


def test_tag_admin_refuses_an_address_that_is_not_ascii_in_french(editor_client):
    with translation.override("fr"):
        response = editor_client.post("/admin/taggit/tag/add/", {"name": "日本", "slug": "日本"})

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Tag.objects.exists()


def test_tag_admin_refuses_a_name_that_is_an_existing_tag_in_another_form(editor_client):
    Tag.objects.create(name="Kelvin")

    with translation.override("fr"):
        response = editor_client.post(
            "/admin/taggit/tag/add/", {"name": " \u212aELVIN ", "slug": "kelvin-2"}
        )

    assert response.status_code == 200
    (message,) = response.context["adminform"].form.errors["name"]
    assert "existe déjà" in message
    assert Tag.objects.count() == 1


def test_demo_tags_have_working_addresses(client, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())

    for tag in Tag.objects.all():
        assert WORKING_SLUG.fullmatch(tag.slug), tag.slug
    tag = Tag.objects.get(name="Énergie")
    article = Article.objects.published().filter(tags=tag).first()
    _assert_has_a_working_address(client, tag, article)


def test_migration_repairs_tags_without_a_usable_address(client):
    article = ArticleFactory(tags=["Otan", "日本", "🔥", "Ça"])
    Tag.objects.filter(name="日本").update(slug="")
    Tag.objects.filter(name="🔥").update(slug="🔥")
    Tag.objects.filter(name="Ça").update(slug="ça")
    migration = importlib.import_module("articles.migrations.0011_repair_tag_slugs")

    migration.repair_tag_slugs(apps, None)

    assert Tag.objects.get(name="Otan").slug == "otan"
    for tag in article.tags.all():
        _assert_has_a_working_address(client, tag, article)


def test_article_page_stays_up_with_a_tag_that_has_no_address(client):
    article = ArticleFactory(tags=["Otan", "Défense"])
    Tag.objects.filter(name="Otan").update(slug="")

    page = client.get(article.get_absolute_url())

    assert page.status_code == 200
    content = page.content.decode()
    assert "Otan" in content
    assert 'href="/tags/defense/"' in content


def test_control_characters_are_dropped_from_names_given_in_code():
    article = ArticleFactory(tags=["Otan"])

    article.tags.add("Ot\x00an\x07", "\x1b")

    assert list(Tag.objects.values_list("name", flat=True)) == ["Otan"]
    assert list(article.tags.names()) == ["Otan"]


@pytest.mark.parametrize(
    "name",
    [
        "Climat\u200f",  # right-to-left mark
        "\u202eClimat",  # right-to-left override
        "\u200bClimat",  # zero-width space
        "\ufeffClimat",  # byte order mark
        "Cli\u00admat",  # soft hyphen
        "Climat\u2060",  # word joiner
        "Climat\u200d",  # a joiner joins nothing at the end of a name
    ],
)
def test_invisible_characters_do_not_make_a_lookalike_tag(editor_client, name):
    ArticleFactory(tags=["Climat"])
    article = ArticleFactory()

    response = submit(editor_client, change_url(article), tags=name)

    assert response.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["Climat"]
    assert list(article.tags.names()) == ["Climat"]


def test_joiners_inside_an_emoji_are_kept():
    article = ArticleFactory(tags=["👩\u200d💻", "👩💻"])

    assert set(article.tags.names()) == {"👩\u200d💻", "👩💻"}


@pytest.mark.parametrize(
    ("stored", "typed"), [("Straße", "STRASSE"), ("Élection", "élection"), ("Œuvre", "œuvre")]
)
def test_a_name_that_case_folds_to_an_existing_tag_is_that_tag(editor_client, stored, typed):
    ArticleFactory(tags=[stored])
    article = ArticleFactory()

    response = submit(editor_client, change_url(article), tags=f'"{typed}"')

    assert response.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == [stored]
    assert list(article.tags.names()) == [stored]


def test_tag_admin_refuses_a_name_that_case_folds_to_an_existing_tag(editor_client):
    Tag.objects.create(name="Straße")

    response = editor_client.post("/admin/taggit/tag/add/", {"name": "STRASSE", "slug": "strasse"})

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Tag.objects.count() == 1


def test_an_article_form_with_over_a_thousand_tags_is_saved(editor_client):
    ArticleFactory(tags=[f"mot {n}" for n in range(50)])
    article = ArticleFactory()

    response = submit(
        editor_client, change_url(article), tags=", ".join(f"Mot {n}" for n in range(1010))
    )

    assert response.status_code == 302
    assert article.tags.count() == Tag.objects.count() == 1010
