"""Reading content: FAQ files (YAML, CSV), Markdown, HTML and plain text; bad files say what to fix."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from voice.errors import SkillError
from voice.knowledge import load_content, read_file, spoken_answer
from voice.knowledge.reviewed import add_reviewed_phrasing, read_reviewed

FAQ_YAML = """
- id: shipping
  question: How much does shipping cost?
  phrasings: ["What are the delivery charges?"]
  answer: Shipping costs 4.95 euros. It is free from 50 euros.
  short: Shipping costs 4.95 euros.
  link: https://example.com/shipping
- question: Can I pay by credit card?
  answer: Yes, we take Visa and Mastercard.
"""
FAQ_CSV = (
    "question,phrasings,answer,short,link\n"
    '"Can I return it?","Is there a return policy?|Can I send it back?","You have 30 days.",,\n'
)
MARKDOWN = (
    "# Returns\n\nYou have **30 days** to [return](https://x) an item.\n\n## Refunds\n\nWithin 5 days.\n"
)
HTML = (
    "<html><head><title>t</title><style>p{}</style></head><body><nav>Home</nav>"
    "<h1>Payment</h1><p>We accept <b>iDEAL</b> &amp; PayPal.</p><script>x()</script>"
    "<h2>Invoices</h2><p>By email.</p></body></html>"
)


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_yaml_faq_gives_questions_phrasings_answers_and_links(tmp_path: Path) -> None:
    first, second = read_file(_file(tmp_path, "faq.yaml", FAQ_YAML))
    assert first.id == "shipping" and first.phrasings == ("What are the delivery charges?",)
    assert first.short == "Shipping costs 4.95 euros." and first.link == "https://example.com/shipping"
    assert second.id == "can-i-pay-by-credit-card" and second.short == "" and second.source == "faq.yaml"


def test_a_csv_faq_splits_phrasings_at_bars(tmp_path: Path) -> None:
    (entry,) = read_file(_file(tmp_path, "faq.csv", FAQ_CSV))
    assert entry.phrasings == ("Is there a return policy?", "Can I send it back?")
    assert entry.text == "You have 30 days."


def test_a_csv_faq_may_separate_its_columns_with_semicolons(tmp_path: Path) -> None:
    """What Excel saves where the decimal mark is a comma (Dutch); commas in the texts stay text."""
    text = "question;answer\nCan I return it?;Yes, within 30 days, free of charge.\n"
    (entry,) = read_file(_file(tmp_path, "faq.csv", text))
    assert (entry.title, entry.text) == ("Can I return it?", "Yes, within 30 days, free of charge.")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("faq.yaml", "- question: Bold?\n  answer: Use <b>bold</b>.<br>Or <i>not</i>.\n"),
        ("faq.md", "# Bold?\n\nUse <b>bold</b>.<br>Or <i>not</i>.\n"),
    ],
)
def test_html_in_an_answer_is_left_out_of_its_text(tmp_path: Path, name: str, text: str) -> None:
    """Screens show the text as it is: "Use bold. Or not.", not "Use <b>bold</b>."."""
    (entry,) = read_file(_file(tmp_path, name, text))
    assert entry.text == "Use bold. Or not."


@pytest.mark.parametrize(
    ("text", "row", "separator"),
    [
        ("question,answer\nCan I return it?,Yes, within 30 days, free of charge.\n", 2, ","),
        ("question,answer\nOpen?,Every day.\n\nCan I return it?,Yes, within 30 days.\n", 4, ","),
        ("question;answer\nOpen?;Yes; every day.\n", 2, ";"),
    ],
    ids=["first-row", "later-row", "semicolons"],
)
def test_a_csv_row_with_more_fields_than_the_header_is_refused(
    tmp_path: Path, text: str, row: int, separator: str
) -> None:
    """An unquoted comma in an answer would otherwise cut it short (or crash on the first row)."""
    message = rf'faq.csv, row {row}: more fields than the header .* "{separator}" in double quotes'
    with pytest.raises(SkillError, match=message):
        read_file(_file(tmp_path, "faq.csv", text))


def test_markdown_is_split_at_headings_without_markup(tmp_path: Path) -> None:
    returns, refunds = read_file(_file(tmp_path, "help.md", MARKDOWN))
    assert (returns.id, returns.title, returns.text) == (
        "help#returns",
        "Returns",
        "You have 30 days to return an item.",
    )
    assert (refunds.id, refunds.title, refunds.text) == ("help#refunds", "Returns: refunds", "Within 5 days.")


def test_markdown_front_matter_code_blocks_and_links_in_headings(tmp_path: Path) -> None:
    """Front matter is not text, a # line in a fenced code block is code, a heading's link is its text."""
    text = (
        "---\ntitle: Help\nlayout: page\n---\n# [Returns](https://x/returns)\n\nWithin 30 days:\n\n"
        "```sh\n# not a heading\n```\n"
    )
    (returns,) = read_file(_file(tmp_path, "help.md", text))
    assert (returns.id, returns.title, returns.text) == (
        "help#returns",
        "Returns",
        "Within 30 days:\n# not a heading.",
    )


