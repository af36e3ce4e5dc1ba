"""What every API router shares: the pagination, the error body, and the bounds of the integers the
API reads. In the base layer so that each app's `api.py` imports it and none imports `plombiers.api`,
which only routes."""

from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

# The largest key the databases hold (a signed 64-bit integer). Every id the API reads — in a path,
# a query or a body — is bounded by it, so that a bigger number is a 422 and never an overflow in
# the database driver (a 500).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

MAX_LIMIT = 500
# Far beyond any real list, and inside the 64-bit integers every database accepts.
MAX_OFFSET = 10**12


class ErrorOut(Schema):
    """Every error: a French sentence to show as it is."""

    detail: str


class InvalidOut(ErrorOut):
    """A 422: a request that does not follow the schema lists one error per field in `errors`; a
    value the service refuses (a missing reason, an unknown commune) has its `detail` only."""

    errors: list[dict[str, Any]] | None = None


class Pagination(LimitOffsetPagination):
    """`{"items": [...], "count": n}` with `limit` (1–500, default 100) and a bounded `offset`."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description="nombre d'éléments (1 à 500)")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="position du premier élément")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
