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
import logging
from functools import partial

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core.exceptions import SuspiciousOperation, ValidationError
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
            session = self._unexpired().get()
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            return self._not_found(e)
        self.loaded_user = session.user
        return session

    async def _aget_session_from_db(self):
        try:
            session = await self._unexpired().aget()
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            return self._not_found(e)
        self.loaded_user = session.user
        return session

    def _unexpired(self):
        """Django's query, with the user joined."""
        return self.model.objects.select_related("user").filter(
            session_key=self.session_key, expire_date__gt=timezone.now()
        )

    def _not_found(self, error):
        # As Django's store: a new session, the suspicious operation logged.
        if isinstance(error, SuspiciousOperation):
            logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
            logger.warning(str(error))
        self._session_key = None


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
