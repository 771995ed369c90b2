"""The text of an HTML page in the character set it declares (``<meta charset="windows-1252">``).

Pages saved from an older site or a CMS export are often Windows-1252 and say so in their head; a
browser honours that, so the import does too. Without a declaration, or with one Python does not know,
a page is read as UTF-8 (with or without a byte order mark).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import SkillError

DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
LIKE_A_BROWSER = {"iso8859-1": "cp1252", "ascii": "cp1252"}
"""Declarations a browser reads as Windows-1252 (its superset): what the page's author saw."""
HEAD_BYTES = 4096
"""Where a declaration is looked for: browsers look in the first 1,024 bytes; a long head gets more."""


def html_text(path: Path) -> str:
    """The page's text, decoded as its ``<meta>`` declares, else as UTF-8; ``SkillError`` when it is not
    text in that character set."""
    data = path.read_bytes()
    encoding = declared_charset(data) or "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"  # a byte order mark wins over the declaration, as in a browser
    return decoded(path, data, encoding)


def utf8_text(path: Path) -> str:
    """A text file (Markdown, plain text) as UTF-8, with or without the byte order mark Windows editors
    write; ``SkillError`` when it is not."""
    return decoded(path, path.read_bytes(), "utf-8-sig")


def decoded(path: Path, data: bytes, encoding: str) -> str:
    """``data`` of ``path`` as text in ``encoding``; ``SkillError`` for a binary file or other bytes."""
    refuse_binary(path, data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        named = encoding.removesuffix("-sig").upper()
        raise SkillError(f"{path} is not {named} text; save it as UTF-8.") from exc


def refuse_binary(path: Path, data: bytes) -> None:
    """``SkillError`` for a file with NUL bytes that is not UTF-16: an image or a PDF saved under a text
    name would otherwise become one entry of gibberish."""
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SkillError(f"{path} is a binary file, not text; save the page as UTF-8 text or remove it.")


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the character set the page's head declares (None: none, or unknown)."""
    found = DECLARED.search(data[:HEAD_BYTES])
    if found is None:
        return None
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return LIKE_A_BROWSER.get(name, name)
