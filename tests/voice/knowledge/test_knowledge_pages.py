"""Pages as spoken answers: only the main content, tables and lists by sentence, titles that make sense
when heard, links said as text; from a Dutch municipality's review of its own site (and in English)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from voice.errors import SkillError
from voice.knowledge import Entry, read_file, shown_text, spoken_answer
from voice.knowledge.spoken import without_tags

OPENING_HOURS_NL = """<!DOCTYPE html><html lang="nl">
<head><title>Openingstijden | Gemeente Zuidervaart</title><script>gtag()</script></head><body>
<div id="cookie-banner" class="cookie"><p>Deze website gebruikt cookies. <a href="/cookies">Lees meer</a></p>
<button>Accepteren</button> <button>Weigeren</button></div>
<header><nav><a href="/">Home</a></nav><div class="breadcrumb">Home &gt; Contact</div></header>
<aside><p>Nieuws: de bibliotheek is verhuisd.</p></aside>
<main>
<h1>Openingstijden gemeentehuis</h1>
<p>Het gemeentehuis is op de volgende tijden geopend. Voor de meeste producten maakt u eerst een afspraak.</p>
<table><thead><tr><th>Dag</th><th>Balie</th><th>Telefonisch</th></tr></thead><tbody>
<tr><td>Maandag</td><td>8.30 - 17.00 uur</td><td>8.30 - 17.00 uur</td></tr>
<tr><td>Dinsdag</td><td>8.30 - 17.00 uur</td><td>8.30 - 17.00 uur</td></tr>
<tr><td>Woensdag</td><td>8.30 - 12.30 uur</td><td>8.30 - 17.00 uur</td></tr>
<tr><td>Donderdag</td><td>8.30 - 20.00 uur</td><td>8.30 - 17.00 uur</td></tr>
<tr><td>Vrijdag</td><td>8.30 - 12.30 uur</td><td>8.30 - 17.00 uur</td></tr>
<tr><td>Zaterdag en zondag</td><td>gesloten</td><td>gesloten</td></tr>
</tbody></table>
<h2>Feestdagen</h2>
<ul><li>Koningsdag, 27 april: gesloten</li><li>Bevrijdingsdag, 5 mei: open tot 12.00 uur</li></ul>
</main>
<footer><p>Gemeente Zuidervaart</p></footer></body></html>"""

NO_MAIN_NL = """<html><head><title>Afval | Gemeente Zuidervaart</title></head><body>
<div class="cc-window"><span>Wij plaatsen cookies. Door verder te klikken gaat u akkoord.</span>
<a class="cc-btn">Ik snap het!</a></div>
<div id="CybotCookiebotDialog"><h2>Deze website maakt gebruik van cookies</h2><p>We gebruiken cookies.</p>
<button>Alle cookies toestaan</button></div>
<ul class="skip"><li><a href="#main">Direct naar de inhoud</a></li></ul>
<nav><a href="/">Home</a></nav>
<h2>Tarieven milieustraat</h2>
<table><tr><th>Soort afval</th><th>Prijs</th></tr>
<tr><td>Grofvuil</td><td>&euro; 15,- per 100 kg</td></tr><tr><td>Papier, glas</td><td>gratis</td></tr></table>
<form><label>Zoeken</label><button>Zoek</button></form>
</body></html>"""

NO_MAIN_EN = """<html><body>
<div role="dialog" aria-label="Privacy"><p>This website uses cookies.</p><button>Accept all</button></div>
<a href="#content" class="visually-hidden-focusable">Skip to content</a>
<h1>Opening hours</h1>
<p>We are open on weekdays.</p>
<ol><li>Monday to Friday: 9am to 5pm</li><li>Saturday: 10am to 2pm</li><li>Sunday: closed</li></ol>
<h2>Prices</h2>
<table><tr><th>Service</th><th>Price</th></tr><tr><td>Passport</td><td>84 euros</td></tr></table>
<aside>Sign up for our newsletter!</aside>
</body></html>"""


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _entries(tmp_path: Path, name: str, text: str) -> dict[str, Entry]:
    return {entry.id.partition("#")[2]: entry for entry in read_file(_file(tmp_path, name, text), name)}


@pytest.mark.parametrize(
    ("name", "text", "not_said"),
    [
        (
            "openingstijden.html",
            OPENING_HOURS_NL,
            ["cookies", "Accepteren", "Home", "bibliotheek", "Gemeente"],
        ),
        ("afval.html", NO_MAIN_NL, ["cookies", "akkoord", "Direct naar de inhoud", "Zoek", "Home"]),
        ("hours.html", NO_MAIN_EN, ["cookies", "Accept", "Skip to content", "newsletter"]),
    ],
    ids=["main-nl", "no-main-nl", "no-main-en"],
)
def test_only_a_pages_main_content_becomes_entries(
    tmp_path: Path, name: str, text: str, not_said: list[str]
) -> None:
    """A cookie banner was read out as the answer to "openingstijden?" (and got an entry of its own)."""
    entries = read_file(_file(tmp_path, name, text), name)
    written = " ".join(f"{entry.title} {entry.text}" for entry in entries)
    assert entries and not [word for word in not_said if word in written]


def test_inline_tags_do_not_run_sentences_together(tmp_path: Path) -> None:
    html = "<h1>Welkom</h1><p><span>Gaat u akkoord.</span><a href='/ok'>Ik snap het!</a> <b>Gratis</b>.</p>"
    (entry,) = read_file(_file(tmp_path, "welkom.html", html))
    assert entry.text == "Gaat u akkoord. Ik snap het! Gratis."
    assert (
        without_tags("<span>Agreed.</span><a href='/ok'>Got it!</a> <b>free</b>.") == "Agreed. Got it! free."
    )


def test_table_rows_and_list_items_are_sentences_of_their_own(tmp_path: Path) -> None:
    """A price table was spoken "Soort afval Prijs Grofvuil € 15,- per 100 kg Papier ..."."""
    afval = _entries(tmp_path, "afval.html", NO_MAIN_NL)["tarieven-milieustraat"]
    assert afval.text == "- Grofvuil: € 15,- per 100 kg.\n- Papier, glas: gratis."
    assert spoken_answer(afval, "nl") == "Grofvuil: € 15,- per 100 kg. Papier, glas: gratis."
    hours = _entries(tmp_path, "openingstijden.html", OPENING_HOURS_NL)
    assert (
        "- Maandag: balie 8.30 - 17.00 uur, telefonisch 8.30 - 17.00 uur."
        in hours["openingstijden-gemeentehuis"].text
    )
    assert (
        hours["feestdagen"].text
        == "- Koningsdag, 27 april: gesloten.\n- Bevrijdingsdag, 5 mei: open tot 12.00 uur."
    )
    english = _entries(tmp_path, "hours.html", NO_MAIN_EN)
    assert spoken_answer(english["opening-hours"], "en") == (
        "We are open on weekdays. Monday to Friday: 9am to 5pm. Saturday: 10am to 2pm. Sunday: closed."
    )
    assert english["prices"].text == "- Passport: 84 euros."


def test_a_long_table_is_spoken_by_its_first_rows_and_how_many_more(tmp_path: Path) -> None:
    """The opening hours counted as one sentence over the limit: the caller heard the lead-in, no times."""
    hours = _entries(tmp_path, "openingstijden.html", OPENING_HOURS_NL)["openingstijden-gemeentehuis"]
    assert spoken_answer(hours, "nl") == (
        "Het gemeentehuis is op de volgende tijden geopend. "
        "Maandag: balie 8.30 - 17.00 uur, telefonisch 8.30 - 17.00 uur. "
        "Dinsdag: balie 8.30 - 17.00 uur, telefonisch 8.30 - 17.00 uur. "
        "Woensdag: balie 8.30 - 12.30 uur, telefonisch 8.30 - 17.00 uur. Er zijn er nog 3."
    )
    rows = "\n".join(f"- Row {n} has a fairly long text of a dozen words in it." for n in range(6))
    entry = Entry(id="x", title="x", text=f"{' '.join(['Long lead-in.'] * 20)}\n{rows}")
    spoken = spoken_answer(entry, "en")
    assert spoken.startswith("Long lead-in. Row 0") and spoken.endswith("There are 4 more.")
    assert len(spoken.split()) <= 40


def test_a_markdown_table_and_list_are_read_by_row_and_item(tmp_path: Path) -> None:
    """The table's --- row was spoken, and the list items ran together."""
    text = (
        "# Inloggen met DigiD\n\n## DigiD-app\n\nZo logt u in:\n\n- Open de app\n- Scan de QR-code\n"
        "  met uw telefoon\n1. Vul uw pincode in\n\n| Wat | Waar |\n| --- | --- |\n| Aanvragen | digid.nl |\n"
        "| Hulp | bibliotheek |\n"
    )
    app = _entries(tmp_path, "digid.md", text)["digid-app"]
    assert app.text == (
        "Zo logt u in:\n- Open de app.\n- Scan de QR-code met uw telefoon.\n- Vul uw pincode in.\n"
        "- Aanvragen: digid.nl.\n- Hulp: bibliotheek."
    )
    assert "---" not in spoken_answer(app, "nl")