def test_html_is_split_at_headings_and_skips_scripts_styles_and_navigation(tmp_path: Path) -> None:
    payment, invoices = read_file(_file(tmp_path, "pay.html", HTML))
    assert (payment.title, payment.text) == ("Payment", "We accept iDEAL & PayPal.")
    assert (invoices.title, invoices.text) == ("Payment: invoices", "By email.")


def test_html_table_cells_are_separate_words(tmp_path: Path) -> None:
    rows = "<tr><th>Country</th><th>Cost</th></tr><tr><td>Netherlands</td><td>free</td></tr>"
    (costs,) = read_file(_file(tmp_path, "costs.html", f"<h1>Costs</h1><table>{rows}</table>"))
    assert costs.text == "- Netherlands: free."


def test_plain_text_is_split_at_blank_lines(tmp_path: Path) -> None:
    entries = read_file(_file(tmp_path, "notes.txt", "Parking\nThere is a car park.\n\nPets are welcome.\n"))
    assert [e.title for e in entries] == ["Parking", "Pets are welcome."]


def test_long_questions_that_begin_alike_get_distinct_ids(tmp_path: Path) -> None:
    """Ids are cut to 60 characters; a hash of the whole question keeps long ones apart."""
    begin = "Can I return an item that I bought in one of your shops during the sale"
    text = "".join(f"- {{question: '{begin} {end}?', answer: Yes.}}\n" for end in ("online", "in a shop"))
    first, second = read_file(_file(tmp_path, "faq.yaml", text))
    assert first.id != second.id and len(first.id) == len(second.id) == 60
    assert first.id.startswith("can-i-return-an-item-that-i-bought-in-one-of-your")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("help.md", "# Returns\nWithin 30 days.\n"),
        ("help.html", "<h1>Returns</h1><p>Within 30 days.</p>"),
        ("help.txt", "Returns\nWithin 30 days.\n"),
    ],
)
def test_a_byte_order_mark_is_not_read_as_text(tmp_path: Path, name: str, text: str) -> None:
    """Windows editors may save UTF-8 with a byte-order mark; it hid the first Markdown heading."""
    (entry,) = read_file(_file(tmp_path, name, "\ufeff" + text))
    assert entry.title == "Returns" and "\ufeff" not in entry.title + entry.text


