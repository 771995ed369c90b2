"""FAQ files: YAML (a list of entries) or CSV (one entry a row).

YAML::

    - id: shipping-costs                      # optional; made from the question when absent
      question: How much does shipping cost?
      phrasings: [What are your delivery charges?, Is shipping free?]
      answer: Shipping within the Netherlands costs 4.95 euros. ...
      short: Shipping costs 4.95 euros.       # optional: what is said aloud
      link: https://www.example.com/help/shipping   # optional

CSV has the columns ``question,answer`` and optionally ``id,phrasings,short,link``; phrasings are
separated by ``|``. Header names are read in any case, in English or Dutch (``COLUMNS``: ``vraag``,
``antwoord``, ``formuleringen``, ...); other columns (a category, a date) are left out, and
``csv_findings`` names them. The columns are separated by commas, or by semicolons when the header row has
semicolons and no comma. A file that is not UTF-8 is read as Windows-1252, which Excel saves in Western
Europe. Errors name the spreadsheet's row (the header is row 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import SkillError, yaml_problem
from ..strict_yaml import UniqueKeyLoader
from .entries import Entry
from .spoken import without_tags

if TYPE_CHECKING:
    from ..analytics.team import Texts

FIELDS = ("id", "question", "phrasings", "answer", "short", "link")
REQUIRED = ("question", "answer")
OPTIONAL_TEXT = ("short", "link")
"""Optional fields that must be text when given (a bare ``yes`` in YAML is a boolean)."""
SLUG_LENGTH = 60
DUTCH = {"question": "vraag", "phrasings": "formuleringen", "answer": "antwoord", "short": "kort"}
"""Field -> its Dutch CSV column, as a Dutch team's notes name it (``column_names``)."""
COLUMNS = {
    **{name: name for name in FIELDS},
    **{column: name for name, column in DUTCH.items()},
    "varianten": "phrasings",
    "kort antwoord": "short",
}
"""CSV header name (lower case) -> the field it fills: English or Dutch."""
FALLBACK_ENCODING = "cp1252"
"""What a CSV that is not UTF-8 is read as: Excel's "CSV" in Western Europe (Dutch, English, ...)."""


def read_yaml(path: Path, source: str) -> list[Entry]:
    """The entries of a YAML FAQ file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise invalid_yaml(path, exc) from exc
    if isinstance(data, dict) and "faq" in data:
        data = data["faq"]
    if not isinstance(data, list) or not data:
        raise SkillError.said("faq_not_list", path=path)
    return [faq_entry(raw, path, source, number) for number, raw in enumerate(data, start=1)]


def read_csv(path: Path, source: str) -> list[Entry]:
    """The entries of a CSV FAQ file (a header row, then one entry a row)."""
    text, _ = csv_text(path)
    separator = csv_separator(text)
    rows = _csv_records(text, path, separator)
    if not rows:
        raise SkillError.said("csv_no_header", path=path)
    fields = _csv_fields(rows[0][1], path)
    raws = [(number, _csv_row(row, fields, path, number, separator)) for number, row in rows[1:]]
    entries = [faq_entry(raw, path, source, number, unit="row") for number, raw in raws if raw]
    if not entries:
        raise SkillError.said("csv_no_rows", path=path)
    _check_unique(entries, [number for number, raw in raws if raw], path)
    return entries


def csv_text(path: Path) -> tuple[str, bool]:
    """The text of a CSV file, and whether it was not UTF-8 and so read as ``FALLBACK_ENCODING``."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as exc:
        raise SkillError.said("csv_not_text", path=path) from exc
    return text, True


def column_names(language: str) -> tuple[str, ...]:
    """The CSV columns read, as a team of ``language`` writes them (Dutch: ``vraag``, ``antwoord`` ...)."""
    return tuple(DUTCH.get(name, name) for name in FIELDS) if language == "nl" else FIELDS


@dataclass(frozen=True, slots=True)
class CsvFindings:
    """What an import says about a CSV file it reads besides its entries, in the team's words."""

    name: str
    fell_back: bool
    """Not UTF-8, so read as ``FALLBACK_ENCODING`` (Excel's CSV)."""
    left_out: tuple[str, ...]
    """The header's columns not read."""

    def told(self, say: Texts) -> list[str]:
        """One note a line, in the words of ``say``; the columns read as its language writes them."""
        notes = [say("csv_not_utf8", name=self.name)] if self.fell_back else []
        if self.left_out:
            read = ", ".join(column_names(say.language))
            notes.append(say("csv_left_out", name=self.name, columns=", ".join(self.left_out), read=read))
        return notes


def csv_findings(path: Path) -> CsvFindings:
    """The encoding a CSV file fell back to and the columns left out."""
    text, fell_back = csv_text(path)
    rows = _csv_records(text, path, csv_separator(text))
    header = [name.strip() for name in rows[0][1]] if rows else []
    ignored = tuple(name for name in header if name and name.lower() not in COLUMNS)
    return CsvFindings(path.name, fell_back, ignored)


def csv_separator(text: str) -> str:
    """``;`` when the header row has semicolons and no comma (what Excel saves where the decimal mark
    is a comma, as in Dutch), else ``,``."""
    header = text.partition("\n")[0]
    return ";" if ";" in header and "," not in header else ","


