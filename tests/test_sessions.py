"""Sessions and their user in one query: every guarantee of Django's ``auth.get_user`` kept
(newsroom/sessions.py)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT_URL = reverse("subscriptions:account")
BACKEND = "newsroom.sessions.UserBackend"
OLD_BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_model():
    return import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def with_cookie(key):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def is_signed_in(client):
    """Whether the account page opens (a visitor who is not signed in is sent to sign in)."""
    response = client.get(ACCOUNT_URL)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def session_of(user_id, backend=BACKEND, session_hash=""):
    """A session made as a sign-in makes it, with whatever it is given; returns its key."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user_id
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = session_hash
    store.save()
    return store.session_key


def user_queries(queries):
    """The queries that read the session or a user."""
    tables = (session_model()._meta.db_table, "auth_user")
    return [query["sql"] for query in queries if any(table in query["sql"] for table in tables)]


def test_sessions_live_in_the_newsroom_table_with_their_user():
    user = UserFactory()
    client = signed_in(user)

    row = session_model().objects.get(session_key=session_key(client))

    assert session_model()._meta.label == "newsroom.Session"
    assert row.user_id == user.pk


def test_a_signed_in_readers_kept_page_costs_one_query_for_the_session_and_the_reader(
    django_assert_num_queries,
):
    reading = signed_in(UserFactory())
    assert reading.get("/").status_code == 200

    with django_assert_num_queries(1) as queries:
        response = reading.get("/")

    assert response.status_code == 200 and response.page_cache_status == "hit"
    (sql,) = [query["sql"] for query in queries]
    assert session_model()._meta.db_table in sql and "auth_user" in sql


def test_staff_pages_read_the_session_and_the_user_in_one_query(editor_client):
    assert editor_client.get("/").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get("/")

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]  # built for staff, never kept
    (sql,) = user_queries(queries)
    assert session_model()._meta.db_table in sql and "auth_user" in sql


def test_the_account_page_shows_the_reader_whose_session_it_is():
    reader = UserFactory(email="lectrice@exemple.fr")
    UserFactory(email="autre@exemple.fr")

    response = signed_in(reader).get(ACCOUNT_URL)

    assert response.status_code == 200
    assert "lectrice@exemple.fr" in response.content.decode()
    assert "autre@exemple.fr" not in response.content.decode()


def test_signing_out_deletes_the_session_and_its_cookie_replayed_is_anonymous():
    client = signed_in(UserFactory())
    key = session_key(client)

    client.post(reverse("subscriptions:logout"))

    assert not session_model().objects.filter(session_key=key).exists()
    assert not is_signed_in(with_cookie(key))


def test_a_deleted_account_is_signed_out_everywhere_at_once():
    user = UserFactory()
    keys = [session_key(signed_in(user)) for _device in range(2)]
    other = signed_in(UserFactory())

    user.delete()

    assert not session_model().objects.filter(session_key__in=keys).exists()
    assert not any(is_signed_in(with_cookie(key)) for key in keys)
    assert is_signed_in(other)


def test_an_inactive_user_is_anonymous():
    user = UserFactory()
    client = signed_in(user)
    assert is_signed_in(client)

    user.is_active = False
    user.save()

    assert not is_signed_in(client)


def test_a_deactivated_account_is_signed_out_everywhere_so_reactivating_it_revives_no_session():
    # An account deactivated because a session of it was stolen, then reactivated: the stolen
    # cookie must not sign in again.
    user = UserFactory(is_staff=True)
    stolen = signed_in(user)
    key = session_key(stolen)
    other = session_key(signed_in(UserFactory()))

    user.is_active = False
    user.save()
    assert not session_model().objects.filter(session_key=key).exists()

    user.is_active = True
    user.save()
    assert not is_signed_in(stolen)
    assert stolen.get("/admin/").status_code == 302
    assert is_signed_in(with_cookie(other))  # nobody else's


