"""factory_boy factories for the articles app: small, valid objects with sensible defaults."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from articles.models import Article, ArticleAuthor, Author, Category, Image, ReadMoreLink

PASSWORD = "mot-de-passe-de-test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.fr")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """``groups=["Éditeurs"]``: the editorial groups created by the data migration."""
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=name) for name in extracted))


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name", locale="fr_FR")
    slug = factory.Sequence(lambda n: f"auteur-{n}")
    bio = factory.Faker("paragraph", locale="fr_FR")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Rubrique {n}")
    slug = factory.LazyAttribute(lambda category: slugify(category.name))


class ImageFactory(DjangoModelFactory):
    """A real, small JPEG drawn by Pillow; saving it writes its renditions to MEDIA_ROOT."""

    class Meta:
        model = Image

    file = factory.django.ImageField(
        filename="photo.jpg", format="JPEG", width=400, height=300, color="steelblue"
    )
    alt_text = factory.Faker("sentence", nb_words=6, locale="fr_FR")
    caption = factory.Faker("sentence", nb_words=8, locale="fr_FR")
    credit = "Photo : Rédaction"


class ArticleFactory(DjangoModelFactory):
    """A published article (one hour old) with one author; ``draft`` and ``scheduled`` traits."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Le conseil municipal vote le budget numéro {n}")
    lead = factory.Faker("paragraph", locale="fr_FR")
    body = "<p>Le conseil municipal s’est réuni mardi soir.</p><h2>Un vote serré</h2><p>Fin.</p>"
    category = factory.SubFactory(CategoryFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        """The byline, in order: ``authors=[a, b]``; one new author when not given."""
        if not create:
            return
        authors = [AuthorFactory()] if extracted is None else extracted
        for position, author in enumerate(authors):
            ArticleAuthor.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        """``tags=["Otan", "Défense"]``."""
        if create and extracted:
            self.tags.add(*extracted)


class ReadMoreLinkFactory(DjangoModelFactory):
    """A link to another published article of the site; ``external`` trait for an outside URL."""

    class Meta:
        model = ReadMoreLink

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n)
    target_article = factory.SubFactory(ArticleFactory)
    url = ""
    label = ""

    class Params:
        external = factory.Trait(
            target_article=None,
            url="https://www.european-times.example/otan",
            label="Lire aussi The European Times",
        )


class CorrectionFactory(DjangoModelFactory):
    """A dated correction note at the foot of a published article."""

    class Meta:
        model = "articles.Correction"

    article = factory.SubFactory(ArticleFactory)
    text = "Une version précédente de cet article donnait une date erronée pour le vote."


class HouseAdFactory(DjangoModelFactory):
    """A shown house ad (image and link, no script) for the article page's slot."""

    class Meta:
        model = "articles.HouseAd"

    name = factory.Sequence(lambda n: f"Campagne {n}")
    slot = "article"
    image = factory.SubFactory(ImageFactory)
    link = "https://abonnement.example.fr/offre"
    alt_text = "Abonnez-vous au Quotidien pour 1 € le premier mois"
    is_active = True


class LiveEntryFactory(DjangoModelFactory):
    """An entry of a live story (its article made live), by a new author, just now."""

    class Meta:
        model = "articles.LiveEntry"

    article = factory.SubFactory(ArticleFactory, live_status=Article.LiveStatus.LIVE)
    author = factory.SubFactory(AuthorFactory)
    published_at = factory.LazyFunction(timezone.now)
    body = "<p>Les secours sont arrivés sur place.</p>"
