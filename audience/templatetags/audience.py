from django import template

from audience import ranking

register = template.Library()


@register.inclusion_tag("components/most_read.html")
def most_read(level=2):
    """« Les plus lus »: the five stories most read in the last 24 hours."""
    return {"articles": ranking.most_read(), "level": level}
