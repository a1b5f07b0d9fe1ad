from django import template

from articles.templatetags.newsroom import fragment
from audience import ranking

register = template.Library()


@register.simple_tag
def most_read(level=2):
    """« Les plus lus »: the five stories most read in the last 24 hours. Rendered once per
    content version for each ranking (which changes apart from the content): on every page
    built again, it was five addresses built with ``reverse()``."""
    articles = ranking.most_read()
    ranked = ",".join(str(article.pk) for article in articles)
    return fragment(
        f"most-read:{level}:{ranked}", "components/most_read.html", articles=articles, level=level
    )
