"""Tag names and addresses.

A tag's name is stored NFKC-normalised with single spaces, so that the same word typed in another
Unicode form (``\u212aelvin`` with a Kelvin sign) or case finds the existing tag rather than
making a second one; taggit compares names case-insensitively (TAGGIT_CASE_INSENSITIVE).

A tag's page is /tags/<slug>/. Its slug is its name's, accents folded to ASCII like article
slugs, or ``tag``, ``tag-2``… when the name has no Latin letter or digit (日本, 🔥, —): whichever
way a tag is made (the article form, the tag admin, code, the demo loader), it gets an address the
URL accepts and no other tag has.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.managers import _TaggableManager
from taggit.models import Tag
from taggit.utils import _parse_tags

from articles.stemming import write_out_ligatures

NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
SLUG_MAX_LENGTH = Tag._meta.get_field("slug").max_length
# What the <slug:> path converter of the tag page accepts.
USABLE_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
FALLBACK_SLUG = "tag"
# Zero-width joiners shape emoji (👩‍💻) and some scripts: kept between two characters.
JOINERS = "\u200c\u200d"


def clean_name(name):
    """``name`` as a tag is stored: NFKC, single spaces, no control character, no invisible
    format character (a right-to-left mark would make a second, identical-looking tag), or ""
    when nothing visible is left."""
    name = unicodedata.normalize("NFKC", name)
    name = "".join(
        char for char in name if unicodedata.category(char) not in ("Cc", "Cf") or char in JOINERS
    )
    name = " ".join(word for word in (word.strip(JOINERS) for word in name.split()) if word)
    if all(unicodedata.category(char)[0] in "CZ" for char in name):  # invisible, spaces
        return ""
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("A tag has at most %(max)d characters: “%(name)s…” is longer.")
            % {"max": NAME_MAX_LENGTH, "name": name[:30]},
            code="tag_too_long",
        )
    return name


def unique_names(names):
    """``names`` cleaned, blanks dropped, each name once whatever its case (first one kept)."""
    unique = {}
    for name in map(clean_name, names):
        if name:
            unique.setdefault(name.casefold(), name)
    return list(unique.values())


def stored_tags(names):
    """The tags already stored under ``names`` in any case, as {casefolded name: tag}.

    SQL's case-insensitive comparison, which taggit uses, folds neither "ß" to "ss" nor, under
    SQLite, any accented letter: a name it misses is compared with every stored name, which
    happens only when a tag is about to be made."""
    wanted = {name.casefold() for name in names}
    # Lowest id last: of two stored spellings of one name (made before this rule), the oldest.
    by_age = Tag.objects.order_by("-pk")
    same_in_sql = by_age.alias(upper=Upper("name")).filter(upper__in={n.upper() for n in names})
    stored = {tag.name.casefold(): tag for tag in same_in_sql} if wanted else {}
    missing = wanted - stored.keys()
    if missing:
        every_name = Tag.objects.values_list("pk", "name").iterator()
        pks = [pk for pk, name in every_name if name.casefold() in missing]
        stored.update({tag.name.casefold(): tag for tag in by_age.filter(pk__in=pks)})
    return stored


def parse_tags(tag_string):
    """The article form's tag names (TAGGIT_TAGS_FROM_STRING): taggit's parsing, then
    ``unique_names``; a name too long is a form error."""
    return sorted(unique_names(_parse_tags(tag_string)))


class ArticleTagManager(_TaggableManager):
    """``article.tags``: names given in code are cleaned as the form cleans them."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        # add() and set() both resolve their names here.
        names = unique_names(tag for tag in tags if isinstance(tag, str))
        stored = stored_tags(names)
        tags = [tag for tag in tags if not isinstance(tag, str)]
        tags += [stored.get(name.casefold(), name) for name in names]
        return super()._to_tag_model_instances(tags, tag_kwargs)

    def remove(self, *tags):
        super().remove(*unique_names(tags))


def unique_slug(name, others):
    """A slug for a tag called ``name`` that none of the ``others`` (a queryset) has."""
    base = slugify(write_out_ligatures(name))[: SLUG_MAX_LENGTH - 6].strip("-") or FALLBACK_SLUG
    taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@receiver(pre_save, sender=Tag)
def give_tag_a_working_slug(sender, instance, **kwargs):
    """Taggit slugifies a new tag's name with no fallback (日本 gets an empty slug) and fixes
    collisions with suffixes past the column's length: every slug is checked here instead."""
    others = Tag._default_manager.using(kwargs.get("using")).exclude(pk=instance.pk)
    slug = instance.slug
    if (
        USABLE_SLUG.fullmatch(slug)
        and len(slug) <= SLUG_MAX_LENGTH
        and not others.filter(slug=slug).exists()
    ):
        return
    instance.slug = unique_slug(instance.name, others)
