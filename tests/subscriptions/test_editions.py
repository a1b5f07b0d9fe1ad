"""Newsletter editions: what the e-mail carries (and never carries), and the editors' admin."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import factory
import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article
from subscriptions import editions, links, mailing, sending
from subscriptions.models import Delivery, EditionArticle, NewsletterEdition, Subscriber
from tests.factories import ArticleFactory, CategoryFactory, ImageFactory, UserFactory
from tests.subscriptions.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

BODY_TEXT = "Le conseil municipal s’est réuni mardi soir."  # ArticleFactory's body
UNSUBSCRIBE_LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/desinscription/[^/\s\"<>]+/")


def admin_url(view, *args):
    return reverse(f"admin:subscriptions_newsletteredition_{view}", args=args)


def html_part(message):
    (part,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return part


def add_articles(edition, *articles):
    for position, article in enumerate(articles):
        EditionArticle.objects.create(edition=edition, article=article, position=position)


@pytest.fixture
def section():
    return CategoryFactory(name="Politique", slug="politique")


@pytest.fixture
def free_article(section):
    image = ImageFactory(
        file=factory.django.ImageField(filename="maire.jpg", format="JPEG", width=1000, height=600)
    )
    return ArticleFactory(
        kicker="Municipales",
        title="Le maire présente son budget",
        lead="Un budget en hausse de 3 % pour les écoles.",
        category=section,
        featured_image=image,
    )


@pytest.fixture
def paid_article(section):
    return ArticleFactory(
        title="Enquête sur les comptes de la région",
        lead="Ce que révèlent les documents.",
        category=section,
        access=Article.Access.SUBSCRIBERS,
    )


@pytest.fixture
def edition(free_article, paid_article):
    edition = NewsletterEdition.objects.create(
        subject="La lettre du mardi", intro="Bonjour,\n\nVoici l’essentiel de la semaine."
    )
    add_articles(edition, free_article, paid_article)
    return edition


# Rendering ------------------------------------------------------------------------------------


def test_edition_carries_titles_leads_and_links_but_never_the_body(edition, free_article):
    rendered = mailing.render_edition(edition)
    url = mailing.absolute_url(free_article.get_absolute_url())

    for part in (rendered.text, html.unescape(rendered.html)):
        assert "Le maire présente son budget" in part
        assert "Un budget en hausse de 3 % pour les écoles." in part
        assert "Enquête sur les comptes de la région" in part
        assert "Voici l’essentiel de la semaine." in part
        assert url in part
        assert url.startswith("http")
        assert BODY_TEXT not in part
        assert "Un vote serré" not in part
    assert "MUNICIPALES" in rendered.text
    assert "Municipales" in rendered.html
    assert f'href="{url}"' in rendered.html


def test_subscriber_only_article_is_marked_and_still_only_its_lead(edition):
    rendered = mailing.render_edition(edition)

    assert "[Abonnés]" in rendered.text
    assert "Abonnés</span>" in rendered.html
    assert [entry.subscribers_only for entry in rendered.entries] == [False, True]
    assert BODY_TEXT not in rendered.text + rendered.html


def test_article_image_is_its_640_pixel_rendition_at_an_absolute_address(edition):
    (entry, _paid) = mailing.render_edition(edition).entries

    assert entry.image_url.startswith(mailing.absolute_url("/media/renditions/"))
    assert entry.image_url.endswith("-640w.jpg")
    assert f'src="{entry.image_url}"' in mailing.render_edition(edition).html


def test_only_articles_published_at_sending_time_are_included(edition, section):
    draft = ArticleFactory(draft=True, title="Brouillon à ne pas envoyer", category=section)
    scheduled = ArticleFactory(scheduled=True, title="Article programmé demain", category=section)
    EditionArticle.objects.create(edition=edition, article=draft, position=5)
    EditionArticle.objects.create(edition=edition, article=scheduled, position=6)

    rendered = mailing.render_edition(edition)

    assert len(rendered.entries) == 2
    for part in (rendered.text, rendered.html):
        assert "Brouillon à ne pas envoyer" not in part
        assert "Article programmé demain" not in part


def test_articles_follow_the_editors_order(edition, free_article, paid_article):
    EditionArticle.objects.filter(article=free_article).update(position=9)

    titles = [entry.title for entry in mailing.render_edition(edition).entries]

    assert titles == [paid_article.title, free_article.title]


def test_html_is_inline_styled_tables_with_no_external_css_or_script(edition):
    rendered = mailing.render_edition(edition)

    assert 'role="presentation"' in rendered.html
    assert "<link" not in rendered.html
    assert "<script" not in rendered.html
    assert "<style" not in rendered.html
    assert 'style="' in rendered.html


def test_editors_text_is_escaped_in_the_html(edition):
    edition.intro = "<script>alert(1)</script> & co"
    edition.save()

    rendered = mailing.render_edition(edition)

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in rendered.html


def test_edition_is_written_in_the_sites_language_whatever_the_editors(edition):
    with translation.override("en"):
        rendered = mailing.render_edition(edition)

    assert "Lire la suite" in rendered.html
    assert "Abonnés" in rendered.text


def test_every_message_has_its_own_unsubscribe_link_headers_and_message_id(edition):
    first, second = SubscriberFactory(confirmed=True), SubscriberFactory(confirmed=True)
    rendered = mailing.render_edition(edition)

    messages = [
        rendered.message(to=s.email, unsubscribe_url=mailing.unsubscribe_url(s)).message()
        for s in (first, second)
    ]

    for subscriber, message in zip((first, second), messages, strict=True):
        link = message["List-Unsubscribe"].removeprefix("<").removesuffix(">")
        token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
        assert links.subscriber_from_unsubscribe(token) == subscriber
        text, html_body = (
            part.get_payload(decode=True).decode()
            for part in message.walk()
            if part.get_content_maintype() == "text"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert UNSUBSCRIBE_LINK.findall(text) == [link]
        assert UNSUBSCRIBE_LINK.findall(html.unescape(html_body)) == [link]
        assert rendered.placeholder not in text + html_body
    assert messages[0]["Message-ID"] != messages[1]["Message-ID"]
    assert all(m["Message-ID"].startswith("<") and "@" in m["Message-ID"] for m in messages)


# Admin: list, change page, inline ------------------------------------------------------------


def test_list_shows_article_count_and_delivery_progress_in_constant_queries(
    editor_client, edition, django_assert_max_num_queries
):
    subscribers = SubscriberFactory.create_batch(3, confirmed=True)
    for index, subscriber in enumerate(subscribers):
        Delivery.objects.create(
            edition=edition,
            subscriber=subscriber,
            status=Delivery.Status.SENT if index < 2 else Delivery.Status.FAILED,
        )
    for n in range(5):
        add_articles(NewsletterEdition.objects.create(subject=f"Édition {n}"), ArticleFactory())

    with django_assert_max_num_queries(12):
        response = editor_client.get(admin_url("changelist"))

    assert response.status_code == 200
    (row,) = [r for r in response.context["cl"].result_list if r.pk == edition.pk]
    assert (row.n_articles, row.n_sent, row.n_deliveries, row.n_failed) == (2, 2, 3, 1)
    assert "2 / 3" in response.content.decode()


def test_change_page_has_the_inline_with_autocomplete_and_the_editors_buttons(
    editor_client, edition
):
    response = editor_client.get(admin_url("change", edition.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "admin-autocomplete" in page
    assert "Le maire présente son budget" in page
    for view in ("preview", "fill", "test", "send"):
        assert admin_url(view, edition.pk) in page
    assert admin_url("resume", edition.pk) not in page


def test_sent_edition_is_read_only(editor_client, edition):
    edition.status = NewsletterEdition.Status.SENT
    edition.save()

    response = editor_client.get(admin_url("change", edition.pk))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'name="subject"' not in page
    assert admin_url("fill", edition.pk) not in page
    assert admin_url("send", edition.pk) not in page
    assert admin_url("preview", edition.pk) in page


def test_interrupted_deliveries_are_counted_on_the_edition_page(editor_client, edition):
    edition.status = NewsletterEdition.Status.SENT
    edition.save()
    sent, interrupted = SubscriberFactory(confirmed=True), SubscriberFactory(confirmed=True)
    Delivery.objects.create(edition=edition, subscriber=sent, status=Delivery.Status.SENT)
    Delivery.objects.create(
        edition=edition,
        subscriber=interrupted,
        status=Delivery.Status.FAILED,
        last_error=sending.INTERRUPTED,
    )

    response = editor_client.get(admin_url("change", edition.pk))

    assert sending.delivery_counts(edition)["interrupted"] == 1
    assert 'class="newsletter-interrupted"' in response.content.decode()


def test_the_delivery_report_states_the_at_least_once_guarantee(editor_client, edition):
    edition.status = NewsletterEdition.Status.SENDING
    edition.save()
    Delivery.objects.create(edition=edition, subscriber=SubscriberFactory(confirmed=True))

    response = editor_client.get(admin_url("change", edition.pk))

    page = response.content.decode()
    assert "Chaque abonné reçoit l’édition au moins une fois" in page
    assert "renvoyé avec le même Message-ID" in page


def test_authors_cannot_see_editions(author_client, edition):
    assert author_client.get(admin_url("changelist")).status_code == 403
    assert author_client.get(admin_url("change", edition.pk)).status_code == 403


# Preview -------------------------------------------------------------------------------------


def test_preview_shows_the_email_to_editors(editor_client, edition):
    response = editor_client.get(admin_url("preview", edition.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert admin_url("preview_email", edition.pk) in page
    assert "Le maire présente son budget" in page  # the text version
    assert BODY_TEXT not in page


def test_preview_email_is_the_html_message_framable_by_the_admin_only(editor_client, edition):
    response = editor_client.get(admin_url("preview_email", edition.pk))

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "Le maire présente son budget" in response.content.decode()
    assert mailing.sample_unsubscribe_url() in response.content.decode()


@pytest.mark.parametrize("view", ["preview", "preview_email"])
def test_anonymous_visitors_are_sent_to_the_admin_login(client, edition, view):
    response = client.get(admin_url(view, edition.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("view", ["preview", "preview_email"])
def test_authors_may_not_preview(author_client, edition, view):
    assert author_client.get(admin_url(view, edition.pk)).status_code == 403


def test_preview_of_a_missing_edition_is_404(editor_client):
    assert editor_client.get(admin_url("preview", 999_999)).status_code == 404


# Send me a test ------------------------------------------------------------------------------


def test_send_me_a_test_mails_the_editor_only_and_records_no_delivery(
    editor_client, editor, edition
):
    SubscriberFactory(confirmed=True)

    response = editor_client.post(admin_url("test", edition.pk))

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [editor.email]
    assert message.subject == "[TEST] La lettre du mardi"
    assert message.extra_headers["List-Unsubscribe"] == f"<{mailing.sample_unsubscribe_url()}>"
    assert mailing.sample_unsubscribe_url() in message.body
    assert "Le maire présente son budget" in message.body
    assert Delivery.objects.count() == 0
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.DRAFT


def test_sample_unsubscribe_link_unsubscribes_no_one(client):
    subscriber = SubscriberFactory(confirmed=True)

    response = client.post(mailing.sample_unsubscribe_url().removeprefix(mailing.absolute_url("")))

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_send_me_a_test_needs_a_post(editor_client, edition):
    assert editor_client.get(admin_url("test", edition.pk)).status_code == 405
    assert mail.outbox == []


def test_authors_cannot_send_themselves_a_test(author_client, edition):
    assert author_client.post(admin_url("test", edition.pk)).status_code == 403
    assert mail.outbox == []


# Send to subscribers -------------------------------------------------------------------------


def test_confirmation_page_shows_how_many_confirmed_subscribers_will_receive_it(
    editor_client, edition
):
    SubscriberFactory.create_batch(2, confirmed=True)
    SubscriberFactory(), SubscriberFactory(unsubscribed=True)

    response = editor_client.get(admin_url("send", edition.pk))

    assert response.status_code == 200
    assert response.context["subscriber_count"] == 2
    assert len(response.context["items"]) == 2
    assert mail.outbox == []
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.DRAFT


def test_confirmed_post_sends_to_the_subscribers(editor_client, edition):
    SubscriberFactory.create_batch(2, confirmed=True)

    response = editor_client.post(admin_url("send", edition.pk))

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT


@pytest.mark.parametrize(
    "status", [NewsletterEdition.Status.SENDING, NewsletterEdition.Status.SENT]
)
def test_an_edition_is_sent_only_once(editor_client, edition, status):
    SubscriberFactory(confirmed=True)
    edition.status = status
    edition.save()

    response = editor_client.post(admin_url("send", edition.pk))

    assert response.status_code == 302
    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_an_edition_without_published_article_is_not_sent(editor_client, section):
    SubscriberFactory(confirmed=True)
    edition = NewsletterEdition.objects.create(subject="Vide")
    add_articles(edition, ArticleFactory(draft=True, category=section))

    response = editor_client.post(admin_url("send", edition.pk))

    assert response.status_code == 302
    assert mail.outbox == []
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.DRAFT


def test_authors_cannot_send(author_client, edition):
    SubscriberFactory(confirmed=True)

    assert author_client.get(admin_url("send", edition.pk)).status_code == 403
    assert author_client.post(admin_url("send", edition.pk)).status_code == 403
    assert mail.outbox == []


def test_change_permission_alone_does_not_allow_sending(edition):
    """Sending to every subscriber is for the Éditeurs group (or a superuser)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_newsletteredition", "change_newsletteredition"]
        )
    )
    client = Client()
    client.force_login(user)
    SubscriberFactory(confirmed=True)

    assert client.get(admin_url("preview", edition.pk)).status_code == 200
    assert client.post(admin_url("send", edition.pk)).status_code == 403
    assert mail.outbox == []


