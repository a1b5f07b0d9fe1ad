from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView, TemplateView

from articles import sitemaps
from articles.admin import view_on_site
from articles.feeds import AuthorFeed, CategoryFeed, LatestArticlesFeed, TagFeed
from articles.sitemaps import SITEMAPS
from newsroom.lockout import SignInForm
from pagecache.pages import reader_page

feed_patterns = [
    path("", reader_page(LatestArticlesFeed()), name="latest"),
    path("auteurs/<slug:slug>/", reader_page(AuthorFeed()), name="author"),
    path("tags/<slug:slug>/", reader_page(TagFeed()), name="tag"),
    path("<slug:slug>/", reader_page(CategoryFeed()), name="category"),
]

sitemap_patterns = [
    path("sitemap.xml", reader_page(sitemaps.index), {"sitemaps": SITEMAPS}, name="index"),
    # Before the generic pattern: the index's link to the "news" section is served here, with
    # Google News tags.
    path(
        "sitemap-news.xml",
        reader_page(sitemap_views.sitemap, page_parameter="p"),
        {"sitemaps": SITEMAPS, "section": "news", "template_name": "sitemaps/news.xml"},
        name="news",
    ),
    path(
        "sitemap-<str:section>.xml",
        reader_page(sitemap_views.sitemap, page_parameter="p"),
        {"sitemaps": SITEMAPS},
        name="section",
    ),
]

admin.site.login_form = SignInForm

urlpatterns = [
    # Before the admin's own: it would name the address of any article to any staff member.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin-view-on-site",
    ),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on every page, the admin's included.
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg")),
    # The site's colours, from settings (no inline style on reader pages); its address changes
    # with them.
    path(
        "theme.css",
        cache_control(public=True, max_age=365 * 24 * 3600, immutable=True)(
            TemplateView.as_view(template_name="theme.css", content_type="text/css; charset=utf-8")
        ),
        name="theme",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
    ),
    path("rss/", include((feed_patterns, "feeds"))),
    path("", include((sitemap_patterns, "sitemaps"))),
    path("", include("subscriptions.urls")),
    path("", include("audience.urls")),
    # Last: its section pattern (/<slug>/) would take any other one-segment path.
    path("", include("articles.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.NEWSROOM_BENCHMARK:
    urlpatterns.append(path("bench/", include("benchmark.urls")))

handler500 = "newsroom.views.server_error"