def _csv_records(text: str, path: Path, separator: str) -> list[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, fields) of every row that has any text; a quote left
    open or text after a closing quote is refused at the row it starts in."""
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if any(field.strip() for field in row):
                rows.append((number, row))
    except csv.Error as exc:
        row_number = number + 1
        key = "csv_open_quote" if "unexpected end of data" in str(exc) else "csv_after_quote"
        raise SkillError.said(key, path=path, row=row_number) from exc
    return rows


def _csv_fields(header: list[str], path: Path) -> list[str | None]:
    """The field each column fills (None: left out), from the header row read in any case and in
    English or Dutch; both names of one field are refused."""
    fields = [COLUMNS.get(name.strip().lower()) for name in header]
    missing = [name for name in REQUIRED if name not in fields]
    if missing:
        raise SkillError.said("csv_no_header", path=path)
    twice = next((field for field in fields if field and fields.count(field) > 1), None)
    if twice is not None:
        names = [name.strip() for name, field in zip(header, fields, strict=True) if field == twice]
        raise SkillError.said(
            "csv_same_field", path=path, names=names, field=twice, column=DUTCH.get(twice, twice)
        )
    return fields


def _csv_row(
    row: list[str], fields: list[str | None], path: Path, number: int, separator: str
) -> dict[str, Any]:
    """A CSV row as entry fields ({} for a row with only left-out columns). A row with more fields
    than the header is refused: an unquoted separator in an answer would otherwise cut the answer short
    without a word."""
    if any(value.strip() for value in row[len(fields) :]):
        raise SkillError.said("csv_more_fields", path=path, row=number, separator=separator)
    raw: dict[str, Any] = {
        field: value.strip() for field, value in zip(fields, row, strict=False) if field and value.strip()
    }
    if not raw:
        return {}
    raw["phrasings"] = [p.strip() for p in raw.get("phrasings", "").split("|") if p.strip()]
    return raw


def _check_unique(entries: list[Entry], numbers: list[int], path: Path) -> None:
    """Two rows that ask the same question, or give the same id, are refused, naming both rows."""
    seen: dict[str, tuple[int, Entry]] = {}
    for entry, number in zip(entries, numbers, strict=True):
        if entry.id not in seen:
            seen[entry.id] = (number, entry)
            continue
        first, other = seen[entry.id]
        rows = {"path": path, "first": first, "second": number, "id": repr(entry.id)}
        if slug(other.title) == slug(entry.title):
            raise SkillError.said("csv_same_question", title=repr(entry.title), **rows)
        raise SkillError.said("csv_same_id", **rows)


def faq_entry(raw: Any, path: Path, source: str, number: int, *, unit: str = "entry") -> Entry:
    """The ``number``-th entry (or CSV ``row``: ``unit``) of the FAQ file ``path`` from its fields;
    ``SkillError`` says what to fix."""

    def problem(kind: str, name: str = "", **values: Any) -> SkillError:
        where = {"path": path, "row": unit == "row", "number": number}
        return SkillError.said(
            "faq_entry", problem=kind, name=name, column=DUTCH.get(name, name), **where, **values
        )

    if not isinstance(raw, dict):
        raise problem("not_fields", got=repr(raw))
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise problem("unknown_field", repr(unknown[0]), fields=", ".join(FIELDS))
    for name in REQUIRED:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise problem("not_text", name)
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise problem("missing", name)
    for name in OPTIONAL_TEXT:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise problem("not_text", name)
    phrasings = raw.get("phrasings") or []
    if not isinstance(phrasings, list) or not all(isinstance(p, str) for p in phrasings):
        raise problem("phrasings")
    question = _clean(raw["question"])
    return Entry(
        id=str(raw.get("id") or slug(question)),
        title=question,
        text=_clean(without_tags(raw["answer"])),
        phrasings=tuple(_clean(p) for p in phrasings),
        short=_clean(str(raw.get("short") or "")),
        link=str(raw.get("link") or "").strip(),
        source=source,
    )


def slug(text: str) -> str:
    """An id made from a title: lower case words joined by hyphens. A longer one than ``SLUG_LENGTH`` is
    cut and ends in a hash of the whole, so two long questions that begin alike get different ids."""
    whole = "-".join(re.findall(r"[^\W_]+", text.lower())) or "entry"
    if len(whole) <= SLUG_LENGTH:
        return whole
    digest = hashlib.sha256(whole.encode()).hexdigest()[:8]
    return f"{whole[: SLUG_LENGTH - len(digest) - 1]}-{digest}"


def _clean(text: str) -> str:
    return " ".join(text.split())


def invalid_yaml(path: Path, exc: Exception) -> SkillError:
    """A YAML (or decoding) error as one sentence: PyYAML's own message spans several lines, repeats the
    file and may begin with its context ("while parsing a flow sequence") instead of the problem."""
    if isinstance(exc, UnicodeDecodeError):
        return SkillError.said("content_not_utf8", path=path)
    return SkillError.said("content_not_yaml", path=path, problem=yaml_problem(exc))
