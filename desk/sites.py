from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

# Django's French admin puts « de » before any model's name (« Ajout de article », « Modification
# de image »); the site's catalogue gives these titles a form that reads for every name. Named
# here so that `make messages` keeps them in locale/, which wins over Django's own.
ADMIN_TITLES = (gettext_noop("Add %s"), gettext_noop("Change %s"), gettext_noop("View %s"))


class DeskAdminSite(admin.AdminSite):
    """The admin, whose home page is the newsroom's desk above Django's list of models."""

    index_template = "admin/desk/index.html"
    index_title = gettext_lazy("Editorial office")
    # The desk home and the breadcrumbs lead everywhere: the list of models drawn beside every
    # page took a quarter of a 1366-pixel screen from the article list and form.
    enable_nav_sidebar = False

    @property
    def site_header(self):
        # The newsroom's own name (settings.NEWSROOM_SITE_NAME), as on its pages.
        return _("%(site)s — editorial office") % {"site": settings.NEWSROOM_SITE_NAME}

    @property
    def site_title(self):
        return settings.NEWSROOM_SITE_NAME

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def refusing_nul(request, *args, **kwargs):
            # A NUL in a list's filter or search reaches PostgreSQL, which refuses it (a 500).
            if any(
                "\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()
            ):
                raise BadRequest
            return inner(request, *args, **kwargs)

        return refusing_nul

    def index(self, request, extra_context=None):
        from desk.home import desk_for  # the models are not loaded when the site is built

        context = dict(extra_context or {})
        if request.user.has_perm("articles.view_article"):
            context["desk"] = desk_for(request.user)
            context["can_add_article"] = request.user.has_perm("articles.add_article")
        return super().index(request, context)
