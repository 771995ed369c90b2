"""The generated corpus of ``bench/redaction.py``: Dutch and English utterances the way callers speak,
each with planted personal data (valid check digits) and pieces that must survive, and their spans.

Numbers are spelled out here independently of ``voice.redaction_words``, so the bench does not
grade the code with its own tables.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


def words(text: str) -> list[str]:
    return text.split()


PERSONAL = ("email", "phone", "iban", "bsn", "card", "address")
KEEP = ("order", "date", "time", "amount")

DIGITS = {
    "nl": words("nul een twee drie vier vijf zes zeven acht negen"),
    "en": words("zero one two three four five six seven eight nine"),
}


@dataclass(frozen=True, slots=True)
class Piece:
    """A planted piece: its kind, its form (written or spoken) and its text."""

    kind: str
    form: str
    text: str


@dataclass(frozen=True, slots=True)
class Utterance:
    text: str
    language: str
    pieces: tuple[tuple[Piece, int, int], ...]
    """Each piece with its span in ``text``."""


# --- personal data with valid check digits ------------------------------------------------------


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def iban(rng: random.Random) -> str:
    country = rng.choice(["NL", "BE", "DE"])
    banks = ["ABNA", "INGB", "RABO", "TRIO", "SNSB", "BUNQ", "KNAB"]
    body = {"NL": rng.choice(banks) + digits(rng, 10), "BE": digits(rng, 12), "DE": digits(rng, 18)}[country]
    number = int("".join(str(int(c, 36)) for c in body + country + "00"))
    return f"{country}{98 - number % 97:02d}{body}"


def bsn(rng: random.Random) -> str:
    while True:
        first = digits(rng, 8)
        total = sum(int(d) * w for d, w in zip(first, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and first != "0" * 8:
            return first + str(last)


def card(rng: random.Random) -> str:
    prefix, length = rng.choice([("4", 16), ("5" + rng.choice("12345"), 16), ("3" + rng.choice("47"), 15)])
    body = prefix + digits(rng, length - len(prefix) - 1)
    for check in "0123456789":
        total = 0
        for i, d in enumerate(reversed(body + check)):
            n = int(d) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


def spoken_digits(number: str, language: str, rng: random.Random) -> str:
    """Digit by digit, the way a recognizer writes it; English zero as 'oh' now and then."""
    words = DIGITS[language]
    said = [words[int(d)] for d in number]
    if language == "en" and rng.random() < 0.5:
        said = ["oh" if w == "zero" else w for w in said]
    return " ".join(said)


def grouped(number: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(number[i : i + size])
        i += size
    return sep.join(p for p in parts if p)


def phone(rng: random.Random, language: str) -> Piece:
    mobile = "06" + digits(rng, 8)
    landline = "0" + rng.choice(["20", "10", "30", "70", "40", "50", "13", "15", "24"]) + digits(rng, 7)
    number = rng.choice([mobile, landline])
    written = [
        mobile[:2] + "-" + mobile[2:],
        grouped(mobile, (2, 4, 4)),
        mobile,
        grouped(landline, (3, 3, 4)),
        landline[:3] + "-" + landline[3:],
        "+31 6 " + grouped(mobile[2:], (4, 4)),
        "+31" + mobile[1:],
        "0031 6 " + mobile[2:],
        "(0" + landline[1:3] + ") " + grouped(landline[3:], (3, 4)),
        "+44 20 " + grouped(digits(rng, 8), (4, 4)),
        "+32 470 " + grouped(digits(rng, 6), (2, 2, 2)),
        "+49 30 " + digits(rng, 8),
        "+1 (555) " + digits(rng, 3) + "-" + digits(rng, 4),
        "06 - " + grouped(mobile[2:], (2, 2, 2, 2)),
        "06-" + grouped(mobile[2:], (4, 4)),
        "+31 (0)6 " + mobile[2:],
        "0" + rng.choice(["20", "10"]) + "." + grouped(landline[3:], (3, 4), "."),
    ]
    plus = {"nl": "plus drie een zes", "en": "plus three one six"}[language]
    spoken = [
        spoken_digits(number, language, rng),
        plus + " " + spoken_digits(mobile[2:], language, rng),
    ]
    pairs = [mobile[i : i + 2] for i in range(2, 10, 2)]
    if language == "nl":
        spoken.append("nul zes " + " ".join(_dutch_pair(p) for p in pairs))
    else:
        spoken.append("oh six " + " ".join(_english_pair(p) for p in pairs))
        spoken.append("oh two oh " + spoken_digits(landline[3:], "en", rng).replace("one one", "double one"))
    if rng.random() < 0.5:
        return Piece("phone", "written", rng.choice(written))
    return Piece("phone", "spoken", rng.choice(spoken))


DUTCH_UNITS = words("nul een twee drie vier vijf zes zeven acht negen")
DUTCH_TEENS = words("tien elf twaalf dertien veertien vijftien zestien zeventien achttien negentien")
DUTCH_TENS = words("twintig dertig veertig vijftig zestig zeventig tachtig negentig")


def dutch_number(n: int) -> str:
    """0-99 in Dutch words, written independently of the code under test."""
    if n < 10:
        return DUTCH_UNITS[n]
    if n < 20:
        return DUTCH_TEENS[n - 10]
    ten, unit = DUTCH_TENS[n // 10 - 2], n % 10
    if not unit:
        return ten
    joint = "ën" if DUTCH_UNITS[unit].endswith("e") else "en"
    return f"{DUTCH_UNITS[unit]}{joint}{ten}"


ENGLISH_TENS = words("twenty thirty forty fifty sixty seventy eighty ninety")
ENGLISH_TEENS = words("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen")


def _english_pair(pair: str) -> str:
    """ "34" -> "thirty four", "07" -> "oh seven", "15" -> "fifteen" """
    n = int(pair)
    if pair[0] == "0":
        return "oh " + DIGITS["en"][n]
    if n < 20:
        return ENGLISH_TEENS[n - 10]
    return ENGLISH_TENS[n // 10 - 2] + ("" if n % 10 == 0 else " " + DIGITS["en"][n % 10])


def _dutch_pair(pair: str) -> str:
    if pair[0] == "0":  # "nul vier" rather than "vier"
        return "nul " + DUTCH_UNITS[int(pair[1])]
    return dutch_number(int(pair))


NAMES = ["jan", "anneke", "pieter", "sanne", "mohamed", "fatima", "john", "sarah", "emma", "daan", "lisa"]
SURNAMES = ["devries", "jansen", "bakker", "smith", "visser", "peters", "brown", "dekker", "yilmaz"]
DOMAINS = [
    "bakkerij-jansen",
    "gmail",
    "hotmail",
    "outlook",
    "ziggo",
    "kpnmail",
    "icloud",
    "yahoo",
    "xs4all",
    "live",
]


def email(rng: random.Random, language: str) -> Piece:
    name, surname = rng.choice(NAMES), rng.choice(SURNAMES)
    domain, tld = rng.choice(DOMAINS), rng.choice(["com", "nl", "be", "co.uk" if language == "en" else "nl"])
    if rng.random() < 0.5:
        local = rng.choice([f"{name}.{surname}", f"{name[0]}.{surname}", f"{name}{rng.randint(1, 99)}", name])
        return Piece("email", "written", f"{local}@{domain}.{tld}")
    dot, at = {"nl": ("punt", "apenstaartje"), "en": ("dot", "at")}[language]
    local = rng.choice([f"{name} {dot} {surname}", name, f"{name[0]} {dot} {surname}"])
    return Piece("email", "spoken", f"{local} {at} {domain} {dot} {tld.replace('.', f' {dot} ')}")


def iban_piece(rng: random.Random, language: str) -> Piece:
    code = iban(rng)
    if rng.random() < 0.6:
        text = rng.choice([" ".join(code[i : i + 4] for i in range(0, len(code), 4)), code, code.lower()])
        return Piece("iban", "written", text)
    said = [c.lower() if c.isalpha() else DIGITS[language][int(c)] for c in code]
    return Piece("iban", "spoken", " ".join(said))


def number_piece(kind: str, make: Callable[[random.Random], str]) -> Callable[[random.Random, str], Piece]:
    def piece(rng: random.Random, language: str) -> Piece:
        number = make(rng)
        if rng.random() < 0.5:
            sizes = (4, 4, 4, 4) if len(number) == 16 else (4, 6, 5) if len(number) == 15 else (4, 2, 3)
            forms = [number, grouped(number, sizes), grouped(number, sizes, "-"), grouped(number, sizes, ".")]
            return Piece(kind, "written", rng.choice(forms))
        return Piece(kind, "spoken", spoken_digits(number, language, rng))

    return piece


def address(rng: random.Random, language: str) -> Piece:
    code = f"{rng.randint(1000, 9999)}"
    letters = rng.choice("ABCDEGHJKLMNPRTVWXZ") + rng.choice("ABCDEGHJKLMNPRTVWXZ")
    house = str(rng.randint(1, 250)) + rng.choice(["", "", "", "a", "b"])
    word = {"nl": rng.choice(["nummer", "huisnummer"]), "en": "number"}[language]
    written = [
        f"{code} {letters} {house}",
        f"{code}{letters}, {word} {house}",
        f"{code} {letters.lower()} {house}",
        f"{code}{letters} {house}",
    ]
    if rng.random() < 0.7 or language == "en":
        return Piece("address", "written", rng.choice(written))
    house_number = int(house.rstrip("ab"))
    house_said = (
        dutch_number(house_number) if house_number < 100 else spoken_digits(str(house_number), "nl", rng)
    )
    said = f"{dutch_number(int(code[:2]))} {_dutch_pair(code[2:])} {letters[0].lower()} {letters[1].lower()}"
    return Piece("address", "spoken", f"{said} {word} {house_said}")


# --- what must survive ---------------------------------------------------------------------------

MONTHS = {
    "nl": words("januari februari maart april mei juni juli augustus september oktober november december"),
    "en": words("January February March April May June July August September October November December"),
}


def order(rng: random.Random, language: str) -> Piece:
    """An order number of 4 to 10 digits (a nine-digit one may pass the 11-proef), said or typed."""
    number = str(rng.randint(1, 9)) + digits(rng, rng.choice([3, 5, 6, 7, 7, 8, 9]))
    if rng.random() < 0.7:
        return Piece("order", "written", rng.choice([number, number, grouped(number, (4, 4, 4))]))
    if language == "nl" and len(number) % 2 == 0 and rng.random() < 0.5:
        said = " ".join(_dutch_pair(number[i : i + 2]) for i in range(0, len(number), 2))
        return Piece("order", "spoken", said)
    return Piece("order", "spoken", spoken_digits(number, language, rng))


def date(rng: random.Random, language: str) -> Piece:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2025, 2026])
    name = MONTHS[language][month - 1]
    written = [
        f"{day:02d}-{month:02d}-{year}",
        f"{day}-{month}-{year}",
        f"{day:02d}/{month:02d}/{year}",
        f"{year}-{month:02d}-{day:02d}",
        f"{day} {name}",
        f"{day} {name} {year}",
        f"{day}.{month:02d}.{year}",
    ]
    if language == "nl":
        spoken = [f"{dutch_number(day)} {name}", f"{dutch_number(day)} {name} tweeduizend zesentwintig"]
    else:
        spoken = [
            f"the {day}th of {name}",
            f"{name} {day}",
            f"{name} twenty {rng.choice(['first', 'second'])}",
        ]
    return Piece("date", "spoken" if rng.random() < 0.3 else "written", rng.choice(spoken + written))


def clock(rng: random.Random, language: str) -> Piece:
    hour, minute = rng.randint(8, 20), rng.choice([0, 5, 15, 30, 45, 50])
    written = [
        f"{hour}:{minute:02d}",
        f"{hour:02d}:{minute:02d}",
        f"{hour}.{minute:02d} uur",
        f"{hour}u{minute:02d}",
    ]
    if language == "nl":
        spoken = [
            "half drie",
            "kwart over vier",
            "tien uur",
            "half elf",
            "kwart voor negen",
            "twee uur dertig",
        ]
    else:
        spoken = ["ten thirty", "half past two", "a quarter to five", "three pm", "nine fifteen", "noon"]
    if language == "en":
        written[2] = f"{hour % 12 or 12}:{minute:02d} {'pm' if hour >= 12 else 'am'}"
        written[3] = f"{hour % 12 or 12} o'clock"
    return Piece("time", "spoken" if rng.random() < 0.4 else "written", rng.choice(written + spoken))


def amount(rng: random.Random, language: str) -> Piece:
    euros, cents = rng.randint(1, 2500), rng.randint(0, 99)
    big = f"{euros // 1000}.{euros % 1000:03d}" if euros >= 1000 else str(euros)
    written = [
        f"{euros},{cents:02d} euro",
        f"€ {euros}.{cents:02d}",
        f"€{euros},{cents:02d}",
        f"{big},{cents:02d} euro",
        f"{euros} euro",
        f"€ {big},-",
        f"£{euros}.{cents:02d}",
        f"${euros}.{cents:02d}",
        f"EUR {big},{cents:02d}",
        f"{euros},{cents:02d}",
    ]
    spoken = {"nl": f"{dutch_number(euros % 100)} euro {dutch_number(cents)}", "en": f"{euros} dollars"}
    return Piece(
        "amount", "spoken" if rng.random() < 0.2 else "written", rng.choice([*written, spoken[language]])
    )


MAKERS: dict[str, Callable[[random.Random, str], Piece]] = {
    "email": email,
    "phone": phone,
    "iban": iban_piece,
    "bsn": number_piece("bsn", bsn),
    "card": number_piece("card", card),
    "address": address,
    "order": order,
    "date": date,
    "time": clock,
    "amount": amount,
}

# --- utterances ---------------------------------------------------------------------------------

CLAUSES = {
    "nl": {
        "email": ["mijn e-mailadres is {}", "u kunt mailen naar {}", "stuur het naar {} alstublieft"],
        "phone": [
            "mijn telefoonnummer is {}",
            "bel me terug op {}",
            "ik ben bereikbaar op {}",
            "mijn nummer is {}",
        ],
        "iban": ["mijn rekeningnummer is {}", "het geld mag naar {}", "iban {}"],
        "bsn": ["mijn bsn is {}", "mijn burgerservicenummer is {}", "sofinummer {}"],
        "card": ["mijn creditcard is {}", "ik heb betaald met kaart {}", "kaartnummer {}"],
        "address": ["ik woon op {}", "mijn postcode is {}", "het adres is {}", "bezorgen op {} graag"],
        "order": [
            "het gaat om bestelling {}",
            "mijn ordernummer is {}",
            "bestelnummer {}",
            "order {} is nog niet binnen",
        ],
        "date": ["ik heb op {} besteld", "de levering was gepland voor {}", "kan het op {}"],
        "time": ["om {}", "kan ik om {} langskomen", "de bezorger kwam om {}"],
        "amount": ["ik heb {} betaald", "het kostte {}", "er is {} afgeschreven"],
    },
    "en": {
        "email": ["my email is {}", "you can email me at {}", "send it to {} please"],
        "phone": ["my phone number is {}", "call me back on {}", "you can reach me at {}", "my number is {}"],
        "iban": ["my bank account is {}", "please refund to {}", "my iban is {}"],
        "bsn": ["my bsn is {}", "my citizen service number is {}", "my social security number is {}"],
        "card": ["my card number is {}", "I paid with card {}", "the credit card was {}"],
        "address": ["I live at {}", "my postcode is {}", "the address is {}", "please deliver to {}"],
        "order": ["it's about order {}", "my order number is {}", "order {} hasn't arrived", "reference {}"],
        "date": ["I ordered on {}", "delivery was planned for {}", "could it be on {}"],
        "time": ["at {}", "can I come by at {}", "the courier came at {}"],
        "amount": ["I paid {}", "it cost {}", "you charged me {}"],
    },
}
OPENINGS = {
    "nl": ["", "ja hallo", "goedemiddag", "eh ja", "hoi", "ja dus", "ik bel omdat"],
    "en": ["", "hi", "hello there", "um yes", "right so", "good morning", "I'm calling because"],
}
JOINS = {"nl": [", en ", " en ", ". ", ", ", " en eh "], "en": [", and ", " and ", ". ", ", ", " and um "]}


def utterance(rng: random.Random, language: str) -> Utterance:
    """One caller's sentence: one personal piece and one piece to keep, and maybe one more of either."""
    kinds = [rng.choice(PERSONAL), rng.choice(KEEP)]
    if rng.random() < 0.5:
        kinds.append(rng.choice(PERSONAL + KEEP))
    rng.shuffle(kinds)
    text = rng.choice(OPENINGS[language])
    pieces = []
    for n, kind in enumerate(kinds):
        piece = MAKERS[kind](rng, language)
        clause = rng.choice(CLAUSES[language][kind])
        head = clause[: clause.index("{}")]
        text += (rng.choice(JOINS[language]) if n else (" " if text else "")) + head
        pieces.append((piece, len(text), len(text) + len(piece.text)))
        text += piece.text + clause[clause.index("{}") + 2 :]
    return Utterance(text=text, language=language, pieces=tuple(pieces))


