"""The FAQ files of a skill's content, for the review's "add to knowledge entry": which file holds an
entry, and a phrasing added to a row of a CSV file.

Content imported as CSV (``voice knowledge import``) stays CSV, so the review edits it where it is: the
one row of the entry is written again in the file's own separator, quoting and line ends (the BOM a
spreadsheet wrote stays too); the other rows are left as they are. Without a ``phrasings`` column the
header gets one (the other rows need no empty cell: a short row reads as empty cells).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

from ..errors import SkillError
from ..knowledge.content import content_files, content_folder, read_file
from ..knowledge.entries import Entry
from ..knowledge.faq import csv_separator, read_csv

__all__ = ["FAQ_SUFFIXES", "FaqEntry", "add_csv_phrasing", "faq_entries", "find_entry"]

FAQ_SUFFIXES = (".yaml", ".yml", ".csv")
"""Content files whose entries have phrasings (pages have none)."""
BOM = "\ufeff"
QUOTINGS: tuple[Literal[0, 1], ...] = (csv.QUOTE_MINIMAL, csv.QUOTE_ALL)
"""How a spreadsheet quotes a row: only the cells that need it, or every cell."""

FaqEntry = tuple[Path, int, Entry]
"""An entry, the FAQ file that holds it and its place among that file's entries (from 0)."""


def faq_entries(skill_root: Path, language: str) -> list[FaqEntry]:
    """Every entry of the FAQ files in the skill's content for ``language``, in content order."""
    files = content_files(content_folder(skill_root, language))
    found = ((path, read_file(path)) for path in files if path.suffix.lower() in FAQ_SUFFIXES)
    return [(path, index, entry) for path, entries in found for index, entry in enumerate(entries)]


def find_entry(skill_root: Path, language: str, entry_id: str) -> FaqEntry | None:
    """The FAQ entry ``entry_id`` (its id, or the id made from its question), or None."""
    return next((found for found in faq_entries(skill_root, language) if found[2].id == entry_id), None)


def add_csv_phrasing(path: Path, index: int, phrasing: str) -> None:
    """Append ``phrasing`` to the ``phrasings`` cell of the ``index``-th entry row; a file that no longer
    reads afterwards is put back (``SkillError``)."""
    before = path.read_bytes().decode("utf-8")  # its own line ends, which read_text would change
    body = before.removeprefix(BOM)
    separator = csv_separator(body)
    lines = io.StringIO(body, newline="").readlines()
    rows = _rows(lines, separator)
    (header, top, below), (row, start, end) = rows[0], rows[index + 1]
    names = [name.strip() for name in header]
    cells = row + [""] * (len(names) - len(row)) + ([""] if "phrasings" not in names else [])
    column = names.index("phrasings") if "phrasings" in names else len(names)
    joiner = " | " if " | " in cells[column] else "|"
    cells[column] = joiner.join(part for part in (cells[column].strip(), phrasing) if part)
    lines[start:end] = [_written(cells, "".join(lines[start:end]), row, separator)]
    if "phrasings" not in names:  # after the row, whose line numbers a new header line would shift
        lines[top:below] = [_written([*header, "phrasings"], "".join(lines[top:below]), header, separator)]
    path.write_bytes((before[: len(before) - len(body)] + "".join(lines)).encode("utf-8"))
    try:
        read_csv(path, path.name)
    except SkillError:
        path.write_bytes(before.encode("utf-8"))
        raise


def _rows(lines: list[str], separator: str) -> list[tuple[list[str], int, int]]:
    """The non-empty rows (the header first), each with the lines it spans: ``lines[start:end]``."""
    reader = csv.reader(iter(lines), delimiter=separator)
    rows, start = [], 0
    for row in reader:
        if row:  # DictReader skips blank lines too, so the indexes match the reader's entries
            rows.append((row, start, reader.line_num))
        start = reader.line_num
    return rows


def _written(cells: list[str], raw: str, row: list[str], separator: str) -> str:
    """``cells`` as one CSV row, quoted as the file quoted ``row`` (``raw``): every cell, or only those
    that need it."""
    ending = raw[len(raw.rstrip("\r\n")) :]
    quoting = next(
        (way for way in QUOTINGS if _row_text(row, separator, way, ending) == raw),
        QUOTINGS[0],
    )
    return _row_text(cells, separator, quoting, ending)


def _row_text(cells: list[str], separator: str, quoting: Literal[0, 1], ending: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, quoting=quoting, lineterminator=ending or "\n").writerow(cells)
    return out.getvalue() if ending else out.getvalue().removesuffix("\n")