@pytest.mark.parametrize(
    ("name", "text", "titles"),
    [
        (
            "paspoort.htm",
            "<title>Paspoort</title><h1>Paspoort en ID-kaart</h1><p>Vraag het aan.</p>"
            "<h2>Kosten</h2><p>€ 84,30.</p><h3>Spoed</h3><p>€ 57,25 extra.</p>",
            ["Paspoort en ID-kaart", "Paspoort en ID-kaart: kosten", "Paspoort en ID-kaart, kosten: spoed"],
        ),
        (
            "openingstijden.html",
            "<title>Openingstijden | Gemeente</title><p>Cookies? Nee.</p>"
            "<h2>Balie</h2><p>Open van 9 tot 5.</p>",
            ["Openingstijden", "Openingstijden: balie"],
        ),
        (
            "site/verhuizen/index.html",
            "<header><h1>Gemeente</h1></header>"
            "<main><p>Welkom.</p><h2>Aanvragen</h2><p>Bij de balie.</p></main>",
            ["Aanvragen"],
        ),
        ("help.md", "# Returns\n\nWithin 30 days.\n\n## Costs\n\nFree.\n", ["Returns", "Returns: costs"]),
        (
            "help/index.md",
            "---\ntitle: Shipping\n---\nWe ship daily.\n\n## Abroad\n\nTo the EU.\n",
            ["Shipping", "Shipping: abroad"],
        ),
        ("notes.html", "<p>Only text, no heading. More text.</p>", ["Only text, no heading"]),
    ],
    ids=["h1-h2-h3", "title-element", "no-title", "markdown", "front-matter", "no-heading"],
)
def test_titles_carry_the_page_and_parent_heading_never_a_file_name(
    tmp_path: Path, name: str, text: str, titles: list[str]
) -> None:
    """ "Bedoelt u: Kosten?", "Bedoelt u: openingstijden?" and "Bedoelt u: index?" meant nothing."""
    entries = read_file(_file(tmp_path, name, text), name)
    assert [entry.title for entry in entries] == titles