def corpus(count: int, seed: int) -> list[Utterance]:
    rng = random.Random(seed)
    return [utterance(rng, ("nl", "en")[i % 2]) for i in range(count)]


# --- years of birth: a figure of their own, beside the corpus above (which stays as it was) -----------

BIRTH_YEAR_CLAUSES = {
    "nl": ["ik ben geboren in {}", "ik ben in {} geboren", "geboren in {}", "mijn zoon is in {} geboren"],
    "en": ["I was born in {}", "born in {}", "my son was born in {}", "I was born in Leeds in {}"],
}
OTHER_YEAR_CLAUSES = {
    "nl": [
        "het bedrijf is in {} opgericht",
        "bestelling {} is kwijt",
        "ik woon hier sinds {}",
        "in {} ben ik verhuisd",
    ],
    "en": [
        "the company was founded in {}",
        "order {} arrived broken",
        "I have lived here since {}",
        "in {} I moved",
    ],
}


def spoken_year(year: int, language: str) -> str:
    """1985 as "negentien vijfentachtig" / "nineteen eighty five", 2005 as "tweeduizend vijf" /
    "two thousand and five"."""
    century, rest = divmod(year, 100)
    if rest == 0:  # "tweeduizend", "nineteen hundred" (not "tweeduizend nul")
        hundreds = {
            "nl": {20: "tweeduizend", 19: "negentienhonderd"},
            "en": {20: "two thousand", 19: "nineteen hundred"},
        }
        return hundreds[language][century]
    if language == "nl":
        return f"tweeduizend {dutch_number(rest)}" if century == 20 else f"negentien {dutch_number(rest)}"
    if century == 20:
        return f"two thousand and {DIGITS['en'][rest]}" if rest < 10 else f"twenty {_english_pair(str(rest))}"
    return f"nineteen {_english_pair(f'{rest:02d}')}"


