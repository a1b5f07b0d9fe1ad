"""A synthetic WordPress export, to measure ``import_wordpress`` (docs/PERFORMANCE.md)."""

import random
from pathlib import Path
from xml.sax.saxutils import escape

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from PIL import Image as PILImage

from benchmark.content import FIRST_NAMES, LAST_NAMES, TextGenerator

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Le Quotidien synthétique</title>
<link>{site}</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url>
<wp:base_blog_url>{site}</wp:base_blog_url>
"""
SECTIONS = ["politique", "economie", "societe", "culture", "sport", "monde", "sciences"]


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class Command(BaseCommand):
    help = (
        "Write a synthetic WordPress export (WXR 1.2) of --posts posts, half Gutenberg, half "
        "classic, with captions, embeds, links between posts and featured images, and the "
        "uploads folder its attachments point to."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="The XML file to write.")
        parser.add_argument("--uploads", required=True, help="The uploads folder to fill.")
        parser.add_argument("--posts", type=int, default=10_000)
        parser.add_argument("--images", type=int, default=100)
        parser.add_argument("--authors", type=int, default=40)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--site", default="https://ancien.example.fr")

    def handle(self, *args, output, uploads, posts, images, authors, seed, site, **options):
        if posts < 1 or images < 0 or authors < 1:
            raise CommandError("--posts and --authors must be ≥ 1, --images ≥ 0.")
        rng, text = random.Random(seed), TextGenerator(seed)
        uploads = Path(uploads)
        with open(output, "w", encoding="utf-8") as out:
            out.write(HEAD.format(site=site))
            logins = self._authors(out, rng, authors)
            categories = self._categories(out)
            pictures = self._pictures(out, uploads, images, site)
            for number in range(1, posts + 1):
                out.write(self._post(number, rng, text, site, logins, categories, pictures))
            out.write("</channel>\n</rss>\n")
        self.stdout.write(f"{output}: {posts} posts, {images} images, {authors} authors.")

    def _authors(self, out, rng, count):
        logins = []
        for number in range(count):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            login = f"{slugify(name)}-{number}"
            logins.append(login)
            out.write(
                f"<wp:author><wp:author_login>{login}</wp:author_login><wp:author_email>"
                f"{login}@example.fr</wp:author_email><wp:author_display_name>"
                f"{cdata(name)}</wp:author_display_name></wp:author>\n"
            )
        return logins

    def _categories(self, out):
        names = []
        for term, slug in enumerate(SECTIONS, start=1):
            names.append(slug)
            out.write(
                f"<wp:category><wp:term_id>{term}</wp:term_id><wp:category_nicename>{slug}"
                f"</wp:category_nicename><wp:category_parent></wp:category_parent>"
                f"<wp:cat_name>{slug.capitalize()}</wp:cat_name></wp:category>\n"
            )
            child = f"{slug}-local"
            names.append(child)
            out.write(
                f"<wp:category><wp:term_id>{term + 100}</wp:term_id><wp:category_nicename>"
                f"{child}</wp:category_nicename><wp:category_parent>{slug}"
                f"</wp:category_parent><wp:cat_name>{slug.capitalize()} local</wp:cat_name>"
                "</wp:category>\n"
            )
        return names

    def _pictures(self, out, uploads, count, site):
        folder = uploads / "2024" / "01"
        folder.mkdir(parents=True, exist_ok=True)
        pictures = []
        for number in range(count):
            name = f"photo-{number}.jpg"
            colour = (number * 37 % 256, number * 91 % 256, number * 53 % 256)
            PILImage.new("RGB", (1200, 800), colour).save(folder / name, quality=80)
            wp_id = 1_000_000 + number
            pictures.append((wp_id, f"2024/01/{name}"))
            out.write(
                f"<item><title>Photo {number}</title><wp:post_id>{wp_id}</wp:post_id>"
                f"<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
                f"<excerpt:encoded>{cdata(f'Légende {number}')}</excerpt:encoded>"
                f"<wp:attachment_url>{site}/wp-content/uploads/2024/01/{name}"
                f"</wp:attachment_url><wp:postmeta><wp:meta_key>_wp_attached_file"
                f"</wp:meta_key><wp:meta_value>2024/01/{name}</wp:meta_value></wp:postmeta>"
                f"<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>"
                f"<wp:meta_value>Photo {number}</wp:meta_value></wp:postmeta></item>\n"
            )
        return pictures

    def _post(self, number, rng, text, site, logins, categories, pictures):
        story = text.article()
        day = f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}"
        slug = f"{slugify(story['title'])[:80]}-{number}"
        paragraphs = [p for p in story["body"].split("</p>") if p.strip()]
        gutenberg = number % 2 == 0
        blocks = []
        for index, paragraph in enumerate(paragraphs):
            paragraph = paragraph.replace("<p>", "").strip()
            if gutenberg:
                blocks.append(f"<!-- wp:paragraph -->\n<p>{paragraph}</p>\n<!-- /wp:paragraph -->")
            else:
                blocks.append(paragraph.replace("<h2>", "\n<h2>").replace("</h2>", "</h2>\n"))
            if index == 1 and pictures:
                wp_id, path = rng.choice(pictures)
                src = f"{site}/wp-content/uploads/{path[:-4]}-1024x683.jpg"
                blocks.append(
                    f'[caption id="attachment_{wp_id}" width="1024"]<img class="wp-image-{wp_id}"'
                    f' src="{src}" alt="" /> Une légende[/caption]'
                )
            if index == 2 and number > 1:
                target = rng.randint(1, number - 1)
                blocks.append(f'<p>Lire aussi <a href="{site}/?p={target}">notre article</a>.</p>')
            if index == 3 and number % 10 == 0:
                blocks.append("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        body = "\n\n".join(blocks)
        section = categories[number % len(categories)]
        tags = "".join(
            f'<category domain="post_tag" nicename="{slugify(t)}">{cdata(t)}</category>'
            for t in story["tag_names"]
        )
        thumbnail = ""
        if pictures:
            thumbnail = (
                "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>"
                f"{rng.choice(pictures)[0]}</wp:meta_value></wp:postmeta>"
            )
        return (
            f"<item><title>{escape(story['title'])}</title>"
            f"<link>{site}/2024/{day[5:7]}/{slug}/</link>"
            f"<dc:creator>{rng.choice(logins)}</dc:creator>"
            f"<content:encoded>{cdata(body)}</content:encoded>"
            f"<excerpt:encoded>{cdata(story['lead'])}</excerpt:encoded>"
            f"<wp:post_id>{number}</wp:post_id>"
            f"<wp:post_date>{day} 10:00:00</wp:post_date>"
            f"<wp:post_date_gmt>{day} 09:00:00</wp:post_date_gmt>"
            f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>"
            f"<wp:post_type>post</wp:post_type>"
            f'<category domain="category" nicename="{section}">{section}</category>'
            f"{tags}{thumbnail}</item>\n"
        )
