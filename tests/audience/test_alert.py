"""The breaking-news banner (« Alerte »): on every reader page at once, gone by itself at its
end time, never two at a time, set by editors alone, purged from the CDN."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audience.models import Alert
from pagecache.models import PendingPurge
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TEXT = "Séisme de magnitude 6 dans les Alpes"


@pytest.fixture
def story():
    return ArticleFactory(category=CategoryFactory(slug="monde"), title="Un séisme dans les Alpes")


def _pages(story):
    return ["/", story.get_absolute_url(), "/monde/", "/recherche/?q=seisme", "/newsletter/"]


def _get(url):
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _alert(**fields):
    fields = {"text": TEXT, "link": "https://exemple.fr/seisme", **fields}
    return Alert.objects.create(**fields)


def test_an_alert_shows_at_once_on_every_page_and_goes_away_at_its_end_time(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            story = ArticleFactory(category=CategoryFactory(slug="monde"), title="Un séisme")
        for url in _pages(story):  # every page kept in the cache, without the alert
            assert TEXT not in _get(url)
            assert TEXT not in _get(url)
        with django_capture_on_commit_callbacks(execute=True):
            _alert(ends_at=NOW + timedelta(minutes=5))

        for url in _pages(story):
            page = _get(url)
            assert TEXT in page, url
            assert 'href="https://exemple.fr/seisme"' in page

        clock.move_to(NOW + timedelta(minutes=4, seconds=59))
        with CaptureQueriesContext(connection) as queries:
            assert TEXT in _get("/")
        assert [q["sql"] for q in queries] == []  # still the cached page

        clock.move_to(NOW + timedelta(minutes=5, seconds=1))
        for url in _pages(story):
            assert TEXT not in _get(url), url


def test_the_banner_is_a_labelled_region_not_an_alert_role(story):
    _alert(ends_at=timezone.now() + timedelta(hours=1))
    page = _get("/")
    assert '<section class="site-alert" aria-labelledby="site-alert-label">' in page
    assert "Alerte</strong>" in page
    assert 'role="alert"' not in page


def test_never_two_alerts_at_a_time_in_the_database():
    _alert(ends_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.bulk_create(
            [Alert(text="Autre", link="https://exemple.fr/", ends_at=timezone.now())]
        )


def test_a_new_alert_retires_one_whose_time_has_come():
    old = _alert(ends_at=timezone.now() - timedelta(minutes=1))
    new = _alert(text="Nouvelle alerte", ends_at=timezone.now() + timedelta(hours=1))
    old.refresh_from_db()
    assert not old.is_current
    assert list(Alert.objects.running()) == [new]


def _form(**fields):
    end = timezone.localtime() + timedelta(hours=1)
    return {
        "text": TEXT,
        "link": "https://exemple.fr/seisme",
        "ends_at_0": end.strftime("%d/%m/%Y"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        **fields,
    }


def test_an_editor_sets_an_alert_in_the_admin(editor_client, editor):
    response = editor_client.post(reverse("admin:audience_alert_add"), _form())
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.created_by == editor
    assert alert.is_running()


def test_a_second_alert_is_refused_in_french_while_one_is_shown(editor_client):
    _alert(ends_at=timezone.now() + timedelta(hours=1))
    response = editor_client.post(reverse("admin:audience_alert_add"), _form(text="Autre"))
    assert response.status_code == 200
    assert "Une alerte est déjà affichée jusqu’au" in response.content.decode()
    assert Alert.objects.count() == 1


def test_an_end_time_in_the_past_is_refused_in_french(editor_client):
    past = timezone.localtime() - timedelta(hours=1)
    response = editor_client.post(
        reverse("admin:audience_alert_add"),
        _form(ends_at_0=past.strftime("%d/%m/%Y"), ends_at_1=past.strftime("%H:%M:%S")),
    )
    assert response.status_code == 200
    assert "L’heure de fin doit être dans le futur." in response.content.decode()
    assert not Alert.objects.exists()


def test_an_editor_ends_an_alert_now(editor_client):
    alert = _alert(ends_at=timezone.now() + timedelta(hours=1))
    assert TEXT in _get("/")
    response = editor_client.post(
        reverse("admin:audience_alert_changelist"),
        {"action": "end_now", "_selected_action": [alert.pk]},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert not alert.is_running()
    assert TEXT not in _get("/")


def test_authors_cannot_see_nor_set_alerts(author_client):
    assert author_client.get(reverse("admin:audience_alert_changelist")).status_code == 403
    response = author_client.post(reverse("admin:audience_alert_add"), _form())
    assert response.status_code == 403
    assert not Alert.objects.exists()


def test_editors_may_set_and_end_alerts_but_not_delete_them():
    codenames = set(
        Permission.objects.filter(
            group__name="Éditeurs", content_type__app_label="audience"
        ).values_list("codename", flat=True)
    )
    assert codenames == {"add_alert", "change_alert", "view_alert"}


def test_the_alert_purges_every_page_when_it_starts_and_again_at_its_end(
    settings, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_BACKEND = "fastly"
    end = timezone.now() + timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=False):
        _alert(ends_at=end)
    pending = list(PendingPurge.objects.order_by("due_at").values_list("key", "due_at"))
    assert [key for key, _due in pending] == ["site", "site"]  # now, and at its end
    assert pending[-1][1] == end


def test_ending_an_alert_early_purges_every_page(
    settings, editor_client, django_capture_on_commit_callbacks
):
    alert = _alert(ends_at=timezone.now() + timedelta(hours=1))
    settings.CDN_PURGE_BACKEND = "fastly"
    with django_capture_on_commit_callbacks(execute=False):
        editor_client.post(
            reverse("admin:audience_alert_changelist"),
            {"action": "end_now", "_selected_action": [alert.pk]},
        )
    assert set(PendingPurge.objects.values_list("key", flat=True)) == {"site"}


def test_an_ended_alert_given_a_later_end_time_shows_again(editor_client):
    alert = _alert(ends_at=timezone.now() + timedelta(hours=1))
    Alert.objects.filter(pk=alert.pk).update(is_current=False, ends_at=timezone.now())
    assert TEXT not in _get("/")
    response = editor_client.post(reverse("admin:audience_alert_change", args=[alert.pk]), _form())
    assert response.status_code == 302
    assert TEXT in _get("/")


def test_an_alert_set_by_another_editor_between_the_check_and_the_save_is_a_french_error(
    editor_client, monkeypatch
):
    # Two editors press « Enregistrer » at the same moment: both forms pass their check, the
    # database lets one alert in; the other editor reads why, never a server error.
    checked = Alert.clean

    def clean_then_someone_else_saves(alert):
        checked(alert)
        if not Alert.objects.exists():
            _alert(text="L’alerte de l’autre", ends_at=timezone.now() + timedelta(hours=1))

    monkeypatch.setattr(Alert, "clean", clean_then_someone_else_saves)
    editor_client.raise_request_exception = False

    response = editor_client.post(reverse("admin:audience_alert_add"), _form(), follow=True)

    assert response.status_code == 200
    assert "Une autre alerte vient d’être enregistrée" in response.content.decode()
    # (the other editor's alert, made inside this request's transaction here, went with it)
    assert not Alert.objects.filter(text=TEXT).exists()
