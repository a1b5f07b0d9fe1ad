"""The project's own app, and third-party apps under the names editors read in the admin's
menu."""

from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _
from taggit.apps import TaggitAppConfig


class TagsConfig(TaggitAppConfig):
    verbose_name = _("Tags")


class SignInLockoutsConfig(AxesConfig):
    verbose_name = _("Sign-in lockouts")


class AdminConfig(DjangoAdminConfig):
    # The admin's home page is the editors' desk (desk/sites.py).
    default_site = "desk.sites.DeskAdminSite"


class NewsroomConfig(AppConfig):
    # The project's own models: the sessions (newsroom/models.py, newsroom/sessions.py).
    name = "newsroom"
    verbose_name = _("Newsroom")
