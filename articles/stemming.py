"""French words as search compares them: accents folded, lower case, stop words out, stemmed.

The SQLite full-text index (articles/fulltext.py) stores articles in this form and searches
for queries in it; the highlighting of results (articles/search.py) marks the words of a text
whose stem is one of the query's, whatever the database. The stop words are PostgreSQL's
``french`` list (Snowball's), so a query means the same on both databases.
"""

import html
import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

_STOP_LIST = """
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes
    moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
    tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants
    étantes suis es est sommes êtes sont serai seras sera serons serez seront serais serait
    serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois
    soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes
    ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais
    aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie
    aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent"""
STOP_WORDS = frozenset(_STOP_LIST.split())
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_local = threading.local()  # a Snowball stemmer keeps state: one per thread


class _FoldTable(dict):
    """For ``str.translate``: each character to its first decomposed character, lower case
    (é → e, Œ → o); worked out once per character."""

    def __missing__(self, code):
        folded = unicodedata.normalize("NFKD", chr(code))[:1].lower()[:1] or chr(code)
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text):
    """``text`` in lower case without accents, one character out for each character in (so
    that positions found in the folded text hold in the original)."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


@lru_cache(maxsize=50_000)
def stem(folded_word):
    """The stem of a folded word, or "" for a stop word."""
    if folded_word in _FOLDED_STOP_WORDS:
        return ""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer.stemWord(folded_word)


_FOLDED_STOP_WORDS = frozenset(fold(word) for word in STOP_WORDS)


def stems(text):
    """The stems of the words of ``text``, in order, stop words left out."""
    return [s for s in (stem(word) for word in _WORD.findall(fold(text or ""))) if s]


def plain_text(body):
    """The words of an HTML body: tags separate words, entities are letters."""
    return html.unescape(_TAG.sub(" ", body or ""))


def indexed_text(text, is_html=False):
    """What the full-text index stores of ``text``: its stems, separated by spaces."""
    return " ".join(stems(plain_text(text) if is_html else text))
