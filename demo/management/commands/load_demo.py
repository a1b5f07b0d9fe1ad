import colorsys
import hashlib
import secrets
from datetime import datetime, time, timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Category,
    Image,
    LiveEntry,
    ReadMoreLink,
)
from demo.stories import AUTHORS, CATEGORIES, STORIES

DEMO_ACCOUNTS = [
    # username, first name, last name, group, author slug to sign as
    ("editrice", "Claire", "Demo", "Éditeurs", None),
    ("redacteur", "Paul", "Demo", "Rédacteurs", None),
]

DEMO_PLANS = [
    ("numerique", "Numérique", "9.99", "month", "Tous les articles sur le site, sans limite."),
    (
        "integrale",
        "Intégrale",
        "99.00",
        "year",
        "Un an d’accès à tout, et la newsletter des abonnés.",
    ),
]


class Command(BaseCommand):
    help = "Load the demo newsroom: sections, authors, stories, images and two demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (demo accounts on a real site are a risk).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo content with DEBUG off; use --force.")
        with transaction.atomic():
            categories = self._categories()
            authors = self._authors()
            created = self._stories(categories, authors)
            credentials = self._accounts(authors)
            self._plans()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {Article.objects.count()} articles "
                f"({created} new), {len(categories)} sections, {len(authors)} authors."
            )
        )
        self.stdout.write("Sign in at http://127.0.0.1:8000/admin/ with:")
        for username, password, role in credentials:
            self.stdout.write(f"  {role:<10} {username} / {password}")

    def _categories(self):
        categories = {}
        for slug, name, description, parent_slug, order in CATEGORIES:
            categories[slug], _ = Category.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "parent": categories.get(parent_slug),
                    "menu_order": order,
                },
            )
        return categories

    def _authors(self):
        authors = {}
        for data in AUTHORS:
            author, created = Author.objects.get_or_create(
                slug=data["slug"], defaults={"name": data["name"], "bio": data["bio"]}
            )
            if created or author.photo_id is None:
                author.photo = _demo_image(
                    f"author-{author.slug}", data["colour"], author.name, (600, 600)
                )
                author.save(update_fields=["photo"])
            authors[author.slug] = author
        return authors

    def _stories(self, categories, authors):
        now = timezone.now()
        created_count = 0
        articles = {}
        for story in STORIES:
            article = Article.objects.filter(slug=story["slug"]).first()
            if article is None:
                article = Article.objects.create(
                    slug=story["slug"],
                    kicker=story["kicker"],
                    title=story["title"],
                    lead=story["lead"],
                    body=story["body"],
                    category=categories[story["category"]],
                    featured=story["featured"],
                    access=story["access"],
                    status=Article.Status.PUBLISHED,
                    published_at=_publication_time(now, story["published_days_ago"]),
                    featured_image=_demo_image(
                        story["slug"],
                        story["image"]["colour"],
                        story["kicker"] or story["title"],
                        (1600, 900),
                        alt_text=story["image"]["alt"],
                        caption=story["image"]["caption"],
                        credit=story["image"]["credit"],
                    ),
                )
                # Demo stories were written when they were published, not edited since.
                Article.objects.filter(pk=article.pk).update(
                    created_at=article.published_at, updated_at=article.published_at
                )
                article.tags.set(story["tags"])
                for position, slug in enumerate(story["authors"]):
                    ArticleAuthor.objects.create(
                        article=article, author=authors[slug], position=position
                    )
                created_count += 1
            articles[article.slug] = (article, story)

        for article, story in articles.values():
            if story.get("live") and not article.live_entries.exists():
                self._live_coverage(article, story, authors, now)
            if article.read_more_links.exists():
                continue
            for position, link in enumerate(story.get("read_more", [])):
                if link[0] == "story":
                    ReadMoreLink.objects.create(
                        article=article, position=position, target_article=articles[link[1]][0]
                    )
                else:
                    ReadMoreLink.objects.create(
                        article=article, position=position, url=link[1], label=link[2]
                    )
        return created_count

    def _live_coverage(self, article, story, authors, now):
        """The story made live, with its entries; the first author writes them."""
        Article.objects.filter(pk=article.pk).update(
            live_status=Article.LiveStatus.LIVE, live_started_at=article.published_at
        )
        author = authors[story["authors"][0]]
        for minutes_ago, title, body, pinned in story["live"]:
            LiveEntry.objects.create(
                article=article,
                author=author,
                published_at=now - timedelta(minutes=minutes_ago),
                title=title,
                body=body,
                pinned=pinned,
            )

    def _accounts(self, authors):
        User = get_user_model()
        credentials = []
        demo_authors = list(authors.values())
        for index, (username, first, last, group_name, _slug) in enumerate(DEMO_ACCOUNTS):
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@localhost"},
            )
            # A fresh password each run, printed below: there is no fixed demo password.
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            # Each demo account signs as one of the demo journalists.
            author = demo_authors[index % len(demo_authors)]
            if author.user_id is None and not hasattr(user, "author_profile"):
                author.user = user
                author.save(update_fields=["user"])
            credentials.append((username, password, group_name))
        return credentials

    def _plans(self):
        # The announced subscription: plans shown as "Bientôt" on /abonnement/.
        from subscriptions.models import Plan

        for position, (slug, name, price, period, description) in enumerate(DEMO_PLANS):
            Plan.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "price": price,
                    "period": period,
                    "description": description,
                    "position": position,
                },
            )


def _publication_time(now, days_ago):
    if days_ago >= 0:
        return now - timedelta(days=days_ago)
    # The scheduled story goes out at 7:00, Paris time, on the day it is due.
    day = timezone.localtime(now).date() + timedelta(days=max(1, round(-days_ago)))
    return timezone.make_aware(datetime.combine(day, time(7, 0)))


def _demo_image(key, colour, text, size, *, alt_text=None, caption="", credit=""):
    """An abstract illustration drawn with Pillow, different for every key."""
    width, height = size
    seed = hashlib.sha256(key.encode()).digest()
    base = tuple(int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(*base)
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        shade = colorsys.hls_to_rgb(hue, min(0.85, lightness + 0.35 * y / height), saturation)
        draw.line([(0, y), (width, y)], fill=tuple(int(c * 255) for c in shade))
    for i in range(6):
        cx, cy = seed[i] / 255 * width, seed[i + 6] / 255 * height
        radius = (0.1 + seed[i + 12] / 255 * 0.25) * min(width, height)
        tint = colorsys.hls_to_rgb((hue + seed[i + 18] / 1020) % 1, 0.7, saturation * 0.6)
        draw.ellipse(
            [cx - radius, cy - radius, cx + radius, cy + radius],
            outline=tuple(int(c * 255) for c in tint),
            width=max(4, width // 200),
        )
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    image = Image(alt_text=alt_text or text, caption=caption, credit=credit)
    image.file.save(f"demo-{key}.jpg", ContentFile(buffer.getvalue()), save=False)
    image.save()
    return image
