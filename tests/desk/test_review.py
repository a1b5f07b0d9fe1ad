"""Review that reaches people: submitting and sending back from the article form, the e-mails
the worker sends, the rights checked on every path, and notes readers never see."""

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from desk import notifications
from desk.models import EditorialNote, ReviewEvent
from tests.articles.test_admin import form_data, submit
from tests.desk.conftest import story_of
from tests.factories import CategoryFactory, UserFactory

ADD_URL = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_author_submits_a_draft_for_review_and_every_editor_is_told(
    author_client, author_user, editor, colleague
):
    article = story_of(author_user, draft=True, title="La crue de la Seine")

    response = submit(author_client, change_url(article), _submit_review="1", lead="Nouveau.")

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert article.lead == "Nouveau."  # the form is saved with the submission
    event = ReviewEvent.objects.get(article=article)
    assert (event.kind, event.actor) == (ReviewEvent.Kind.SUBMITTED, author_user)
    assert [message.to for message in mail.outbox] == [[editor.email]]  # not the colleague
    message = mail.outbox[0]
    assert message.subject == "À relire : La crue de la Seine"
    assert "a soumis « La crue de la Seine » à la relecture" in message.body
    assert f"{settings.NEWSROOM_SITE_URL.rstrip('/')}{change_url(article)}" in message.body


def test_a_new_article_can_be_submitted_straight_from_the_add_form(author_client, editor):
    category = CategoryFactory()
    fields = {
        "title": "Le Sénat adopte la réforme",
        "slug": "le-senat-adopte-la-reforme",
        "lead": "Le texte a été voté dans la nuit.",
        "category": str(category.pk),
        "_submit_review": "1",
    }

    response = submit(author_client, ADD_URL, **fields)

    assert response.status_code == 302
    article = Article.objects.get(slug="le-senat-adopte-la-reforme")
    assert article.status == Article.Status.REVIEW
    assert len(mail.outbox) == 1


def test_the_submission_is_queued_for_the_worker(
    author_client, author_user, editor, database_queue
):
    article = story_of(author_user, draft=True)

    submit(author_client, change_url(article), _submit_review="1")

    assert mail.outbox == []  # nothing sent inside the request
    task = DBTaskResult.objects.get()
    assert task.task_path == "desk.tasks.notify_review"
    event = ReviewEvent.objects.get()
    assert task.args_kwargs["args"] == [event.pk]
    assert notifications.send(event.pk) == 1  # what the worker does
    assert mail.outbox[0].to == [editor.email]


def test_editor_sends_a_story_back_with_a_note_and_its_authors_are_told(
    editor_client, author_user, colleague, editor
):
    article = story_of(author_user, status=Article.Status.REVIEW, published_at=None)
    article.bylines.create(author=colleague.author_profile, position=1)

    response = submit(
        editor_client,
        change_url(article),
        _send_back="1",
        review_note="Il manque la réaction du maire.",
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    event = ReviewEvent.objects.get(article=article)
    assert event.kind == ReviewEvent.Kind.SENT_BACK
    assert event.note == "Il manque la réaction du maire."
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [author_user.email, colleague.email]
    )
    assert "Il manque la réaction du maire." in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Renvoyé pour reprise : ")


def test_the_send_back_note_shows_on_the_authors_desk_and_form(
    editor_client, author_client, author_user
):
    article = story_of(author_user, status=Article.Status.REVIEW, published_at=None)
    submit(editor_client, change_url(article), _send_back="1", review_note="Vérifiez le chiffre.")

    desk = author_client.get(reverse("admin:index")).content.decode()
    form = author_client.get(change_url(article)).content.decode()

    assert "Vérifiez le chiffre." in desk
    assert "Renvoyé par Claire" in desk
    assert "Vérifiez le chiffre." in form


def test_the_buttons_each_role_is_offered(editor_client, author_client, author_user):
    draft = story_of(author_user, draft=True)
    in_review = story_of(author_user, status=Article.Status.REVIEW, published_at=None)

    author_draft = author_client.get(change_url(draft)).content.decode()
    author_review = author_client.get(change_url(in_review)).content.decode()
    editor_review = editor_client.get(change_url(in_review)).content.decode()

    assert "Soumettre à la relecture" in author_draft
    assert 'name="_send_back"' not in author_draft + author_review
    assert 'name="_send_back"' in editor_review
    assert 'name="review_note"' in editor_review
    # Django's own buttons come first: Enter in a field saves, never submits for review.
    assert author_draft.index('name="_save"') < author_draft.index('name="_submit_review"')


def test_author_cannot_send_back_by_crafted_post(author_client, author_user, colleague):
    article = story_of(author_user, status=Article.Status.REVIEW, published_at=None)
    data = form_data(author_client.get(change_url(article)))

    response = author_client.post(change_url(article), {**data, "_send_back": "1"})

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert not ReviewEvent.objects.exists()
    assert mail.outbox == []


