"""Text helpers that need no Django."""

import re
import unicodedata
from functools import lru_cache


# Pure, and called on the same few thousand names (schools, regions, organisations) by every
# sorted table: memoised.
@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Lower-case, accent-free, with hyphens and apostrophes as spaces: for matching names."""
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = re.sub(r"[\s'’\-\u2010-\u2015\u2212.]+", " ", value.lower())
    return value.strip()


def elide(word: str, name) -> str:
    """« de » or « que » before a name, elided before a vowel or a mute h: « d'Inès », « qu'Hugo »,
    « de Bilal », « de Yanis »."""
    text = str(name)
    if text and (fold(text[0])[:1] in tuple("aeiouh") or text[0] in "ŒœÆæ"):
        return f"{word[:-1]}'{text}"
    return f"{word} {text}"


def de(name) -> str:
    """« de Bilal », « d'Inès »."""
    return elide("de", name)


def que(name) -> str:
    """« que Bilal », « qu'Inès »."""
    return elide("que", name)
