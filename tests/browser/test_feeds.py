"""The RSS feed and the sitemaps, fetched as a feed reader or a crawler would."""

import xml.etree.ElementTree as ET

import feedparser

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_rss_feed_parses_and_lists_published_stories_only(page, live_server, newsroom):
    response = page.request.get(f"{live_server.url}/rss/")

    assert response.ok
    assert response.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.language == "fr"
    titles = [entry.title for entry in feed.entries]
    assert set(titles) == {story.title for story in newsroom.published}
    assert newsroom.draft.title not in titles
    lead = next(entry for entry in feed.entries if entry.title == newsroom.lead_story.title)
    assert lead.link == f"{live_server.url}{newsroom.lead_story.get_absolute_url()}"


def _parse(page, url):
    response = page.request.get(url)
    assert response.ok, url
    return ET.fromstring(response.body())


def test_sitemap_index_and_its_sitemaps_parse_and_list_readers_pages(page, live_server, newsroom):
    index = _parse(page, f"{live_server.url}/sitemap.xml")

    assert index.tag == f"{SITEMAP}sitemapindex"
    sitemaps = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert sitemaps and all(url.startswith(live_server.url) for url in sitemaps)
    urls = set()
    for url in sitemaps:
        sitemap = _parse(page, url)
        assert sitemap.tag == f"{SITEMAP}urlset"
        urls.update(loc.text for loc in sitemap.iter(f"{SITEMAP}loc"))

    expected = {
        *(story.get_absolute_url() for story in newsroom.published),
        "/actualite/",
        "/international/",
        "/culture/",
        "/auteurs/marie-dupont/",
        "/auteurs/jean-martin/",
    }
    assert {f"{live_server.url}{path}" for path in expected} <= urls
    assert f"{live_server.url}{newsroom.draft.get_absolute_url()}" not in urls