def test_text_before_the_first_heading_is_not_filed_under_the_file_name(tmp_path: Path) -> None:
    html = "<main><p>Welkom bij de gemeente.</p><h2>Aanvragen</h2><p>Aan de balie.</p></main>"
    (entry,) = read_file(_file(tmp_path, "index.html", html))
    assert (entry.id, entry.title) == ("index#aanvragen", "Aanvragen")
    assert entry.text == "Welkom bij de gemeente.\nAan de balie."


@pytest.mark.parametrize(
    ("language", "answer", "spoken", "shown"),
    [
        (
            "nl",
            "Bekijk de [afvalkalender](https://www.zuidervaart.nl/afvalkalender). Of maak een afspraak via "
            "www.zuidervaart.nl/afspraak.",
            "Bekijk de afvalkalender. Of maak een afspraak via zuidervaart.nl.",
            "Bekijk de afvalkalender (https://www.zuidervaart.nl/afvalkalender). Of maak een afspraak via "
            "www.zuidervaart.nl/afspraak.",
        ),
        (
            "en",
            "See the [calendar](https://example.com/calendar) (https://example.com/calendar) or "
            "https://www.example.com/help?x=1, or mail info@example.com. [https://a.nl](https://a.nl)",
            "See the calendar or example.com, or mail info@example.com. a.nl",
            "See the calendar (https://example.com/calendar) or https://www.example.com/help?x=1, or mail "
            "info@example.com. https://a.nl",
        ),
    ],
    ids=["nl", "en"],
)
def test_links_are_said_as_their_text_and_shown_with_their_address(
    tmp_path: Path, language: str, answer: str, spoken: str, shown: str
) -> None:
    """On the phone "bekijk de afvalkalender (https://...)" is noise; a card (the Alexa app, Dialogflow,
    chat: plain text, no Markdown) shows the link's text with its address, not "[text](url)"."""
    (entry,) = read_file(_file(tmp_path, "faq.csv", f'question,answer\nWhere?,"{answer}"\n'))
    assert spoken_answer(entry, language) == spoken
    assert shown_text(entry) == shown
    assert shown_text(replace(entry, link="https://example.com/faq")) == f"{shown} https://example.com/faq"