def test_a_text_paragraphs_heading_line_is_not_part_of_its_answer(tmp_path: Path) -> None:
    """A heading on its own line was spoken run into the first sentence ("Phone You can reach us ...");
    a first line that a sentence runs on from stays in the text."""
    text = (
        "Phone\nYou can reach us on 020 123 4567.\n\nThere is a car park behind\nthe store, free of charge.\n"
    )
    phone, parking = read_file(_file(tmp_path, "notes.txt", text))
    assert (phone.title, phone.text) == ("Phone", "You can reach us on 020 123 4567.")
    assert spoken_answer(phone) == "You can reach us on 020 123 4567."
    assert (parking.title, parking.text) == (
        "There is a car park behind",
        "There is a car park behind the store, free of charge.",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Opening hours\n\nWe are open every day from 9 to 5.\n\n"
            "Phone\nYou can reach us on 020 123 4567.\n\n"
            "Returns\n=======\nYou have 30 days.\n\n"
            "Our shops are open on Sundays from noon to five, except for the one in\n"
            "Amsterdam, which opens at ten.\n\n"
            "Orders placed after noon on Saturday are sent on\nMonday, with those of the weekend.\n\n"
            "Thank you for shopping with us\n",
            [
                ("Opening hours", "We are open every day from 9 to 5."),
                ("Phone", "You can reach us on 020 123 4567."),
                ("Returns", "You have 30 days."),
                (
                    "Our shops are open on Sundays from noon to five, except for the one in",
                    "Our shops are open on Sundays from noon to five, except for the one in Amsterdam, "
                    "which opens at ten.",
                ),
                (
                    "Orders placed after noon on Saturday are sent on",
                    "Orders placed after noon on Saturday are sent on Monday, with those of the weekend.",
                ),
                ("Thank you for shopping with us", "Thank you for shopping with us"),
            ],
        ),
        (
            "Openingstijden\n\nWe zijn elke dag open van 9 tot 17 uur.\n\n"
            "Telefoon\nU kunt ons bellen op 020 123 4567.\n\n"
            "Onze winkels zijn op zondag open van 12 tot 17 uur, behalve de winkel in\n"
            "Amsterdam: die gaat om 10 uur open.\n\n"
            "Wij bezorgen ook op zaterdag in de regio rond\nUtrecht, tegen een kleine toeslag.\n",
            [
                ("Openingstijden", "We zijn elke dag open van 9 tot 17 uur."),
                ("Telefoon", "U kunt ons bellen op 020 123 4567."),
                (
                    "Onze winkels zijn op zondag open van 12 tot 17 uur, behalve de winkel in",
                    "Onze winkels zijn op zondag open van 12 tot 17 uur, behalve de winkel in Amsterdam: "
                    "die gaat om 10 uur open.",
                ),
                (
                    "Wij bezorgen ook op zaterdag in de regio rond",
                    "Wij bezorgen ook op zaterdag in de regio rond Utrecht, tegen een kleine toeslag.",
                ),
            ],
        ),
    ],
    ids=["en", "nl"],
)
def test_a_text_heading_is_a_short_line_not_a_hard_wrapped_one(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    """A heading with a blank line under it (or underlined) titles the paragraph under it instead of being
    a passage of its own; a line of a paragraph wrapped before "Amsterdam" or "Monday" is no heading:
    the next line's first word would not have fit on it. A last short line stays a passage."""
    entries = read_file(_file(tmp_path, "help.txt", text))
    assert [(entry.title, entry.text) for entry in entries] == expected


def test_a_question_on_a_line_of_its_own_titles_its_answer(tmp_path: Path) -> None:
    """FAQ files in plain text put each question above its answer with a blank line between: the question
    was a passage of its own whose answer was the question, the answer one without its question."""
    text = (
        "   Account\n\nQ1: I forgot my password. How do I reset it?\n\n"
        "Click Forgot password on the login page.\n\nKan ik met iDEAL betalen?\n\nJa, dat kan.\n"
    )
    entries = read_file(_file(tmp_path, "faq.txt", text))
    assert [(entry.title, entry.text) for entry in entries] == [
        ("Q1: I forgot my password. How do I reset it?", "Click Forgot password on the login page."),
        ("Kan ik met iDEAL betalen?", "Ja, dat kan."),
    ]


@pytest.mark.parametrize(
    "top",
    [
        "---\ntitle: Help\nlayout: page\n---\n",
        "---\ntitle: Retourneren\ndate: 2024-05-01\ntags: [retour, geld]\nlinkTitle: Retour\n---\n",
        "---\n---\n",
    ],
    ids=["title-layout", "date-tags", "empty"],
)
def test_yaml_front_matter_is_left_out_of_a_page(tmp_path: Path, top: str) -> None:
    (returns,) = read_file(_file(tmp_path, "help.md", top + "# Returns\n\nWithin 30 days.\n"))
    assert (returns.title, returns.text) == ("Returns", "Within 30 days.")


@pytest.mark.parametrize("name", ["help.md", "help.txt"])
@pytest.mark.parametrize(
    "between",
    [
        "We are closed on public holidays.\nCall us on weekdays.",
        "Note: we are closed on public holidays.",
        "Let op: op feestdagen zijn we gesloten.",
        "# Closed\nOn public holidays.",
    ],
    ids=["sentences", "note", "let-op", "heading"],
)
def test_text_between_two_horizontal_rules_at_the_top_is_kept(
    tmp_path: Path, name: str, between: str
) -> None:
    """A page may open with a horizontal rule: only YAML settings between the rules are front matter."""
    entries = read_file(_file(tmp_path, name, f"---\n{between}\n---\n\nReturns\nWithin 30 days.\n"))
    kept = " ".join(f"{entry.title} {entry.text}" for entry in entries)
    assert "holidays" in kept or "feestdagen" in kept


def test_a_folder_is_read_whole_and_ids_must_be_unique(tmp_path: Path) -> None:
    _file(tmp_path, "a.yaml", FAQ_YAML)
    _file(tmp_path, ".hidden.yaml", "not: [valid")
    assert len(load_content(tmp_path)) == 2
    _file(tmp_path, "b.yaml", FAQ_YAML)
    with pytest.raises(
        SkillError, match="'How much does shipping cost.': the id 'shipping' is used in a.yaml too"
    ):
        load_content(tmp_path)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("faq.yaml", "- question: Hi?\n", r"entry 1: the answer is missing or empty"),
        ("faq.yaml", "- {question: 'Hi?', answer: Sure, anwser: typo}\n", r"unknown field 'anwser'"),
        (
            "faq.yaml",
            "question: [unclosed\n",
            r"is not valid YAML \(line 2, column 1: (did not find )?expected ',' or ']'",
        ),
        ("faq.yaml", "just text\n", r"must be a list of FAQ entries"),
        ("faq.yaml", "- {question: 'Hi?', answer: Sure, phrasings: Hello}\n", r"phrasings must be a list"),
        ("faq.yaml", "- {question: 'Open?', answer: yes}\n", r"the answer must be text; put it in quotes"),
        (
            "faq.yaml",
            "- question: Open?\n  answer: Every day.\n  answer: Not on Sundays.\n",
            r"faq.yaml is not valid YAML \(line 3, column 3: the key 'answer' is given twice; keep one\)",
        ),
        (
            "faq.csv",
            "title,body\nx,y\n",
            r"columns question and answer \(or vraag and antwoord\), separated by commas or semicolons",
        ),
        ("faq.csv", "question,answer\n", r"has no rows under its header"),
        ("page.md", "\n\n", r"has no text to answer from"),
        ("faq.pdf", "%PDF", r"unknown kind of content file"),
    ],
    ids=[
        "no-answer",
        "unknown-field",
        "bad-yaml",
        "not-a-list",
        "phrasings-text",
        "yes-is-not-text",
        "key-twice",
        "csv-header",
        "csv-no-rows",
        "empty",
        "pdf",
    ],
)
def test_a_bad_file_says_which_file_and_what_to_fix(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(SkillError, match=message):
        read_file(_file(tmp_path, name, text))


def test_a_yaml_faq_saved_as_latin_1_is_asked_for_as_utf_8(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_bytes("- question: Wat kost één pakket?\n  answer: Vijf euro.\n".encode("latin-1"))
    with pytest.raises(SkillError, match=r"faq.yaml is not UTF-8 text; save it as UTF-8\.$"):
        read_file(path)


# -- what reviews add (knowledge/reviewed/<lang>.yaml) ------------------------------------------------


def _reviewed(tmp_path: Path, text: str) -> Path:
    """A content folder knowledge/en with FAQ_YAML, and the reviews' file beside it; the folder."""
    folder, reviews = tmp_path / "knowledge" / "en", tmp_path / "knowledge" / "reviewed"
    folder.mkdir(parents=True)
    reviews.mkdir()
    _file(folder, "faq.yaml", FAQ_YAML)
    _file(reviews, "en.yaml", text)
    return folder


def test_reviewed_phrasings_and_entries_are_read_with_the_content(tmp_path: Path) -> None:
    folder = _reviewed(
        tmp_path,
        "phrasings:\n  shipping: [is postage free, what are the delivery charges]\n  gone: [hello]\n"
        "entries:\n  - {question: Can I bring my dog?, answer: Dogs are welcome.}\n"
        "  - {id: shipping, question: Old copy?, answer: The content's entry wins.}\n",
    )
    entries = {entry.id: entry for entry in load_content(folder)}
    assert list(entries) == ["shipping", "can-i-pay-by-credit-card", "can-i-bring-my-dog"]
    assert entries["shipping"].phrasings == ("What are the delivery charges?", "is postage free")
    assert entries["can-i-bring-my-dog"].source == "../reviewed/en.yaml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("phrasings: [unclosed\n", r"reviewed/en.yaml is not valid YAML"),
        ("added: {}\n", r"reviewed/en.yaml may hold only phrasings: and entries:"),
        (
            "phrasings:\n  shipping: is postage free\n",
            r"phrasings must map an entry id to a list of sentences",
        ),
        ("entries:\n  - {question: Dog?}\n", r"reviewed/en.yaml, entry 1: the answer is missing or empty"),
    ],
    ids=["yaml", "unknown-key", "phrasings-not-a-list", "entry-without-answer"],
)
def test_a_bad_reviewed_file_says_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SkillError, match=message):
        load_content(_reviewed(tmp_path, text))


def test_reviewers_at_once_keep_each_others_phrasings(tmp_path: Path) -> None:
    """Two reviews at the same moment (a threaded server) each rewrite the whole file."""
    folder = _reviewed(tmp_path, "")

    def review(reviewer: int) -> None:
        for number in range(30):
            add_reviewed_phrasing(folder, "shipping", f"phrasing {reviewer} {number}")

    threads = [threading.Thread(target=review, args=(reviewer,)) for reviewer in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(read_reviewed(folder).phrasings["shipping"]) == 90
