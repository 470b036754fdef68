"""Building blocks for request and response schemas shared by every domain."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

# The largest whole number an INTEGER column holds (32 bits on PostgreSQL): a bigger one in
# a path or query (a revision number, an id to page from) is refused with 422 instead of
# failing in the database.
MAX_STORED_INT = 2**31 - 1
TITLE_MAX_CHARS = 200
TEXT_MAX_CHARS = 10_000


NUL_REFUSED = "remove the NUL character (U+0000): it cannot be stored"


def refuse_nul(value: str) -> str:
    """For text kept in plain-text columns: PostgreSQL text cannot hold NUL, so it is
    refused with a 422 here rather than failing in the database."""
    if "\x00" in value:
        raise ValueError(NUL_REFUSED)
    return value


WithoutNul = AfterValidator(refuse_nul)


class StrictInput(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_CHARS)
]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TEXT_MAX_CHARS)]