@pytest.mark.parametrize(
    ("text", "link", "shown"),
    [
        ("Zie https://www.example.com/help/verzenden.", "https://www.example.com/help/verzenden", ""),
        ("See www.example.com/help/shipping for more.", "https://example.com/help/shipping/", ""),
        ("See the [page](https://example.com/help/shipping).", "https://Example.com/help/shipping", ""),
        ("See https://example.com/help/shipping/costs.", "https://example.com/help/shipping", " {link}"),
        ("See https://example.com/help.", "https://example.com/faq", " {link}"),
    ],
    ids=["same", "without-scheme", "markdown-link", "longer-address", "other-address"],
)
def test_a_card_shows_the_link_once(text: str, link: str, shown: str) -> None:
    """An answer that gives its address itself would show it twice on the card with the entry's link
    behind it; an address that only begins with the link's is another page."""
    entry = Entry(id="e", title="Where?", text=text, link=link)
    assert shown_text(entry) == shown_text(replace(entry, link="")) + shown.format(link=link)


@pytest.mark.parametrize("name", ["garbage.md", "page.html", "notes.txt"])
def test_a_binary_file_is_refused_in_one_sentence(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x00\x01\x02binary\x00")
    with pytest.raises(
        SkillError,
        match=rf"^\S*{name} is a binary file, not text; save the page as UTF-8 text or remove it\.$",
    ):
        read_file(path)


def test_a_utf_16_page_is_asked_for_as_utf_8_not_called_binary(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_bytes("# Kop\n\nTekst.\n".encode("utf-16"))
    with pytest.raises(SkillError, match=r"page.md is not UTF-8 text; save it as UTF-8\.$"):
        read_file(path)


FAQ_SHOP_NL = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">
<title>Betalen | Fietsenwinkel Jansen</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
 {"@type": "Question", "name": "Kan ik met PayPal betalen?",
  "acceptedAnswer": {"@type": "Answer", "text": "<p>Ja, u kunt met PayPal betalen.</p>"}}]}</script>
</head><body><header><nav><a href="/">Home</a></nav></header>
<main><div class="container"><h1>Veelgestelde vragen over betalen</h1>
<p>Hieronder vindt u de antwoorden op de meest gestelde vragen.</p>
<details><summary>Kan ik met PayPal betalen?</summary><p>Ja, u kunt met PayPal betalen.</p></details>
<details><summary><h3>Kan ik achteraf betalen?</h3></summary>
<div class="answer"><p>Ja, met Klarna betaalt u binnen 30 dagen.</p><ul><li>Geen extra kosten</li>
<li>Vanaf 10 euro</li></ul></div></details>
<div class="accordion-item"><h3 class="accordion-header"><button aria-expanded="false" aria-controls="a3">
Kan ik met iDEAL betalen?</button></h3><div id="a3" class="accordion-collapse" hidden>
<p>Ja, met iDEAL betaalt u direct via uw eigen bank.</p></div></div>
<p>Betalen met een creditcard kan niet.</p></div>
<h2>Cadeaubonnen</h2>
<dl><dt>Kan ik met een cadeaubon betalen?</dt><dd>Ja, vul de code in bij het afrekenen.</dd>
<dt>Hoe lang is een cadeaubon geldig?</dt><dd>Twee jaar na aankoop.</dd></dl>
<p>Staat uw vraag er niet bij? Bel ons op 020 123 45 67.</p>
</main><footer><p>Fietsenwinkel Jansen</p></footer></body></html>"""

FAQ_SHOP_EN = """<html lang="en"><head><title>Delivery FAQ - Jansen Bikes</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "Delivery FAQ"},
 {"@type": "FAQPage", "mainEntity": [
  {"@type": "Question", "name": "Do you deliver on Saturdays?",
   "acceptedAnswer": {"@type": "Answer",
    "text": "Yes, in the Randstad &amp; Utrecht.<br>Elsewhere on weekdays."}},
  {"@type": "Question", "name": "How long does delivery take?",
   "acceptedAnswer": {"@type": "Answer", "text": "One to two working days."}}]}]}