def birth_year_utterances(count: int, seed: int) -> list[Utterance]:
    """Half say a year of birth ("ik ben geboren in 1985"), half a year that is none ("order 1985")."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        language, birth = ("nl", "en")[i % 2], i % 4 < 2
        year = rng.randint(1930, 2015)
        form = rng.choice(("written", "spoken"))
        said = str(year) if form == "written" else spoken_year(year, language)
        clause = rng.choice((BIRTH_YEAR_CLAUSES if birth else OTHER_YEAR_CLAUSES)[language])
        start = clause.index("{}")
        piece = Piece("birth_year" if birth else "year", form, said)
        made.append(Utterance(clause.format(said), language, ((piece, start, start + len(said)),)))
    return made


# --- long numbers and dates of birth said apart: figures of their own, beside the corpus ---------------

LONG_PHONE_CLAUSES = {
    "nl": ["mijn nummer is {}", "bel me terug op {}", "ik ben bereikbaar op {} na vijven"],
    "en": ["my number is {}", "call me back on {}", "you can reach me on {} after five"],
}
LONG_KEPT_CLAUSES = {
    "nl": ["mijn ordernummer is {}", "bestelling {} is kwijt", "de streepjescode is {}"],
    "en": ["my order number is {}", "order {} arrived broken", "the bar code is {}"],
}


def long_number_utterances(count: int, seed: int) -> list[Utterance]:
    """Half say a Dutch mobile number with two or three digits too many ("06 1234567890"), written or
    digit by digit; half a long number that is none: an order number or a bar code of 12 digits (a
    UPC bar code's), some starting with a 0 (not 06, nor 00, an international phone number's). (Eleven
    digits from a 0 are a phone number with one digit too many, and 13 may pass a card's check: other
    rules, which the corpus above measures.)"""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        language, phone_said = ("nl", "en")[i % 2], i % 4 < 2
        if phone_said:
            number = "06" + digits(rng, 8 + rng.choice([2, 3]))
            written = [number, f"06 {number[2:]}", f"06-{number[2:]}", grouped(number, (2, 4, 4, 3))]
            form = rng.choice(("written", "spoken"))
            said = rng.choice(written) if form == "written" else spoken_digits(number, language, rng)
            piece, clauses = Piece("phone", form, said), LONG_PHONE_CLAUSES[language]
        else:
            first = rng.choice("0123456789")
            second = rng.choice("1234578" if first == "0" else "0123456789")
            said = first + second + digits(rng, 10)
            piece, clauses = Piece("long_number", "written", said), LONG_KEPT_CLAUSES[language]
        clause = rng.choice(clauses)
        start = clause.index("{}")
        made.append(
            Utterance(clause.format(piece.text), language, ((piece, start, start + len(piece.text)),))
        )
    return made


APART_CLAUSES = {
    "nl": [
        "ik ben geboren in {year} op {day}",
        "ik ben op {day} in {year} geboren",
        "geboren in {year} op {day}",
    ],
    "en": ["I was born in {year} on {day}", "I was born on {day} in {year}", "born in {year} on {day}"],
}
APPOINTMENT_CLAUSES = {
    "nl": [
        "ik ben geboren in {year}, op {day} kom ik langs",
        "ik ben geboren in {year} en wil op {day} komen",
    ],
    "en": [
        "I was born in {year}, on {day} I would like to come",
        "I was born in {year} and want to come on {day}",
    ],
}


def birth_date_apart_utterances(count: int, seed: int) -> list[Utterance]:
    """A year of birth and a day and month: half said as one date of birth, apart ("geboren in 1985 op
    12 maart": both planted), half the day an appointment in the next clause ("geboren in 1985, op 12
    maart kom ik langs": the day is kept)."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        language, birth = ("nl", "en")[i % 2], i % 4 < 2
        year = rng.randint(1930, 2015)
        said_year = str(year) if rng.random() < 0.5 else spoken_year(year, language)
        day, month = rng.randint(1, 28), MONTHS[language][rng.randrange(12)]
        nth = f"{day}{'th' if day in (11, 12, 13) else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"
        said_day = (
            f"{day} {month}" if language == "nl" else rng.choice([f"{month} {nth}", f"the {nth} of {month}"])
        )
        clause = rng.choice((APART_CLAUSES if birth else APPOINTMENT_CLAUSES)[language])
        text = clause.format(year=said_year, day=said_day)
        at_year, at_day = text.index(said_year), text.index(said_day)
        pieces = (
            (Piece("birth_year", "apart", said_year), at_year, at_year + len(said_year)),
            (Piece("birth_day" if birth else "date", "apart", said_day), at_day, at_day + len(said_day)),
        )
        made.append(Utterance(text, language, pieces))
    return made
