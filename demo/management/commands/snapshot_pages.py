"""Every reader page of the demo newsroom, fingerprinted, to show that a change alters none.

    python manage.py snapshot_pages before.json      # on the code before a change
    python manage.py snapshot_pages --compare before.json   # after it: lists what differs

Pages are fetched anonymously through Django's test client, twice each (built, then from the
page cache: both must be the same bytes). The CSRF token of forms is the only part left out:
it is new for every visitor.
"""

import hashlib
import json
import re

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import override_settings
from taggit.models import Tag

from articles.models import Article, Author, Category

CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def reader_addresses():
    """The addresses of every reader page the demo content has, in a stable order."""
    articles = Article.objects.published().select_related("category").order_by("pk")
    sections = Category.objects.order_by("pk")
    addresses = ["/", "/?page=2", "/recherche/", "/recherche/?q=europe", "/rss/"]
    addresses += ["/sitemap.xml", "/sitemap-news.xml", "/sitemap-articles.xml"]
    addresses += [article.get_absolute_url() for article in articles]
    addresses += [section.get_absolute_url() for section in sections]
    addresses += [f"{section.get_absolute_url()}?page=2" for section in sections]
    addresses += [f"/rss/{section.slug}/" for section in sections]
    addresses += [author.get_absolute_url() for author in Author.objects.order_by("pk")]
    addresses += [f"/rss/auteurs/{a.slug}/" for a in Author.objects.order_by("pk")]
    addresses += [f"/tags/{tag.slug}/" for tag in Tag.objects.order_by("pk")]
    return addresses


def fingerprint(response):
    content = CSRF_TOKEN.sub(b'name="csrfmiddlewaretoken"', response.content)
    return f"{response.status_code} {hashlib.sha256(content).hexdigest()}"


class Command(BaseCommand):
    help = "Fingerprint every reader page of the current content (see the module's docstring)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write the fingerprints (JSON).")
        parser.add_argument("--compare", help="Fingerprints to compare the pages with.")

    def handle(self, path=None, compare=None, **options):
        if not (path or compare):
            raise CommandError("Give a file to write, or --compare with one written before.")
        client = Client()
        pages = {}
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            for address in reader_addresses():
                built, kept = (fingerprint(client.get(address)) for _ in range(2))
                if built != kept:
                    raise CommandError(f"{address}: the cached copy differs from the page built.")
                pages[address] = built
        if path:
            with open(path, "w") as file:
                json.dump(pages, file, indent=1)
            self.stdout.write(f"{len(pages)} pages fingerprinted in {path}.")
        if compare:
            with open(compare) as file:
                before = json.load(file)
            changed = sorted(
                a for a in before.keys() | pages.keys() if before.get(a) != pages.get(a)
            )
            for address in changed:
                self.stdout.write(f"differs: {address}")
            if changed:
                raise CommandError(f"{len(changed)} of {len(pages)} pages differ.")
            self.stdout.write(f"The {len(pages)} pages are the same, byte for byte.")
