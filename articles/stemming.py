"""French words as search compares them: accents folded, lower case, stop words out, stemmed.

The SQLite full-text index (articles/fulltext.py) stores articles in this form and searches
for queries in it; the highlighting of results (articles/search.py) marks the words of a text
whose stem is one of the query's, whatever the database. The stop words are PostgreSQL's
``french`` list (Snowball's) as PostgreSQL applies it after folding accents (those without
accents only), so a query means the same on both databases.
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
# A word: letters and digits, with the combining accents of text pasted decomposed (NFD).
_WORD = re.compile(r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_TAG = re.compile(r"<[^>]*>")
_local = threading.local()  # a Snowball stemmer keeps state: one per thread
# Letters that no decomposition takes apart, written out as PostgreSQL's ``unaccent`` does.
_LIGATURES = str.maketrans(
    {"œ": "oe", "æ": "ae", "ß": "ss", "ĳ": "ij", "ø": "o", "ł": "l", "Œ": "OE", "Æ": "AE"}
)


def write_out_ligatures(text):
    """``text`` with the letters no decomposition takes apart written out (``Œuvre`` →
    ``OEuvre``): what a slug keeps of them, instead of nothing."""
    return text.translate(_LIGATURES)


@lru_cache(maxsize=50_000)
def fold(word):
    """``word`` in lower case without accents, ligatures written out (``Œuvre`` → ``oeuvre``,
    ``ﬁn`` → ``fin``, ``e`` + combining acute → ``e``)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.lower().translate(_LIGATURES)


@lru_cache(maxsize=50_000)
def stem(word):
    """The stem of a word (folded first), or "" for a stop word."""
    folded = fold(word)
    if folded in _FOLDED_STOP_WORDS:
        return ""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer.stemWord(folded)


# PostgreSQL folds accents before it looks a word up in its stop list, where "été" and "à" are
# then no longer found: only the list's words without accents are left out, as there.
_FOLDED_STOP_WORDS = frozenset(word for word in STOP_WORDS if word.isascii())


def words(text):
    """(start, end, stem) for every word of ``text``; the stem is "" for a stop word."""
    for match in _WORD.finditer(text or ""):
        yield match.start(), match.end(), stem(match.group())


def stems(text):
    """The stems of the words of ``text``, in order, stop words left out."""
    return [s for s in (stem(word) for word in _WORD.findall(text or "")) if s]


def query_groups(query):
    """A reader's query as PostgreSQL's ``websearch_to_tsquery`` reads it: alternatives
    separated by ``or``, each a list of stems wanted and a list of stems excluded (a word
    written after a minus, ``-otan``). Alternatives wanting no word are left out."""
    groups, wanted, excluded = [], [], []
    for token in (query or "").split():
        if token.lower() == "or":
            if wanted:
                groups.append((wanted, excluded))
                wanted, excluded = [], []
            continue
        (excluded if token.startswith("-") else wanted).extend(stems(token))
    if wanted:
        groups.append((wanted, excluded))
    return [(list(dict.fromkeys(w)), list(dict.fromkeys(x))) for w, x in groups]


def query_stems(query):
    """The stems a result may hold for ``query``: the words wanted, in any alternative."""
    return [stem for wanted, _excluded in query_groups(query) for stem in wanted]


def plain_text(body):
    """The words of an HTML body: tags separate words, entities are letters."""
    return html.unescape(_TAG.sub(" ", body or ""))


def indexed_text(text, is_html=False):
    """What the full-text index stores of ``text``: its stems, separated by spaces."""
    return " ".join(stems(plain_text(text) if is_html else text))
