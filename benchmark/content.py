"""Generated content for the benchmark: French-looking published articles in bulk, and a reader.

``manage.py generate_articles`` fills a database with them and ``manage.py bench`` serves them.
Everything generated is marked with the slug (or file name) prefix ``gen-`` so that it can be
told from real content and removed with ``generate_articles --clear``.
"""

import colorsys
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw, ImageOps
from taggit.models import Tag

from articles.images import rendition_name, rendition_widths
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Category,
    Image,
    ReadMoreLink,
    TaggedArticle,
)

PREFIX = "gen-"

SECTIONS = [
    # slug (after the prefix), name, parent slug
    ("actualite", "Actualité", None),
    ("politique", "Politique", "actualite"),
    ("economie", "Économie", None),
    ("europe", "Europe", None),
    ("monde", "Monde", None),
    ("culture", "Culture", None),
    ("sport", "Sport", None),
]

THEMES = [
    "Retraites", "Inflation", "Logement", "Climat", "Élections municipales",
    "Élections européennes", "Santé", "Hôpital", "Éducation", "Université", "Agriculture",
    "Pêche", "Énergie", "Nucléaire", "Éolien", "Transports", "Ferroviaire", "Aéronautique",
    "Automobile", "Industrie", "Emploi", "Chômage", "Fiscalité", "Budget", "Dette publique",
    "Immigration", "Justice", "Police", "Sécurité", "Terrorisme", "Défense", "Diplomatie",
    "Commerce", "Numérique", "Intelligence artificielle", "Cybersécurité", "Télécoms", "Médias",
    "Presse", "Cinéma", "Musique", "Littérature", "Théâtre", "Patrimoine", "Architecture",
    "Gastronomie", "Viticulture", "Tourisme", "Football", "Rugby", "Cyclisme", "Tennis",
    "Jeux olympiques", "Athlétisme", "Natation", "Biodiversité", "Pollution", "Ressources en eau",
    "Forêts", "Sécheresse", "Inondations", "Canicule", "Météo", "Espace", "Recherche", "Sciences",
    "Médecine", "Vaccins", "Psychiatrie", "Handicap", "Vieillissement", "Jeunesse", "Famille",
    "Égalité", "Féminisme", "Laïcité", "Religions", "Syndicats", "Grèves", "Banques", "Bourse",
    "Assurances", "Jeunes pousses", "Artisanat", "Commerce de proximité", "Ruralité", "Banlieues",
    "Urbanisme", "Mobilités", "Vélo", "Aviation", "Ports", "Montagne", "Littoral", "Outre-mer",
    "Décentralisation", "Collectivités locales", "Parlement", "Constitution", "Sondages",
    "Partis politiques", "Présidence", "Sénat", "Réfugiés", "Élevage", "Alimentation",
    "Consommation", "Pouvoir d’achat", "Droits humains", "Archéologie",
]  # fmt: skip

PLACES = [
    "Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Lille", "Nantes", "Strasbourg",
    "Rennes", "Montpellier", "Nice", "Grenoble", "Dijon", "Brest", "Rouen", "Reims", "Le Havre",
    "Clermont-Ferrand", "Limoges", "Besançon", "Perpignan", "Metz", "Nancy", "Orléans", "Tours",
    "Ajaccio", "Bretagne", "Normandie", "Occitanie", "Provence", "Alsace", "Corse", "Auvergne",
    "Savoie", "Guadeloupe", "Martinique", "La Réunion", "Bruxelles", "Berlin", "Madrid", "Rome",
    "Lisbonne", "Varsovie", "Vienne", "Genève", "Londres", "Dublin", "Athènes", "Kyiv",
    "Washington", "Pékin", "Tokyo", "Dakar", "Alger", "Tunis", "Rabat", "Montréal", "Beyrouth",
    "Istanbul", "New Delhi",
]  # fmt: skip

