"""What every router shares: the error bodies, and the bounds of the integers the API reads."""

from typing import Annotated, Any

from ninja import Field, Schema

# The largest key the databases hold (a signed 64-bit integer). Every id the API reads — in a path,
# a query or a body — is bounded by it, so that a bigger number is a 422 and never an overflow in
# the database driver (a 500).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    """Every error: a French sentence to show as it is."""

    detail: str


class InvalidOut(ErrorOut):
    """A 422: a request that does not follow the schema lists one error per field in `errors`; a
    value the service refuses (a missing reason, an unknown commune) has its `detail` only."""

    errors: list[dict[str, Any]] | None = None
