from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
# Far beyond any real list, and inside the 64-bit integers every database accepts.
MAX_OFFSET = 10**12


class Pagination(LimitOffsetPagination):
    """`{"items": [...], "count": n}` with `limit` (1–500, default 100) and a bounded `offset`."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description="nombre d'éléments (1 à 500)")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="position du premier élément")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
