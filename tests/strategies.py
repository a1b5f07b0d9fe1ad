"""Hypothesis strategies: article bodies as editors paste, type or craft them."""

from hypothesis import strategies as st

ALLOWED_MARKUP = [
    "<p>", "</p>", "<br>", "<br/>", "<h2>", "</h2>", "<h3>", "</h3>", "<h4>", "</h4>", "<ul>",
    "</ul>", "<ol>", "</ol>", "<li>", "</li>", "<blockquote>", "</blockquote>", "<strong>",
    "</strong>", "<em>", "</em>", "<b>", "</b>", "<i>", "</i>", "<sub>", "</sub>", "<sup>",
    "</sup>", '<a href="https://exemple.fr/dossier" title="Le dossier">', "</a>", "<figure>",
    "</figure>", "<figcaption>", "</figcaption>", "<hr>",
    '<img src="/media/images/photo.jpg" alt="Une photo" width="640">',
]  # fmt: skip
# Declarations come whole: what one holds is a comment to HTML, not text.
OTHER_MARKUP = [
    "<div>", "</div>", '<span style="color:red">', "</span>", "<table>", "<tr>", "<td>",
    "</table>", '<a href="javascript:alert(1)">', '<img src="https://ailleurs.example/x.png">',
    '<p onclick="alert(1)">', "<math>", "</math>", "<svg>", "</svg>", "<textarea>", "<title>",
    "<select>", "<template>", "<noscript>", "<iframe>", "<xmp>", "<plaintext>", "<!--",
    "<![CDATA[ note ]]>", "<![if !supportLists]>", "<!DOCTYPE html>", '<?xml version="1.0"?>',
    "< ", " > ", "& ", "<STYLE>", "<Script>",
]  # fmt: skip
CODE = ["<style>", "</style>", "<script>", "</script>", "-->"]  # may legitimately hide words
ENTITIES = ["&amp;", "&lt;", "&gt;", "&nbsp;", "&eacute;", "&#233;", "&#x1F600;", "&#0;", "&quot;"]
SEPARATORS = [" ", " ", " ", "\n", "\u00a0", "\u2028", "\t"]

# Words: any printable text but the characters that start markup.
words = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="<>&"),
    min_size=1,
    max_size=12,
)
separators = st.sampled_from(SEPARATORS)


def bodies(markup=ALLOWED_MARKUP, max_size=60):
    """Bodies as lists of fragments (join them): words, spaces, entities and ``markup``."""
    return st.lists(
        st.one_of(words, separators, st.sampled_from(ENTITIES), st.sampled_from(markup)),
        max_size=max_size,
    )
