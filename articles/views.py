from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, Author, Category


def article_page(request, article, *, preview=False):
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "category": article.category,
            "read_more_links": article.visible_read_more_links(),
            "related_articles": article.related_articles(),
            "preview": preview,
        },
    )


def article_detail(request, category, slug, pk):
    article = get_object_or_404(Article.objects.published().for_page(), pk=pk)
    # An old slug or section keeps working: send readers and search engines to the current URL.
    if slug != article.slug or category != article.category.slug:
        return redirect(article, permanent=True)
    return article_page(request, article)


@never_cache
def article_preview(request, pk):
    """Staff see any article exactly as readers will; everyone else finds nothing here."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
        raise Http404
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    response = article_page(request, article, preview=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class HomeView(ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().for_cards()


class CategoryView(ListView):
    template_name = "articles/category_detail.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        self.category = get_object_or_404(
            Category.objects.select_related("parent__parent"), slug=self.kwargs["slug"]
        )
        return Article.objects.published().filter(category=self.category).for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class AuthorView(ListView):
    template_name = "articles/author_detail.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        self.author = get_object_or_404(
            Author.objects.select_related("photo"), slug=self.kwargs["slug"]
        )
        return Article.objects.published().filter(bylines__author=self.author).for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class TagView(ListView):
    template_name = "articles/tag_detail.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