ORGANISATIONS = [
    "SNCF", "EDF", "Airbus", "Renault", "Banque de France", "BCE", "Insee", "CNRS",
    "Assemblée nationale", "Cour des comptes", "Conseil d’État", "Commission européenne",
    "Parlement européen", "FMI", "OMS", "Unesco", "CGT", "CFDT", "Medef", "Météo-France",
    "France Travail", "Conseil constitutionnel", "Otan", "Nations unies", "Cour de cassation",
    "Arcom", "Ademe", "Inserm", "Ifop", "Sorbonne",
]  # fmt: skip

FIRST_NAMES = [
    "Claire", "Julien", "Sophie", "Thomas", "Camille", "Nicolas", "Léa", "Antoine", "Manon",
    "Mathieu", "Élodie", "Hugo", "Chloé", "Romain", "Pauline", "Guillaume", "Inès", "Lucas",
    "Margaux", "Olivier", "Anne", "Karim", "Nadia", "Yann", "Solène",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux", "Fournier",
    "Mercier", "Blanc", "Guérin", "Muller", "Faure", "Chevalier", "Benali", "Lemoine", "Garnier",
    "Perrin", "Rousseau", "Le Goff", "Marchand", "Da Silva", "Caron", "Nguyen",
]  # fmt: skip

# Subjects: (text, plural?)
SUBJECTS = [
    ("le gouvernement", False), ("la commission", False), ("les syndicats", True),
    ("le ministre", False), ("la ministre", False), ("la maire", False), ("le préfet", False),
    ("l’entreprise", False), ("les agriculteurs", True), ("l’opposition", False),
    ("les députés", True), ("les sénateurs", True), ("la région", False), ("le département", False),
    ("les habitants", True), ("les élus locaux", True), ("le président", False),
    ("la présidente", False), ("les associations", True), ("le tribunal", False),
    ("les chercheurs", True), ("le groupe", False), ("les experts", True), ("la direction", False),
    ("les enseignants", True), ("les médecins", True), ("le conseil municipal", False),
    ("la fédération", False), ("les usagers", True), ("le collectif", False),
]  # fmt: skip
# Verbs: (singular, plural)
VERBS = [
    ("annonce", "annoncent"), ("prépare", "préparent"), ("conteste", "contestent"),
    ("défend", "défendent"), ("propose", "proposent"), ("examine", "examinent"),
    ("présente", "présentent"), ("envisage", "envisagent"), ("dénonce", "dénoncent"),
    ("soutient", "soutiennent"), ("reporte", "reportent"), ("finance", "financent"),
    ("réclame", "réclament"), ("critique", "critiquent"), ("valide", "valident"),
    ("suspend", "suspendent"), ("relance", "relancent"), ("dévoile", "dévoilent"),
    ("a adopté", "ont adopté"), ("a rejeté", "ont rejeté"), ("a signé", "ont signé"),
    ("met en cause", "mettent en cause"), ("salue", "saluent"), ("redoute", "redoutent"),
]  # fmt: skip
OBJECTS = [
    "un plan consacré à {t}", "une réforme de {t}", "le projet de loi sur {t}",
    "un nouveau dispositif d’aide", "la hausse des prix", "un budget de {n} millions d’euros",
    "les conclusions du rapport", "une enquête sur {t}", "la fermeture du site", "un accord",
    "les mesures prévues pour {t}", "le calendrier des travaux", "un moratoire",
    "une consultation publique", "la création de {n} postes", "le financement de {t}",
    "la stratégie nationale pour {t}", "un appel à projets", "le bilan de l’année",
    "une mission d’information", "la suppression de {n} emplois", "un fonds d’urgence",
]  # fmt: skip
COMPLEMENTS = [
    "à {p}", "dès le mois prochain", "d’ici à {y}", "malgré les critiques",
    "après des mois de négociations", "pour la première fois depuis {y}", "en pleine crise",
    "sous la pression de la rue", "face à la concurrence", "avant l’été", "sans attendre",
    "selon plusieurs sources concordantes", "dans un contexte tendu", "au grand dam des élus",
    "à la surprise générale", "pour {d} ans", "en lien avec {o}", "avec le soutien de {o}",
]  # fmt: skip
SOURCES = [
    "l’Insee", "un rapport parlementaire", "nos informations", "les chiffres officiels",
    "une étude récente", "le dernier sondage", "des documents consultés par la rédaction",
    "plusieurs témoins", "l’entourage du ministre", "les services de l’État",
]  # fmt: skip
ROLES = [
    "économiste", "porte-parole", "maire", "syndicaliste", "chercheuse", "député",
    "présidente de l’association", "directeur de recherche", "avocate", "agriculteur",
]  # fmt: skip
QUOTES = [
    "Nous ne pouvons plus attendre", "Ce n’est qu’un premier pas",
    "La situation est sous contrôle", "Il faut écouter le terrain",
    "Les moyens ne suivent pas", "C’est une décision historique",
    "Personne ne l’avait vu venir", "Nous irons jusqu’au bout",
    "Les chiffres parlent d’eux-mêmes", "Rien n’est encore joué",
]  # fmt: skip
HEADINGS = [
    "Un calendrier serré", "Des critiques sur le terrain", "Ce que prévoit le texte",
    "Les chiffres clés", "Une question de moyens", "Et maintenant ?", "Des précédents",
    "Le regard des experts", "Des réactions contrastées", "Un enjeu européen",
]  # fmt: skip
SISTER_EDITIONS = [
    ("https://www.example.eu/", "Lire aussi The European Times"),
    ("https://www.example.de/", "Lire aussi Die Europäische Zeitung"),
    ("https://www.example.es/", "Lire aussi El Diario Europeo"),
]

