"""A handwritten signature, drawn with a finger, kept as an SVG image built here from its strokes.

The browser sends the strokes (lists of points in a fixed box); the SVG is written by this
module, never taken from the client, so that nothing but lines can end up in a stored signature
or in a PDF that embeds it.
"""

import unicodedata
from collections.abc import Sequence

WIDTH = 400
HEIGHT = 150
MAX_STROKES = 100
MAX_POINTS = 4000


class SignatureError(ValueError):
    pass


def _point(value) -> tuple[float, float]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise SignatureError("La signature est illisible.")
    x, y = value
    if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in (x, y)):
        raise SignatureError("La signature est illisible.")
    if not (0 <= x <= WIDTH and 0 <= y <= HEIGHT):
        raise SignatureError("La signature sort du cadre.")
    return round(float(x), 1), round(float(y), 1)


def strokes_to_svg(strokes) -> str:
    """The SVG of a signature given as a list of strokes, each a list of [x, y] points in a
    400 × 150 box. Raises SignatureError (in French) for an empty, oversized or malformed one."""
    if not isinstance(strokes, Sequence) or isinstance(strokes, str):
        raise SignatureError("La signature est illisible.")
    if len(strokes) > MAX_STROKES:
        raise SignatureError("La signature compte trop de traits.")
    paths, total = [], 0
    for stroke in strokes:
        if not isinstance(stroke, Sequence) or isinstance(stroke, str):
            raise SignatureError("La signature est illisible.")
        points = [_point(p) for p in stroke]
        total += len(points)
        if total > MAX_POINTS:
            raise SignatureError("La signature compte trop de points.")
        if not points:
            continue
        if len(points) == 1:  # a dot
            points.append((points[0][0] + 0.5, points[0][1]))
        head, *tail = points
        paths.append(f"M{head[0]:g} {head[1]:g}" + "".join(f"L{x:g} {y:g}" for x, y in tail))
    if total < 3:
        raise SignatureError("La signature est vide : signez dans le cadre.")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}">'
        '<path fill="none" stroke="#1a1a4e" stroke-width="2.5" stroke-linecap="round" '
        f'stroke-linejoin="round" d="{" ".join(paths)}"/></svg>'
    )


# --- a signature without drawing ----------------------------------------------------------------

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def name_key(name: str) -> str:
    """A name reduced to what a person means when they type it: letters and digits only, without
    accents or case (« Inès  Arnaud-Le Gall » and « ines arnaud le gall » give the same key)."""
    decomposed = unicodedata.normalize("NFKD", str(name).translate(_LIGATURES))
    return "".join(c for c in decomposed.casefold() if c.isalnum() and not unicodedata.combining(c))


def typed_name_matches(typed: str, first_name: str, last_name: str) -> bool:
    """Whether the typed name is the person's full name, first name then last name or the other way
    round, whatever the case, accents, spaces, hyphens and apostrophes."""
    key = name_key(typed)
    if not key or not name_key(first_name + last_name):
        return False
    return key in (name_key(first_name + last_name), name_key(last_name + first_name))