def test_an_account_deactivated_in_the_admin_is_signed_out_everywhere(admin_client):
    user = UserFactory(is_staff=True)
    key = session_key(signed_in(user))
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(is_active="", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    data.pop("groups", None), data.pop("user_permissions", None), data.pop("last_login", None)

    assert admin_client.post(url, data).status_code == 302
    assert not session_model().objects.filter(session_key=key).exists()


def test_a_password_change_signs_the_other_sessions_out():
    user = UserFactory()
    elsewhere = signed_in(user)
    key = session_key(elsewhere)
    assert is_signed_in(elsewhere)

    user.set_password("un tout autre mot de passe")
    user.save()

    assert not is_signed_in(elsewhere)
    assert not session_model().objects.filter(session_key=key).exists()  # flushed


def test_a_session_signed_under_a_former_secret_key_stays_signed_in(settings):
    user = UserFactory()
    settings.SECRET_KEY = "the former secret key, long enough to sign with"
    client = signed_in(user)
    former_key = session_key(client)

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the new secret key, long enough to sign with too"

    assert is_signed_in(client)
    assert session_key(client) != former_key  # cycled, with the new hash
    assert is_signed_in(client)
    assert session_model().objects.get(session_key=session_key(client)).user_id == user.pk


def test_a_session_hash_no_secret_key_made_signs_out_and_is_flushed(settings):
    user = UserFactory()
    settings.SECRET_KEY = "a secret key since forgotten, long enough to sign with"
    forgotten_hash = user.get_session_auth_hash()
    settings.SECRET_KEY = "the new secret key, long enough to sign with too"
    key = session_of(str(user.pk), session_hash=forgotten_hash)

    assert not is_signed_in(with_cookie(key))
    assert not session_model().objects.filter(session_key=key).exists()


# JSON holds infinities (Infinity, -Infinity, NaN): int() raises OverflowError for the first two.
NO_USER_IDS = [
    "pas un nombre",
    "99999999999999999999",
    "",
    float("inf"),
    float("-inf"),
    float("nan"),
]


@pytest.mark.parametrize("user_id", NO_USER_IDS)
def test_a_session_naming_a_user_id_no_user_can_have_is_anonymous(user_id):
    key = session_of(user_id)  # saved all the same

    assert session_model().objects.get(session_key=key).user_id is None
    assert not is_signed_in(with_cookie(key))
    assert with_cookie(key).get("/").status_code == 200


@pytest.mark.parametrize("user_id", NO_USER_IDS)
def test_an_async_view_finds_nobody_in_a_session_naming_a_user_id_no_user_can_have(user_id):
    from asgiref.sync import async_to_sync
    from django.test import RequestFactory

    from newsroom.sessions import SessionStore, SessionUserMiddleware

    request = RequestFactory().get("/")
    request.session = SessionStore(session_of(user_id))
    SessionUserMiddleware(lambda request: None).process_request(request)

    assert not async_to_sync(request.auser)().is_authenticated


def test_a_session_naming_no_user_is_anonymous():
    user = UserFactory()
    key = session_of(str(user.pk + 1000), session_hash=user.get_session_auth_hash())

    assert not is_signed_in(with_cookie(key))


def test_a_session_naming_a_backend_not_installed_is_anonymous():
    user = UserFactory()
    key = session_of(
        str(user.pk), backend="axes.backends.AxesBackend", session_hash=user.get_session_auth_hash()
    )

    assert not is_signed_in(with_cookie(key))


def test_the_user_a_session_loaded_is_forgotten_after_its_request(django_assert_num_queries):
    from newsroom.sessions import UserBackend

    user = UserFactory()
    assert is_signed_in(signed_in(user))
    assert not is_signed_in(Client())  # the same thread, no cookie

    with django_assert_num_queries(1):  # read again, not the object of the request before
        assert UserBackend().get_user(user.pk) == user


def test_clearsessions_removes_expired_sessions():
    kept = session_key(signed_in(UserFactory()))
    expired = session_key(signed_in(UserFactory()))
    session_model().objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    call_command("clearsessions")

    assert list(session_model().objects.values_list("session_key", flat=True)) == [kept]


def test_django_contrib_sessions_stays_installed_for_its_command():
    assert apps.is_installed("django.contrib.sessions")


def test_the_admin_confirming_a_users_deletion_lists_their_sessions_without_their_keys():
    user = UserFactory()
    key = session_key(signed_in(user))
    admin = signed_in(UserFactory(is_staff=True, is_superuser=True))

    response = admin.get(reverse("admin:auth_user_delete", args=[user.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Session jusqu’au" in content
    assert key not in content


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_empties_the_former_session_table_so_a_rollback_revives_no_session():
    from django.contrib.sessions.backends.db import SessionStore as FormerStore
    from django.contrib.sessions.models import Session as FormerSession

    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([("newsroom", "0001_initial")])
    former = FormerStore()
    former[SESSION_KEY] = str(user.pk)
    former[BACKEND_SESSION_KEY] = OLD_BACKEND
    former[HASH_SESSION_KEY] = user.get_session_auth_hash()
    former.save()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("newsroom"))

    assert not FormerSession.objects.exists()
    assert not is_signed_in(with_cookie(former.session_key))  # signed out once, at the upgrade


def test_the_session_and_user_read_together_are_those_the_orm_reads():
    user = UserFactory(is_staff=True, last_login=timezone.now() - timedelta(days=1))
    key = session_key(signed_in(user))
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)

    assert store.load()[SESSION_KEY] == str(user.pk)

    stored = session_model().objects.get(session_key=key)
    loaded = store.loaded_user
    fields = [field.attname for field in type(user)._meta.concrete_fields]
    expected = type(user).objects.get(pk=user.pk)
    assert [getattr(loaded, name) for name in fields] == [
        getattr(expected, name) for name in fields
    ]
    assert loaded.is_staff is True and loaded._state.adding is False
    read = import_module(settings.SESSION_ENGINE).SessionStore(key)._get_session_from_db()
    columns = [field.attname for field in session_model()._meta.concrete_fields]
    assert [getattr(read, name) for name in columns] == [getattr(stored, name) for name in columns]


def test_a_user_model_whose_fields_are_in_a_parent_table_is_refused_plainly(monkeypatch):
    """The session's statement joins the user model's own table: a user model with a parent
    table (multi-table inheritance) would read columns that are not there."""
    from newsroom import sessions

    monkeypatch.setattr(get_user_model()._meta, "parents", {object: None})

    with pytest.raises(ImproperlyConfigured):
        sessions._Statement.of.__wrapped__(sessions._Statement, "default")


def test_an_async_view_gets_the_user_the_session_loaded():
    from asgiref.sync import async_to_sync
    from django.test import RequestFactory

    from newsroom.sessions import SessionStore, SessionUserMiddleware

    user = UserFactory()
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key(signed_in(user)))
    SessionUserMiddleware(lambda request: None).process_request(request)

    with CaptureQueriesContext(connection) as queries:
        assert async_to_sync(request.auser)() == user

    assert len(user_queries(queries)) == 1


def test_a_session_the_database_could_not_save_is_the_503_page_not_a_session_interrupted(
    settings, monkeypatch
):
    # Django's store takes every database error of an update for a session deleted meanwhile
    # (SessionInterrupted: a 400 that tells of a sign-out): a connection lost is the 503 page.
    settings.SESSION_SAVE_EVERY_REQUEST = True
    client = signed_in(UserFactory())
    client.raise_request_exception = False

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(session_model(), "save", unreachable)
    response = client.get(ACCOUNT_URL)

    assert response.status_code == 503


def test_a_session_the_database_could_not_save_asynchronously_is_no_session_interrupted(
    monkeypatch,
):
    from asgiref.sync import async_to_sync

    store = import_module(settings.SESSION_ENGINE).SessionStore(
        session_key(signed_in(UserFactory()))
    )
    store["seen"] = True

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(session_model(), "save", unreachable)
    with pytest.raises(OperationalError):
        async_to_sync(store.asave)()


def test_a_session_deleted_before_its_save_is_still_interrupted():
    from django.contrib.sessions.backends.base import UpdateError

    store = import_module(settings.SESSION_ENGINE).SessionStore(
        session_key(signed_in(UserFactory()))
    )
    store["seen"] = True
    session_model().objects.filter(session_key=store.session_key).delete()  # signed out

    with pytest.raises(UpdateError):
        store.save()
