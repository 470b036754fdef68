"""Building blocks for request and response schemas shared by every domain."""

import unicodedata
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

# Characters that change how the text around them is shown or hide themselves: bidi
# controls (a right-to-left override can make "Sam" read as someone else's name in an access
# log), zero-width characters, and every other control or format character (Cc, Cf), line
# and paragraph separators, and unpaired surrogates.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def _plain_name_of(character: str) -> str:
    name = unicodedata.name(character, "control character").lower()
    return f"{name} (U+{ord(character):04X})"


def normalise_shown_name(value: str) -> str:
    """Names people see (display names, organisations): Unicode NFC, so one name has one
    spelling, and no character that is invisible or reorders what is shown."""
    value = unicodedata.normalize("NFC", value)
    for character in value:
        if unicodedata.category(character) in _HIDDEN_CATEGORIES:
            raise ValueError(
                f"remove the {_plain_name_of(character)}: a name can only hold characters "
                "that show as themselves"
            )
    return value


ShownName = AfterValidator(normalise_shown_name)


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