def test_resume_queues_the_rest_of_an_interrupted_sending(editor_client, edition):
    done, left = SubscriberFactory(confirmed=True), SubscriberFactory(confirmed=True)
    edition.status = NewsletterEdition.Status.SENDING
    edition.save()
    Delivery.objects.create(edition=edition, subscriber=done, status=Delivery.Status.SENT)
    Delivery.objects.create(edition=edition, subscriber=left)

    response = editor_client.post(admin_url("resume", edition.pk))

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[left.email]]
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT


# Fill from the latest stories ----------------------------------------------------------------


def test_fill_takes_the_newest_published_articles_of_the_sections_and_sub_sections(
    editor_client, section
):
    sub_section = CategoryFactory(name="Régions", slug="regions", parent=section)
    elsewhere = CategoryFactory(name="Sport", slug="sport")
    now = timezone.now()
    in_section = [
        ArticleFactory(
            category=section if n % 2 else sub_section, published_at=now - timedelta(hours=n)
        )
        for n in range(1, 11)
    ]
    ArticleFactory(category=elsewhere, published_at=now - timedelta(minutes=1))
    ArticleFactory(category=section, draft=True)
    ArticleFactory(category=section, scheduled=True)
    edition = NewsletterEdition.objects.create(subject="Hebdo")
    edition.sections.add(section)
    add_articles(edition, in_section[0])  # already picked by the editor

    response = editor_client.post(admin_url("fill", edition.pk))

    assert response.status_code == 302
    items = list(edition.items.order_by("position"))
    assert [item.article for item in items] == in_section[:8]
    assert [item.position for item in items] == list(range(8))
    # Full: a second click adds nothing.
    editor_client.post(admin_url("fill", edition.pk))
    assert edition.items.count() == editions.FILL_LIMIT


