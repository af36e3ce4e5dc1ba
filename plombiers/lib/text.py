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