def test_author_cannot_publish_by_crafted_post_with_the_submit_button(author_client, author_user):
    article = story_of(author_user, draft=True)

    response = submit(author_client, change_url(article), status="published", _submit_review="1")

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert mail.outbox == []


def test_a_story_not_in_review_cannot_be_sent_back(editor_client, author_user):
    article = story_of(author_user, draft=True)
    data = form_data(editor_client.get(change_url(article)))

    response = editor_client.post(change_url(article), {**data, "_send_back": "1", "title": "X"})

    assert response.status_code == 400
    article.refresh_from_db()
    assert article.title != "X"  # nothing half-saved
    assert not ReviewEvent.objects.exists()


def test_a_note_too_long_is_refused_whole(editor_client, author_user):
    article = story_of(author_user, status=Article.Status.REVIEW, published_at=None)
    data = form_data(editor_client.get(change_url(article)))

    response = editor_client.post(
        change_url(article), {**data, "_send_back": "1", "review_note": "x" * 1001}
    )

    assert response.status_code == 400
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_an_author_withdrawing_their_story_from_review_tells_nobody(author_client, author_user):
    article = story_of(author_user, status=Article.Status.REVIEW, published_at=None)

    submit(author_client, change_url(article), status="draft")

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not ReviewEvent.objects.exists()
    assert mail.outbox == []


def test_the_status_drop_down_is_a_submission_too(author_client, author_user, editor):
    article = story_of(author_user, draft=True)

    submit(author_client, change_url(article), status="review")

    assert ReviewEvent.objects.get().kind == ReviewEvent.Kind.SUBMITTED
    assert len(mail.outbox) == 1


# Internal notes


def _add_note(client, article, text):
    data = form_data(client.get(change_url(article)))
    prefix = "editorial_notes"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    data[f"{prefix}-{total}-text"] = text
    data[f"{prefix}-{total}-article"] = str(article.pk)
    return client.post(change_url(article), data)


def test_editor_leaves_a_note_that_readers_never_see(editor_client, editor, author_user, client):
    article = story_of(author_user)  # published

    response = _add_note(editor_client, article, "Source confidentielle : ne pas citer.")

    assert response.status_code == 302
    note = EditorialNote.objects.get()
    assert (note.article, note.author) == (article, editor)
    form = editor_client.get(change_url(article)).content.decode()
    assert "Source confidentielle" in form
    for path in (article.get_absolute_url(), "/", article.category.get_absolute_url()):
        page = client.get(path)
        assert page.status_code == 200
        assert "Source confidentielle" not in page.content.decode()
    preview = editor_client.get(article.get_preview_url())
    assert "Source confidentielle" not in preview.content.decode()


def test_author_reads_notes_on_their_story_but_cannot_write_one(author_client, author_user, editor):
    article = story_of(author_user, draft=True)
    EditorialNote.objects.create(article=article, author=editor, text="Bon angle.")

    page = author_client.get(change_url(article))
    assert "Bon angle." in page.content.decode()
    response = _add_note(author_client, article, "Note glissée par un rédacteur")

    assert response.status_code == 302  # the article saved, the extra note ignored
    assert list(EditorialNote.objects.values_list("text", flat=True)) == ["Bon angle."]


def test_only_active_editors_with_an_address_are_told_of_a_submission(
    author_client, author_user, editor
):
    UserFactory(is_staff=True, is_active=False, groups=["Éditeurs"])  # left the newsroom
    UserFactory(is_staff=True, email="", groups=["Éditeurs"])
    UserFactory(is_staff=True, is_superuser=True)  # the technical administrator
    article = story_of(author_user, draft=True)

    submit(author_client, change_url(article), _submit_review="1")

    assert [message.to for message in mail.outbox] == [[editor.email]]


def test_author_never_reads_the_notes_on_a_colleagues_story(author_client, editor, colleague):
    article = story_of(colleague)  # published: every author may open it, read-only
    EditorialNote.objects.create(article=article, author=editor, text="Source confidentielle.")

    page = author_client.get(change_url(article))

    assert page.status_code == 200
    assert "Source confidentielle." not in page.content.decode()


def test_an_author_moving_a_story_in_and_out_of_review_tells_the_editors_once(
    author_client, author_user, editor
):
    article = story_of(author_user, draft=True)

    for _ in range(5):
        submit(author_client, change_url(article), _submit_review="1")
        submit(author_client, change_url(article), status=Article.Status.DRAFT)

    assert len(mail.outbox) == 1
    assert ReviewEvent.objects.filter(kind=ReviewEvent.Kind.SUBMITTED).count() == 5
