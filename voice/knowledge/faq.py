"""FAQ files: YAML (a list of entries) or CSV (one entry a row).

YAML::

    - id: shipping-costs                      # optional; made from the question when absent
      question: How much does shipping cost?
      phrasings: [What are your delivery charges?, Is shipping free?]
      answer: Shipping within the Netherlands costs 4.95 euros. ...
      short: Shipping costs 4.95 euros.       # optional: what is said aloud
      link: https://www.example.com/help/shipping   # optional

CSV has the columns ``question,answer`` and optionally ``id,phrasings,short,link``; phrasings are
separated by ``|``. The columns are separated by commas, or by semicolons when the header row has
semicolons and no comma.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import SkillError, yaml_problem
from ..strict_yaml import UniqueKeyLoader
from .entries import Entry
from .spoken import without_tags

FIELDS = ("id", "question", "phrasings", "answer", "short", "link")
REQUIRED = ("question", "answer")
OPTIONAL_TEXT = ("short", "link")
"""Optional fields that must be text when given (a bare ``yes`` in YAML is a boolean)."""
SLUG_LENGTH = 60


def read_yaml(path: Path, source: str) -> list[Entry]:
    """The entries of a YAML FAQ file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise invalid_yaml(path, exc) from exc
    if isinstance(data, dict) and "faq" in data:
        data = data["faq"]
    if not isinstance(data, list) or not data:
        raise SkillError(f"{path} must be a list of FAQ entries, each with a question and an answer.")
    return [faq_entry(raw, path, source, number) for number, raw in enumerate(data, start=1)]


def read_csv(path: Path, source: str) -> list[Entry]:
    """The entries of a CSV FAQ file (a header row, then one entry a row)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkillError(f"{path} is not UTF-8 text; save it as UTF-8 CSV.") from exc
    separator = csv_separator(text)
    reader = csv.DictReader(io.StringIO(text), delimiter=separator)
    header = [name.strip() for name in reader.fieldnames or ()]
    if any(name not in header for name in REQUIRED):
        raise SkillError(
            f"{path} needs a header row with the columns question and answer, "
            "separated by commas or semicolons."
        )
    rows = [_csv_row(row, path, reader.line_num, separator) for row in reader]
    if not rows:
        raise SkillError(f"{path} has no rows under its header; add one row per question.")
    return [faq_entry(raw, path, source, number) for number, raw in enumerate(rows, start=1)]


def csv_separator(text: str) -> str:
    """``;`` when the header row has semicolons and no comma (what Excel saves where the decimal mark
    is a comma, as in Dutch), else ``,``."""
    header = text.partition("\n")[0]
    return ";" if ";" in header and "," not in header else ","


def _csv_row(row: dict[Any, Any], path: Path, line: int, separator: str) -> dict[str, Any]:
    """A CSV row as entry fields. A row with more fields than the header is refused: an unquoted
    separator in an answer would otherwise cut the answer short without a word."""
    if None in row:
        raise SkillError(
            f"{path}, row {line}: more fields than the header has columns; "
            f'put a question or answer that contains a "{separator}" in double quotes.'
        )
    raw: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
    raw["phrasings"] = [p.strip() for p in raw.get("phrasings", "").split("|") if p.strip()]
    return raw


def faq_entry(raw: Any, path: Path, source: str, number: int) -> Entry:
    """The ``number``-th entry of the FAQ file ``path`` from its fields; ``SkillError`` says what to fix."""
    if not isinstance(raw, dict):
        raise SkillError(f"{path}, entry {number}: expected question, answer, ...; got {raw!r}.")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise SkillError(
            f"{path}, entry {number}: unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}."
        )
    for name in REQUIRED:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise SkillError(f"{path}, entry {number}: the {name} must be text; put it in quotes.")
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise SkillError(f"{path}, entry {number}: the {name} is missing or empty; add it.")
    for name in OPTIONAL_TEXT:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise SkillError(f"{path}, entry {number}: the {name} must be text; put it in quotes.")
    phrasings = raw.get("phrasings") or []
    if not isinstance(phrasings, list) or not all(isinstance(p, str) for p in phrasings):
        raise SkillError(f"{path}, entry {number}: phrasings must be a list of sentences.")
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
        return SkillError(f"{path} is not UTF-8 text; save it as UTF-8.")
    return SkillError(f"{path} is not valid YAML ({yaml_problem(exc)}); fix the file.")