TAG_NAMES = THEMES + PLACES + ORGANISATIONS


def _zipf(items, exponent=1.0):
    """``items`` with weights falling with their rank, as words do in real text."""
    return items, [1 / (rank**exponent) for rank in range(1, len(items) + 1)]


class TextGenerator:
    """French-looking news text; an article's tags recur in its text, as a real story's topic."""

    def __init__(self, seed=None):
        self.random = random.Random(seed)
        self._subjects = _zipf(SUBJECTS, 0.8)
        self._verbs = _zipf(VERBS, 0.8)
        self._objects = _zipf(OBJECTS, 0.8)
        self._complements = _zipf(COMPLEMENTS, 0.8)

    def _pick(self, weighted):
        items, weights = weighted
        return self.random.choices(items, weights)[0]

    def _fill(self, template, topic):
        r = self.random
        return template.format(
            t=(r.choice(topic["themes"]) if r.random() < 0.8 else r.choice(THEMES)).lower(),
            p=topic["place"] if r.random() < 0.7 else r.choice(PLACES),
            o=topic["org"] if r.random() < 0.7 else r.choice(ORGANISATIONS),
            n=r.randint(2, 900),
            d=r.randint(2, 15),
            y=r.randint(1990, 2030),
        )

    def clause(self, topic):
        subject, plural = self._pick(self._subjects)
        verb = self._pick(self._verbs)[1 if plural else 0]
        obj = self._fill(self._pick(self._objects), topic)
        return f"{subject} {verb} {obj}"

    def sentence(self, topic):
        r = self.random
        kind = r.random()
        if kind < 0.55:
            text = f"{self.clause(topic)} {self._fill(self._pick(self._complements), topic)}."
        elif kind < 0.75:
            text = f"Selon {r.choice(SOURCES)}, {self.clause(topic)}."
        elif kind < 0.9:
            complement = self._fill(self._pick(self._complements), topic)
            text = f"{complement[0].upper()}{complement[1:]}, {self.clause(topic)}."
        else:
            text = f"À {topic['place']}, {self.clause(topic)}, une première."
        return text[0].upper() + text[1:]

    def topic(self):
        r = self.random
        return {
            "themes": r.sample(THEMES, r.choice((1, 1, 2))),
            "place": r.choice(PLACES),
            "org": r.choice(ORGANISATIONS),
        }

    def title(self, topic):
        r = self.random
        clause = self.clause(topic)
        if r.random() < 0.5:
            text = f"{topic['themes'][0]} : {clause}"
        else:
            text = f"À {topic['place']}, {clause}"
        return text[:200]

    def article(self):
        """The fields of one article, its words counted, its body already clean HTML."""
        r = self.random
        topic = self.topic()
        title = self.title(topic)
        lead = " ".join(self.sentence(topic) for _ in range(2))
        pieces = []  # (tag, text) in order; counted before they are wrapped in HTML
        headings = r.sample(HEADINGS, 3)
        for index in range(r.randint(8, 12)):
            if index in (3, 6, 9):
                pieces.append(("h2", headings[index // 3 - 1]))
            pieces.append(("p", " ".join(self.sentence(topic) for _ in range(r.randint(3, 5)))))
            if index == 1 and r.random() < 0.5:
                speaker = f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}, {r.choice(ROLES)}"
                pieces.append(("blockquote", f"« {r.choice(QUOTES)} », résume {speaker}."))
        body = []
        for tag, text in pieces:
            if tag == "blockquote":
                body.append(f"<blockquote><p>{text}</p></blockquote>")
            else:
                body.append(f"<{tag}>{text}</{tag}>")
        word_count = sum(len(text.split()) for _, text in pieces)
        return {
            "kicker": topic["themes"][0] if r.random() < 0.6 else "",
            "title": title,
            "lead": lead,
            "body": "".join(body),
            "word_count": word_count,
            "tag_names": [*topic["themes"], topic["place"], topic["org"]],
        }


def _draw_image(index, size=(1600, 900)):
    """An abstract illustration: a two-colour gradient and a few rings, as JPEG bytes."""
    rng = random.Random(index)
    hue = rng.random()
    dark = tuple(int(c * 255) for c in colorsys.hls_to_rgb(hue, 0.3, 0.5))
    light = tuple(int(c * 255) for c in colorsys.hls_to_rgb((hue + 0.1) % 1, 0.8, 0.4))
    gradient = PILImage.linear_gradient("L").resize(size)
    picture = ImageOps.colorize(gradient, dark, light)
    draw = ImageDraw.Draw(picture)
    width, height = size
    for _ in range(5):
        cx, cy, radius = rng.random() * width, rng.random() * height, rng.uniform(0.1, 0.3) * height
        draw.ellipse(
            [cx - radius, cy - radius, cx + radius, cy + radius], outline=light, width=width // 200
        )
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _generated_images():
    return Image.objects.filter(file__contains=f"/{PREFIX}bench-")


def ensure_images(count):
    """``count`` generated library images, made once (with their renditions) and then reused."""
    images = list(_generated_images().order_by("id")[:count])
    for index in range(len(images), count):
        image = Image(
            alt_text=f"Illustration abstraite numéro {index + 1}",
            caption=f"Illustration de l’article (image générée {index + 1}).",
            credit="Photo Newsroom",
        )
        image.file.save(f"{PREFIX}bench-{index + 1:03}.jpg", ContentFile(_draw_image(index)), False)
        image.save()
        images.append(image)
    return images


def ensure_sections():
    sections = {}
    for order, (slug, name, parent) in enumerate(SECTIONS, start=10):
        sections[slug], _created = Category.objects.get_or_create(
            slug=PREFIX + slug,
            defaults={"name": name, "parent": sections.get(parent), "menu_order": order},
        )
    return list(sections.values())


def ensure_authors(count, images):
    """``count`` generated journalists, created in one bulk insert when missing."""
    names = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]
    rng = random.Random(7)
    rng.shuffle(names)
    wanted = {PREFIX + slugify(name): name for name in names[:count]}
    existing = set(Author.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    Author.objects.bulk_create(
        Author(
            slug=slug,
            name=name,
            bio=f"{name} est journaliste à la rédaction, spécialiste des questions de société.",
            photo=images[index % len(images)] if images else None,
        )
        for index, (slug, name) in enumerate(wanted.items())
        if slug not in existing
    )
    return list(Author.objects.filter(slug__in=wanted))


def ensure_tags():
    """Every tag the generator uses; existing tags of the same name are reused, not duplicated."""
    by_name = {tag.name.lower(): tag for tag in Tag.objects.filter(name__in=TAG_NAMES)}
    missing = [name for name in TAG_NAMES if name.lower() not in by_name]
    Tag.objects.bulk_create(Tag(name=name, slug=PREFIX + slugify(name)) for name in missing)
    return {tag.name.lower(): tag for tag in Tag.objects.filter(name__in=TAG_NAMES)}


@contextmanager
def _timestamps_as_given():
    """Let bulk inserts keep the dates we give instead of "now" (auto_now, auto_now_add).

    Generated articles are as old as their publication date, like the demo's; otherwise every
    one of them would read "Mis à jour le" and the page would not be a typical one.
    """
    fields = [Article._meta.get_field(name) for name in ("created_at", "updated_at")]
    saved = [(field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


@dataclass
class GenerationReport:
    articles: int
    seconds: float
    images_seconds: float


ARCHIVE_YEARS = 10
# The two kinds of data: the unfriendly case for the reader's pages and the friendly one.
ARCHIVES = {
    "old": "dates over ten years, no front-page story, a picture on every story",
    "recent": "dates over a year, one story in 500 on the front page, a picture on every story",
}
# The years and the share of front-page stories of each kind of data.
ARCHIVE_SHAPES = {"old": (ARCHIVE_YEARS, 0.0), "recent": (1, 1 / 500)}


def archive_of(articles):
    """Which kind of data ``articles`` look like: "recent" if some are on the front page."""
    return "recent" if articles.filter(featured=True).exists() else "old"


def generate_articles(
    count,
    *,
    images=50,
    authors=50,
    years=None,
    archive="old",
    batch_size=2000,
    seed=None,
    progress=None,
):
    """Insert ``count`` published articles in bulk, with bylines, tags and read-more links.

    The ``old`` archive is the unfriendly case for the reader's pages: publication dates
    spread evenly over the last ten years (or ``years``), so most stories are old and few are
    in the home page's recent window, a picture on every story (with ``images``), and no story
    marked for the front page (the home page looks for one and falls back on the newest). The
    ``recent`` archive spreads them over a year and puts one story in 500 on the front page.

    The body is clean HTML built here, so ``Article.save()``'s sanitising is not needed; the
    word count and slug it would compute are computed from the generated text instead.
    """
    default_years, featured_share = ARCHIVE_SHAPES[archive]
    years = years or default_years
    started = time.perf_counter()
    rng = random.Random(seed)
    text = TextGenerator(seed)
    library = ensure_images(images)
    images_seconds = time.perf_counter() - started
    sections = ensure_sections()
    journalists = ensure_authors(authors, library)
    tags = ensure_tags()
    run = f"{rng.getrandbits(24):06x}"
    now = timezone.now()
    oldest = round(years * 365.25 * 24 * 3600)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        with transaction.atomic(), _timestamps_as_given():
            rows, tag_names = [], []
            for number in range(done, done + size):
                fields = text.article()
                tag_names.append(fields.pop("tag_names"))
                published_at = now - timedelta(seconds=rng.randint(60, oldest))
                rows.append(
                    Article(
                        **fields,
                        slug=f"{PREFIX}{run}-{number}-{slugify(fields['title'])}"[:120].strip("-"),
                        category=rng.choice(sections),
                        featured_image=rng.choice(library) if library else None,
                        status=Article.Status.PUBLISHED,
                        published_at=published_at,
                        created_at=published_at,
                        updated_at=published_at,
                        access=(
                            Article.Access.SUBSCRIBERS
                            if rng.random() < 0.1
                            else Article.Access.FREE
                        ),
                        featured=rng.random() < featured_share,
                    )
                )
            articles = Article.objects.bulk_create(rows, batch_size=1000)
            bylines, tagged, links = [], [], []
            for article, names in zip(articles, tag_names, strict=True):
                for position, author in enumerate(
                    rng.sample(journalists, rng.choice((1, 1, 1, 2)))
                ):
                    bylines.append(ArticleAuthor(article=article, author=author, position=position))
                tagged.extend(
                    TaggedArticle(content_object=article, tag=tags[name.lower()])
                    for name in dict.fromkeys(names)
                )
                if rng.random() < 0.3:
                    target = rng.choice(articles)
                    if target.pk != article.pk:
                        links.append(
                            ReadMoreLink(article=article, position=0, target_article=target)
                        )
                    if rng.random() < 0.3:
                        url, label = rng.choice(SISTER_EDITIONS)
                        links.append(
                            ReadMoreLink(article=article, position=1, url=url, label=label)
                        )
            ArticleAuthor.objects.bulk_create(bylines, batch_size=2000)
            TaggedArticle.objects.bulk_create(tagged, batch_size=2000)
            ReadMoreLink.objects.bulk_create(links, batch_size=2000)
        done += size
        if progress:
            progress(done, count)
    # Fresh statistics, as after any bulk load: without them PostgreSQL plans for an empty
    # table (hash joins over every article instead of reading the newest few off an index),
    # and autovacuum may be off or not yet round.
    tables = [
        model._meta.db_table for model in (Article, ArticleAuthor, TaggedArticle, ReadMoreLink)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return GenerationReport(count, time.perf_counter() - started, images_seconds)


READER_USERNAME = f"{PREFIX}lectrice"
STAFF_USERNAME = f"{PREFIX}redaction"


def uncached_session():
    """The key of a session signed in as staff, whom the page cache never serves: every page
    is built afresh, the session and the user loaded (signed-in readers get kept pages)."""
    return reader_session(username=STAFF_USERNAME, is_staff=True)


def reader_session(*, username=READER_USERNAME, is_staff=False):
    """The key of a session signed in as a reader (not staff), made with this process's
    settings: what a subscriber's browser sends. The page cache serves it the kept page of its
    paywall decision, after loading the session and the user."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from newsroom import sessions

    reader, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org", "is_staff": is_staff}
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(reader.pk)
    store[BACKEND_SESSION_KEY] = sessions.BACKEND
    store[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.save()
    return store.session_key


def generated_articles():
    return Article.objects.filter(slug__startswith=PREFIX)


def clear_generated(*, images=False, batch_size=2000):
    """Delete the generated articles (then the generated authors, tags and sections).

    In batches, through the ORM, so that every relation to an article is honoured.
    """
    deleted = 0
    while ids := list(generated_articles().values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            Article.objects.filter(pk__in=ids).only("pk").delete()
        deleted += len(ids)
    # Only what no other article still uses.
    Author.objects.filter(slug__startswith=PREFIX, bylines__isnull=True).delete()
    Tag.objects.filter(slug__startswith=PREFIX, articles_taggedarticle_items__isnull=True).delete()
    for section in Category.objects.filter(slug__startswith=PREFIX, parent__isnull=False):
        if not section.articles.exists():
            section.delete()
    Category.objects.filter(
        slug__startswith=PREFIX, articles__isnull=True, children__isnull=True
    ).delete()
    if images:
        for image in _generated_images():
            image.file.storage.delete(image.file.name)
            for width in rendition_widths(image.width):
                for extension in ("jpg", "webp"):
                    image.file.storage.delete(rendition_name(image.file.name, width, extension))
            image.delete()
    return deleted
