from importlib import import_module

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Session(AbstractBaseSession):
    """A session and the user it signs in, read together in one query (newsroom/sessions.py).

    No database constraint on the user: a session naming a user deleted meanwhile never fails
    a save. Deleting a user through the ORM still deletes their sessions (CASCADE): a deleted
    account is signed out everywhere at once; so is a deactivated one (below)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        verbose_name=_("user"),
    )

    class Meta(AbstractBaseSession.Meta):
        pass

    def __str__(self):
        # Never the key, which signs its holder in: the admin lists a user's sessions on the
        # page that confirms the user's deletion.
        return gettext("Session until %(date)s") % {
            "date": formats.date_format(timezone.localtime(self.expire_date), "DATETIME_FORMAT")
        }

    @classmethod
    def get_session_store_class(cls):
        return import_module(settings.SESSION_ENGINE).SessionStore  # newsroom.sessions


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="newsroom.sign_out_inactive")
def sign_out_inactive(sender, instance, **kwargs):
    """A deactivated account is signed out everywhere: an inactive user's session is anonymous
    anyway, and reactivating the account (once a stolen session was found, say) must not sign
    in again whoever holds one."""
    if not instance.is_active:
        Session.objects.filter(user_id=instance.pk).delete()
