"""Text helpers that need no Django."""

import re
import unicodedata


def fold(value: str) -> str:
    """Lower-case, accent-free, with hyphens and apostrophes as spaces: for matching names."""
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = re.sub(r"[\s'’\-\u2010-\u2015\u2212.]+", " ", value.lower())
    return value.strip()
