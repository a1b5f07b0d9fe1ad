"""Sessions in the database, each read with the user it signs in: one query, not two.

Django reads a signed-in visitor's session (one query), then ``ModelBackend.get_user`` reads
the user (another). Here the session row names its user (``newsroom.models.Session.user``, set
from the session's data whenever it is saved) and is read joined to it; the backend then
hands Django's own ``auth.get_user`` the user already loaded, which checks everything it
always checks: the backend named in the session, the session hash (and the former secret keys
of ``SECRET_KEY_FALLBACKS``; a mismatch flushes the session), an inactive user refused.

The loaded user goes from the session to the backend through a context variable, set only
around ``auth.get_user`` for the request: a thread that serves the next request never finds
it. The backend uses the loaded user only for the very id asked, and reads the user as
``ModelBackend`` does otherwise.
"""

import contextvars
import functools
import logging
from dataclasses import dataclass
from functools import partial

from asgiref.sync import sync_to_async
from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation, ValidationError
from django.db import connections, router
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from newsroom.models import Session
from newsroom.views import DATABASE_UNREACHABLE

BACKEND = "newsroom.sessions.UserBackend"

# The session store of the request whose user ``auth.get_user`` is reading, and only then.
_reading = contextvars.ContextVar("newsroom.sessions.reading", default=None)
# What reading a user id no user could have raises: the field's error, and int()'s for the
# infinities JSON holds (``Infinity``), which Django's integer fields let through.
NO_USER_ID = (ValidationError, OverflowError)


class SessionStore(db.SessionStore):
    """Django's database sessions, with the user's id in its own column and the user read
    with the session."""

    loaded_user = None

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data.get(SESSION_KEY))
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.user_id = _user_id(data.get(SESSION_KEY))
        return session

    def save(self, must_create=False):
        try:
            return super().save(must_create)
        except UpdateError as error:
            raise _unreachable(error) from None

    async def asave(self, must_create=False):
        try:
            return await super().asave(must_create)
        except UpdateError as error:
            raise _unreachable(error) from None

    def _get_session_from_db(self):
        try:
            session, self.loaded_user = _read_with_user(self.session_key)
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            return self._not_found(e)
        return session

    async def _aget_session_from_db(self):
        return await sync_to_async(self._get_session_from_db)()

    def _not_found(self, error):
        # As Django's store: a new session, the suspicious operation logged.
        if isinstance(error, SuspiciousOperation):
            logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
            logger.warning(str(error))
        self._session_key = None


@dataclass(frozen=True)
class _Statement:
    """The query of an unexpired session joined to its user, written once per process and
    database: what ``Session.objects.select_related("user").get(…)`` sends, without building
    and compiling that query for every request (three quarters of the read's time). Each
    value goes through the converters the ORM would apply (SQLite's dates and booleans)."""

    sql: str
    models: tuple  # (Session, the user model), each with its fields, in the row's order
    converters: list  # [(a column, its backend's and its field's converters)]

    @classmethod
    @functools.cache
    def of(cls, alias):
        connection = connections[alias]
        name = connection.ops.quote_name
        user = Session._meta.get_field("user")
        if user.related_model._meta.parents:
            raise ImproperlyConfigured(
                "newsroom.sessions reads the user's own table: a user model whose fields are "
                "in a parent model's table is not supported."
            )
        models = tuple(
            (model, model._meta.concrete_fields) for model in (Session, user.related_model)
        )
        columns = [
            field.get_col(model._meta.db_table) for model, fields in models for field in fields
        ]
        sessions, users = (name(model._meta.db_table) for model, _fields in models)
        selected = ", ".join(f"{name(col.alias)}.{name(col.target.column)}" for col in columns)
        sql = (
            f"SELECT {selected} FROM {sessions} LEFT OUTER JOIN {users} "
            f"ON {sessions}.{name(user.column)} = {users}.{name(user.target_field.column)} "
            f"WHERE {sessions}.{name('session_key')} = %s AND {sessions}.{name('expire_date')} > %s"
        )
        converters = [
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            for col in columns
        ]
        return cls(sql, models, converters)

    def read(self, alias, session_key):
        """(the session, its user or None); ``Session.DoesNotExist`` for none unexpired."""
        connection = connections[alias]
        now = Session._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [session_key, now])
            row = cursor.fetchone()
        if row is None:
            raise Session.DoesNotExist
        values = list(row)
        for index, (col, converters) in enumerate(self.converters):
            for convert in converters:
                values[index] = convert(values[index], col, connection)
        (session_model, session_fields), (user_model, user_fields) = self.models
        session_values, user_values = values[: len(session_fields)], values[len(session_fields) :]
        session = session_model.from_db(alias, [f.attname for f in session_fields], session_values)
        if user_values[user_fields.index(user_model._meta.pk)] is None:
            return session, None  # nobody signed in, or a user deleted meanwhile
        return session, user_model.from_db(alias, [f.attname for f in user_fields], user_values)


def _read_with_user(session_key):
    """The unexpired session ``session_key`` and the user it signs in (None for nobody, or a
    user deleted meanwhile), in one query on the database Django's router reads sessions
    from."""
    alias = router.db_for_read(Session)
    return _Statement.of(alias).read(alias, session_key)


def _unreachable(error):
    """Django's store takes any database error of an update for a session deleted meanwhile
    (``UpdateError``: SessionMiddleware's 400, a sign-out in another request). A database that
    could not be reached is that error itself, the 503 page."""
    cause = error.__context__
    return cause if isinstance(cause, DATABASE_UNREACHABLE) else error


def _user_id(value):
    """The user id the session's data names, or None for anything no user could have (the
    data is the site's own, signed; whatever a bug put there must not fail the save)."""
    field = Session._meta.get_field("user").target_field
    try:
        user_id = field.to_python(value)
        if user_id is not None:
            field.run_validators(user_id)  # within the column's range
    except (*NO_USER_ID, TypeError):
        return None
    return user_id


class UserBackend(ModelBackend):
    """``ModelBackend``, which takes the user its session loaded instead of reading it again."""

    def get_user(self, user_id):
        user = self._loaded(user_id)
        if user is None:
            return super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        user = self._loaded(user_id)
        if user is None:
            return await super().aget_user(user_id)
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _loaded(user_id):
        user = getattr(_reading.get(), "loaded_user", None)
        return user if user is not None and user.pk == user_id else None


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``, whose user is read with the session."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))
        request.auser = partial(_acached_user, request)


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        token = _reading.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        except NO_USER_ID:  # a user id no user could have: nobody, not a 500
            request._cached_user = AnonymousUser()
        finally:
            _reading.reset(token)
    return request._cached_user


async def _acached_user(request):
    if not hasattr(request, "_acached_user"):
        token = _reading.set(request.session)
        try:
            request._acached_user = await auth.aget_user(request)
        except NO_USER_ID:
            request._acached_user = AnonymousUser()
        finally:
            _reading.reset(token)
    return request._acached_user
