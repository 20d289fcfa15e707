"""A council's feed mapping: its own column names and codes, saved once, read into every feed.

Headers are compared by header_key, so 'Licence No', 'licence no.' and 'LICENCE_NO' are one header.
A mapping never sends two headers to one field: both would claim the same value, and Crosscheck
would have to guess which is right.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from licensing.feeds.codes import ALLOWED, code_key

FIELDS = (
    "licence_number", "licence_type", "status", "issued_on", "expires_on", "surname", "forenames",
    "date_of_birth", "driving_licence_number", "ni_number", "address", "postcode",
)
_MAX_ENTRIES = 500
_MAX_TEXT = 200

_NOT_LETTER_OR_DIGIT = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    return _NOT_LETTER_OR_DIGIT.sub("", header.lower())


class InvalidMapping(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FeedMapping:
    columns: dict[str, str] = field(default_factory=dict)  # council's header -> feed field
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> council's code -> code
    sheet: str | None = None  # the workbook sheet to read; the first when None

    @classmethod
    def from_json(cls, document: object) -> FeedMapping:
        """Checks a mapping as a council sends it; raises InvalidMapping listing every problem."""
        if not isinstance(document, dict):
            raise InvalidMapping(['A feed mapping is a JSON object: {"columns": {...}, "values": {...}}.'])
        problems = [f"'{name}' is not part of a feed mapping; use columns, values and sheet."
                    for name in document if name not in ("columns", "values", "sheet")]
        columns = _string_map(document.get("columns", {}), "columns", problems)
        claimed: dict[str, str] = {}
        keys: dict[str, str] = {}
        for header, target in columns.items():
            if not header_key(header):
                problems.append(f"The header '{header}' has no letters or digits to match a column by.")
            elif header_key(header) in keys:
                problems.append(f"'{keys[header_key(header)]}' and '{header}' are the same header once case, "
                                "spaces and punctuation are ignored; give it once.")
            keys[header_key(header)] = header
            if target not in FIELDS:
                problems.append(f"'{header}' is mapped to '{target}', which is not a feed field; the fields are "
                                f"{', '.join(FIELDS)}.")
            elif target in claimed:
                problems.append(f"'{claimed[target]}' and '{header}' are both mapped to {target}; a field can "
                                "come from one column only.")
            claimed.setdefault(target, header)
        values_document = document.get("values", {})
        values: dict[str, dict[str, str]] = {}
        if not isinstance(values_document, dict):
            problems.append('values must be an object such as {"status": {"Current": "active"}}.')
            values_document = {}
        for target, codes in values_document.items():
            if target not in ALLOWED:
                problems.append(f"values for '{target}' cannot be mapped; only {' and '.join(ALLOWED)} have codes.")
                continue
            codes = _string_map(codes, f"values.{target}", problems)
            for code, meaning in codes.items():
                if meaning not in ALLOWED[target]:
                    problems.append(f"'{code}' is mapped to {target} '{meaning}', which is not one of "
                                    f"{', '.join(ALLOWED[target])}.")
                if not code_key(code):
                    problems.append(f"The {target} code '{code}' has no letters or digits to match by.")
            values[target] = codes
        sheet = document.get("sheet")
        if sheet is not None and (not isinstance(sheet, str) or not sheet.strip() or len(sheet) > _MAX_TEXT):
            problems.append("sheet must be the name of a sheet in the workbook, as text.")
        if problems:
            raise InvalidMapping(problems)
        return cls(columns=columns, values=values, sheet=sheet.strip() if sheet else None)

    def to_json(self) -> dict:
        return {"columns": dict(self.columns), "values": {name: dict(codes) for name, codes in self.values.items()},
                "sheet": self.sheet}

    def field_of(self) -> dict[str, str]:
        """header_key of every header Crosscheck reads -> its field: the fields' own names, then the mapping."""
        fields = {header_key(name): name for name in FIELDS}
        fields.update({header_key(header): target for header, target in self.columns.items()})
        return fields

    def codes_of(self, target: str) -> dict[str, str]:
        return {code_key(code): meaning for code, meaning in self.values.get(target, {}).items()}


NO_MAPPING = FeedMapping()


def _string_map(value: object, name: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        problems.append(f"{name} must be an object whose keys and values are text.")
        return {}
    if len(value) > _MAX_ENTRIES:
        problems.append(f"{name} has {len(value)} entries; a mapping holds at most {_MAX_ENTRIES}.")
    if any(len(k) > _MAX_TEXT or len(v) > _MAX_TEXT for k, v in value.items()):
        problems.append(f"{name} has an entry longer than {_MAX_TEXT} characters.")
    return {k.strip(): v.strip() for k, v in value.items()}


# Words councils' systems use for each field; only ever used to suggest a mapping, never applied
# silently, since a wrong guess would read one field's values as another's.
_SYNONYMS = {
    "licence_number": ("licence no", "licence ref", "licence id", "badge number", "badge no", "licence",
                       "license number", "plate number", "reference"),
    "licence_type": ("type", "licence category", "category", "driver type", "license type"),
    "status": ("licence status", "state", "current status"),
    "issued_on": ("issue date", "date issued", "start date", "granted", "grant date", "valid from", "issued"),
    "expires_on": ("expiry date", "expiry", "expires", "end date", "valid to", "valid until", "expiry dt"),
    "surname": ("last name", "family name", "lastname", "surname(s)"),
    "forenames": ("forename(s)", "forename", "first name", "first names", "given names", "christian name"),
    "date_of_birth": ("dob", "d.o.b", "birth date", "date of birth", "birthdate", "born"),
    "driving_licence_number": ("dvla number", "dvla licence", "driving licence", "dl number", "driver number"),
    "ni_number": ("ni no", "nino", "national insurance", "national insurance number", "ni"),
    "address": ("home address", "address line 1", "street"),
    "postcode": ("post code", "postal code", "zip"),
}
_SUGGEST_ABOVE = 70


def suggestions(missing: list[str], unused_headers: list[str]) -> dict[str, str]:
    """For each missing field, the unused header that most likely means it (each header once)."""
    scored = []
    for target in missing:
        words = [target.replace("_", " "), *_SYNONYMS.get(target, ())]
        for header in unused_headers:
            key = header_key(header)
            score = max(100 if key == header_key(word) else fuzz.ratio(key, header_key(word)) for word in words)
            if score >= _SUGGEST_ABOVE:
                scored.append((score, target, header))
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for _, target, header in sorted(scored, key=lambda item: -item[0]):
        if target not in chosen and header not in taken:
            chosen[target] = header
            taken.add(header)
    return {target: chosen[target] for target in missing if target in chosen}


def missing_columns_message(missing: list[str], unused_headers: list[str], required: tuple[str, ...]) -> str:
    plural = "s" if len(missing) > 1 else ""
    message = (f"Required column{plural} missing: {', '.join(missing)}. Every feed needs the columns "
               f"{', '.join(required)}.")
    likely = suggestions(missing, unused_headers)
    if likely:
        looks = "; ".join(f"'{header}' looks like {target}" for target, header in likely.items())
        example = json.dumps({"columns": {header: target for target, header in likely.items()}})
        message += (f" {looks}. If so, save your column names once as the authority's feed mapping "
                    f"(PUT /api/v1/authorities/<code>/feed-mapping, or crosscheck set-feed-mapping) with "
                    f"{example}; every later feed is read through it.")
    return message
