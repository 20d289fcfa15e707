"""Feed values as single-line text of bounded length, whatever the feed's format.

A feed's values reach other councils' alert emails, the logs and officers' pages. A line break in a
surname would add lines to an email; a right-to-left override would make a name read backwards; a
NUL is refused by PostgreSQL. So each value is made one line of visible text at the feed, with a row
warning saying which field was cleaned, and every field has the same length cap in CSV, JSON and
workbooks (a row over it is rejected, naming the field, rather than cut short silently).
"""

from __future__ import annotations

import re

# Line breaks and tabs become one space: "Flat 2\n1 High Street" is still an address.
_BREAK_CHARACTERS = r"\t\n\v\f\r\x85\u2028\u2029"
# Everything else that is invisible or reorders text is removed: C0 and C1 controls, NUL, DEL,
# bidirectional marks, embeddings, overrides and isolates, zero-width characters and stray BOMs.
_INVISIBLE_CHARACTERS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_BREAKS = re.compile(f"[{_BREAK_CHARACTERS}]+")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")
# Either kind, as one character class: every row of every feed is searched for it, and one class
# is found quicker than an alternation of two.
_UNSAFE = re.compile(f"[{_BREAK_CHARACTERS}{_INVISIBLE_CHARACTERS}]")
_SPACES = re.compile(r" {2,}")

# The longest value each field may have as sent (spaces around it trimmed). Stored fields fit their
# columns; codes and dates are short in any form a council writes them.
MAX_LENGTH = {
    "licence_number": 64,
    "licence_type": 100,
    "status": 100,
    "issued_on": 40,
    "expires_on": 40,
    "surname": 200,
    "forenames": 200,
    "date_of_birth": 40,
    "driving_licence_number": 32,
    "ni_number": 16,
    "address": 500,
    "postcode": 16,
}


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def single_line(text: str) -> str:
    """'Smith\\r\\nDear officer' -> 'Smith Dear officer'; '\\u202eSmith' -> 'Smith'."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", _BREAKS.sub(" ", text))).strip()
