from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.models import Article
from audience import counting
from newsroom.clients import client_network
from pagecache import versions

KNOWN_MAX = 10_000
_known = {"version": None, "published": {}}


def _is_published(article_id):
    """Whether readers may see ``article_id``: asked once per content version in each worker."""
    version = versions.current().key
    if _known["version"] != version or len(_known["published"]) >= KNOWN_MAX:
        _known["version"], _known["published"] = version, {}
    published = _known["published"].get(article_id)
    if published is None:
        published = Article.objects.published().filter(pk=article_id).exists()
        _known["published"][article_id] = published
    return published


# No CSRF token: the page that sends it is cached for every reader. A request from another
# site is refused by its Sec-Fetch-Site or Origin instead, and the beacon changes nothing
# but a count.
@csrf_exempt
@require_POST
@never_cache
def read(request, article_id):
    """The beacon of an article page (static/js/read-beacon.js): one view of the story."""
    if not counting.is_same_origin(request):
        return HttpResponse(status=403)
    if not counting.counts(request):
        return HttpResponse(status=204)
    if not counting.within_rate(client_network(request)):
        return HttpResponse(status=429)
    if not _is_published(article_id):
        return HttpResponse(status=404)
    counting.count(article_id)
    return HttpResponse(status=204)
