"""Known or unknown address: the request does the same work, and the worker decides what to send.

Timing told known addresses apart when the request itself looked the address up and sent the
e-mail. Now the signup and sign-in forms validate, rate-limit and queue one task with the
address, whoever it is; these tests pin that down with the production task queue (the database).
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from articles.models import Category
from subscriptions import tasks
from subscriptions.models import Subscriber
from tests.factories import UserFactory
from tests.subscriptions.factories import ReaderFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


def work_of(post, email):
    """What a request did, with the address and the per-request values (ids, times) blanked."""
    DBTaskResult.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        response = post(email)
    queued = [
        (task.task_path, repr(task.args_kwargs).replace(email, "ADDRESS"))
        for task in DBTaskResult.objects.all()
    ]
    content = re.sub(r"<main[^>]*>(.*?)</main>|.", r"\1", response.content.decode(), flags=re.S)
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "page": content.replace(email, "ADDRESS"),
        "queries": [_shape(query["sql"].replace(email, "ADDRESS")) for query in queries],
        "queued": queued,
    }


def _shape(sql):
    """A query without its literal values: what it does, not to which row or at what time."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql.replace("'ADDRESS'", "ADDRESS"))
    return re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)


def test_signup_does_the_same_work_for_new_pending_confirmed_and_unsubscribed_addresses(
    client, database_queue
):
    section = Category.objects.create(name="Politique", slug="politique")
    SubscriberFactory(email="attente@exemple.fr", last_email_at=timezone.now())
    SubscriberFactory(
        email="ancienne-attente@exemple.fr", last_email_at=timezone.now() - timedelta(days=9)
    )
    SubscriberFactory(email="confirmee@exemple.fr", confirmed=True)
    SubscriberFactory(email="partie@exemple.fr", unsubscribed=True)

    def post(email):
        data = {"email": email, "consent": "on", "sections": [section.pk], "source": "/"}
        return client.post(reverse("subscriptions:signup"), data, HTTP_ORIGIN=ORIGIN)

    post("premiere@exemple.fr")  # fills the caches every page uses (menu, latest articles)
    addresses = ["nouvelle", "attente", "ancienne-attente", "confirmee", "partie"]
    works = {name: work_of(post, f"{name}@exemple.fr") for name in addresses}

    first = works["nouvelle"]
    assert first["status"] == 302
    assert len(first["queued"]) == 1
    assert first["queued"][0][0] == "subscriptions.tasks.request_subscription"
    assert "ADDRESS" in first["queued"][0][1]
    assert [work for work in works.values() if work != first] == []
    assert mail.outbox == []
    assert Subscriber.objects.count() == 4  # the worker records signups, not the request


def test_sign_in_request_does_the_same_work_for_readers_unknown_staff_and_inactive_addresses(
    client, database_queue
):
    ReaderFactory(email="lecteur@exemple.fr")
    UserFactory(email="redaction@exemple.fr", is_staff=True)
    UserFactory(email="ancien@exemple.fr", is_active=False)

    def post(email):
        return client.post(reverse("subscriptions:login"), {"email": email})

    post("premiere@exemple.fr")  # fills the caches every page uses (menu, latest articles)
    addresses = ["lecteur", "inconnu", "redaction", "ancien"]
    works = {name: work_of(post, f"{name}@exemple.fr") for name in addresses}

    first = works["lecteur"]
    assert first["status"] == 200
    assert first["queued"] == [("subscriptions.tasks.send_login_link", first["queued"][0][1])]
    assert [work for work in works.values() if work != first] == []
    assert mail.outbox == []


def test_waiting_list_does_the_same_work_for_a_new_and_a_known_address(client):
    def post(email):
        return client.post(reverse("subscriptions:plans"), {"email": email}, HTTP_ORIGIN=ORIGIN)

    post("connue@exemple.fr")

    assert work_of(post, "connue@exemple.fr") == work_of(post, "nouvelle@exemple.fr")


def test_a_signup_whose_email_cannot_be_sent_leaves_no_row(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    response = client.post(
        reverse("subscriptions:signup"),
        {"email": "marie@exemple.fr", "consent": "on"},
        HTTP_ORIGIN=ORIGIN,
    )

    assert response.status_code == 302
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("language", ["en", None], ids=["other-language", "no-language"])
def test_emails_sent_by_the_worker_are_in_the_sites_language(language):
    ReaderFactory(email="lecteur@exemple.fr")

    with translation.override(language):  # a worker has no request, hence no reader's language
        tasks.send_login_link.enqueue("lecteur@exemple.fr")
        tasks.request_subscription.enqueue(
            email="marie@exemple.fr", section_ids=[], consent_text="J’accepte.", source_page="/"
        )

    assert [message.subject.split(" ")[0] for message in mail.outbox] == ["Votre", "Confirmez"]
