"""Whether a number is personal data: check digits (IBAN mod-97, BSN 11-proef, card Luhn) and the
forms of phone numbers and postcodes, and whether an order was named just before it (no BSN then)."""

from __future__ import annotations

import re

from .redaction_kinds import Kind, last_words, word_set

__all__ = ["classify", "is_bsn", "is_iban", "luhn", "said_order"]

_IBAN_LENGTHS = {
    "NL": 18, "BE": 16, "DE": 22, "GB": 22, "FR": 27, "ES": 24, "IT": 27, "LU": 20, "AT": 20,
    "CH": 21, "IE": 22, "PL": 28, "PT": 25, "DK": 18, "SE": 24, "NO": 15, "FI": 18,
}  # fmt: skip


def is_iban(text: str) -> bool:
    """An IBAN (spaces allowed) whose length fits its country and whose mod-97 check passes."""
    code = text.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", code):
        return False
    if _IBAN_LENGTHS.get(code[:2], len(code)) != len(code):
        return False
    return int("".join(str(int(c, 36)) for c in code[4:] + code[:4])) % 97 == 1


def is_bsn(digits: str) -> bool:
    """Nine digits that pass the 11-proef (weights 9..2, and -1 for the last digit)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0


_DOUBLED = str.maketrans("0123456789", "0246813579")
"""Each digit doubled, less 9 when over 9: the Luhn check's every second digit, by table."""


def luhn(digits: str) -> bool:
    """The Luhn check of card numbers (by table: it is the cost of a long run of number words)."""
    kept, doubled = digits[::-1][::2], digits[::-1][1::2].translate(_DOUBLED)
    return (sum(map(int, kept)) + sum(map(int, doubled))) % 10 == 0


_BSN_WORDS = word_set("bsn burgerservicenummer sofinummer sofi citizen social")
_ORDER_WORDS = word_set(
    "bestelling bestelnummer ordernummer order ordernumber zending factuur factuurnummer invoice "
    "tracking pakket referentie reference referentienummer"
)


_OVER_LONG = (12, 13)
"""A Dutch mobile number (06 and eight digits) said with two or three digits too many is still one,
like one with one digit too many: the 06 makes it clear (a product code may start with another 0),
and no order number the team has seen starts so, so it goes also after an order word."""


def classify(chars: str, before: str | None) -> Kind | None:
    """The kind of personal data a run of digits (and letters) is, if any; a spoken "o" may be a zero.

    ``before``: the text before the number, when it was said on its own (a BSN only then).
    """
    kind = _classify_as_said(chars, before)
    if kind is None and "O" in chars:
        return _classify_as_said(chars.replace("O", "0"), before)
    return kind


def _classify_as_said(chars: str, before: str | None) -> Kind | None:
    if chars.startswith("+"):
        digits = chars[1:]
        return Kind.PHONE if digits.isdigit() and 8 <= len(digits) <= 15 and digits[0] != "0" else None
    if not chars.isdigit():
        if is_iban(chars):
            return Kind.IBAN
        postcode = re.fullmatch(r"[1-9]\d{3}([A-Z]{2})\d{0,5}[A-Z]?", chars)
        return Kind.ADDRESS if postcode and postcode[1] not in ("SA", "SD", "SS") else None
    n = len(chars)
    if n == 9 and before is not None and not said_order(before):
        if is_bsn(chars):
            return Kind.BSN
        if chars[0] == "0" and chars[1] != "0":
            return Kind.PHONE  # a number a digit short ("06 1234 567"), said on its own, not an order's
    if (chars.startswith("00") and 10 <= n <= 17 and chars[2] != "0") or (
        chars[0] == "0" and chars[1:2] != "0" and n in (10, 11)
    ):
        return Kind.PHONE
    if n in _OVER_LONG and chars.startswith("06"):
        return Kind.PHONE  # a mobile number with digits too many ("06 1234567890")
    return Kind.CARD if 13 <= n <= 19 and luhn(chars) else None


def said_order(before: str) -> bool:
    """The caller just named an order ("bestelling 123456782"), not a BSN, in the last three words."""
    for word in reversed(last_words(before, 3)):
        if word in _BSN_WORDS:
            return False
        if word in _ORDER_WORDS:
            return True
    return False
