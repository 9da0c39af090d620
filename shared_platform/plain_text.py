"""A person's text made fit for one line: an e-mail subject, a title, a name.

E-mail headers may not hold a line break (Django refuses the message with
BadHeaderError) and control characters have no place in a title. Services
clean such text when it comes in, and the mail code cleans each subject again
before sending, for text that reached the database another way (the admin).
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def single_line(value: str | None) -> str:
    """Line breaks (any: CR, LF, U+2028...) and tabs become a space, other control characters go,
    and runs of spaces shrink to one. Letters, marks and joiners of any script are kept."""
    text = "".join(
        " " if character.isspace() else character
        for character in (value or "")
        if character.isspace() or unicodedata.category(character) != "Cc"
    )
    return _WHITESPACE.sub(" ", text).strip()