</script><script type="application/ld+json">{"@type": "FAQPage", "mainEntity": [{"broken"</script>
</head><body><main><h1>Delivery</h1>
<section class="faq"><h2>Questions about delivery</h2>
<dl><dt>How long does delivery take?</dt><dd><p>One to two working days.</p></dd>
<dt>What does delivery cost?</dt><dd><p>Free from 50 euros; below that 4.95 euros.</p></dd></dl>
</section>
<p>Still have a question? Mail us at help@example.com.</p>
<h2>Opening hours of the warehouse</h2>
<dl><dt>Monday</dt><dd>9am to 5pm</dd><dt>Saturday</dt><dd>closed</dd></dl>
</main></body></html>"""


def test_an_faq_page_of_accordions_is_an_entry_per_question(tmp_path: Path) -> None:
    """A web shop's FAQ page was one entry: "kan ik met paypal betalen" offered "Veelgestelde vragen over
    betalen", whose spoken text was the whole page cut off mid-list."""
    entries = _entries(tmp_path, "site/faq-betalen.html", FAQ_SHOP_NL)
    page = "Veelgestelde vragen over betalen"
    assert {key: (entry.title, entry.text) for key, entry in entries.items()} == {
        "veelgestelde-vragen-over-betalen": (
            page,
            "Hieronder vindt u de antwoorden op de meest gestelde vragen.\n"
            "Betalen met een creditcard kan niet.",
        ),
        "kan-ik-met-paypal-betalen": (
            f"{page}: kan ik met PayPal betalen?",
            "Ja, u kunt met PayPal betalen.",
        ),
        "kan-ik-achteraf-betalen": (
            f"{page}: kan ik achteraf betalen?",
            "Ja, met Klarna betaalt u binnen 30 dagen.\n- Geen extra kosten.\n- Vanaf 10 euro.",
        ),
        "kan-ik-met-ideal-betalen": (
            f"{page}: kan ik met iDEAL betalen?",
            "Ja, met iDEAL betaalt u direct via uw eigen bank.",
        ),
        "cadeaubonnen": (f"{page}: cadeaubonnen", "Staat uw vraag er niet bij? Bel ons op 020 123 45 67."),
        "kan-ik-met-een-cadeaubon-betalen": (
            f"{page}, cadeaubonnen: kan ik met een cadeaubon betalen?",
            "Ja, vul de code in bij het afrekenen.",
        ),
        "hoe-lang-is-een-cadeaubon-geldig": (
            f"{page}, cadeaubonnen: hoe lang is een cadeaubon geldig?",
            "Twee jaar na aankoop.",
        ),
    }
    assert spoken_answer(entries["kan-ik-met-paypal-betalen"], "nl") == "Ja, u kunt met PayPal betalen."


def test_the_faq_of_a_pages_structured_data_adds_the_questions_the_page_does_not_show(tmp_path: Path) -> None:
    """Search engines read a shop's FAQ from its schema.org JSON-LD; a question the HTML shows too is
    one entry, data that does not read is none, and a definition list of days stays a list."""
    entries = _entries(tmp_path, "delivery.html", FAQ_SHOP_EN)
    assert {key: (entry.title, entry.text) for key, entry in entries.items()} == {
        "questions-about-delivery": (
            "Delivery: questions about delivery",
            "Still have a question? Mail us at help@example.com.",
        ),
        "how-long-does-delivery-take": (
            "Delivery, questions about delivery: how long does delivery take?",
            "One to two working days.",
        ),
        "what-does-delivery-cost": (
            "Delivery, questions about delivery: what does delivery cost?",
            "Free from 50 euros; below that 4.95 euros.",
        ),
        "opening-hours-of-the-warehouse": (
            "Delivery: opening hours of the warehouse",
            "- Monday: 9am to 5pm.\n- Saturday: closed.",
        ),
        "do-you-deliver-on-saturdays": (
            "Delivery: do you deliver on Saturdays?",
            "Yes, in the Randstad & Utrecht. Elsewhere on weekdays.",
        ),
    }
