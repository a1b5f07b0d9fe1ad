from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("recherche/", views.search_view, name="search"),
    path("apercu/<int:pk>/", views.article_preview, name="preview"),
    path("auteurs/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("direct/<int:pk>/entrees/", views.live_entries, name="live_entries"),
    path("direct/entree/<int:pk>/", views.live_entry, name="live_entry"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("<slug:category>/<slug:slug>-<int:pk>/", views.article_detail, name="detail"),
    path("<slug:slug>/", views.CategoryView.as_view(), name="category"),
]