def test_fill_without_sections_takes_the_newest_of_the_whole_site(editor_client):
    articles = ArticleFactory.create_batch(3)
    edition = NewsletterEdition.objects.create(subject="Hebdo")

    editor_client.post(admin_url("fill", edition.pk))

    assert {item.article for item in edition.items.all()} == set(articles)


def test_fill_is_also_an_action_of_the_list(editor_client, section):
    ArticleFactory.create_batch(2, category=section)
    draft, sent = (NewsletterEdition.objects.create(subject=s) for s in ("Brouillon", "Partie"))
    sent.status = NewsletterEdition.Status.SENT
    sent.save()

    response = editor_client.post(
        admin_url("changelist"),
        {"action": "fill_from_latest_stories", "_selected_action": [draft.pk, sent.pk]},
    )

    assert response.status_code == 302
    assert draft.items.count() == 2
    assert sent.items.count() == 0


def test_fill_is_refused_once_the_edition_is_sent(editor_client, edition):
    edition.status = NewsletterEdition.Status.SENT
    edition.save()
    ArticleFactory()

    assert editor_client.post(admin_url("fill", edition.pk)).status_code == 403
    assert edition.items.count() == 2


def test_new_editions_record_their_author(editor_client, editor):
    response = editor_client.post(
        admin_url("add"),
        {
            "subject": "Nouvelle lettre",
            "intro": "",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert NewsletterEdition.objects.get(subject="Nouvelle lettre").created_by == editor
