"""A team importing its own content (a municipality's Excel FAQ, its site, its help pages): what the
import says and refuses, and what it leaves behind when it fails."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from voice.analytics.review import ReviewError, add_entry, add_phrasing
from voice.analytics.team import texts
from voice.cli import cli
from voice.cli.knowledge import _progress, knowledge
from voice.cli.knowledge_import import placed
from voice.errors import SkillError
from voice.examples import EXAMPLE_MARK, leftovers
from voice.knowledge import KnowledgeBase
from voice.knowledge.content import read_file
from voice.knowledge.duplicates import near_duplicates
from voice.knowledge.faq import csv_findings
from voice.knowledge.pages import read_html
from voice.knowledge.reviewed import read_reviewed
from voice.knowledge.text import analyzer
from voice.knowledge.vectors import embed

from .knowledge_support import write_skill
from .test_knowledge_commands import FAQ_CSV

GEMEENTE_CSV = (
    "Vraag;Antwoord;Categorie;Laatst gewijzigd\n"
    "Wat kost een paspoort?;Een paspoort kost € 84,30 (tarief 2025).;Reisdocumenten;2025-01-02\n"
    "Hoeveel kost een paspoort in 2023?;Een paspoort kost in 2023 € 77,60.;Reisdocumenten;2023-01-05\n"
    "Hoe laat wordt het afval opgehaald?;Het afval wordt op dinsdag opgehaald.;Afval;2025-03-01\n"
)


def _import(skill: Path, *paths: Path, language: str = "nl") -> str:
    result = CliRunner().invoke(
        knowledge, ["import", *map(str, paths), "--skill", str(skill), "-l", language]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _upload(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / "upload" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_the_first_import_replaces_the_example_faq_of_voice_init(tmp_path: Path) -> None:
    """The example's "free parking behind the building" must not answer a municipality's callers."""
    assert CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)]).exit_code == 0
    skill = tmp_path / "gemeente"
    example = skill / "knowledge" / "nl" / "faq.yaml"
    assert example.read_text(encoding="utf-8").startswith(EXAMPLE_MARK)
    output = _import(skill, _upload(tmp_path, "vragen.csv", GEMEENTE_CSV))
    assert "faq.yaml: the example FAQ of voice init, removed: your content replaces it" in output
    assert not example.exists() and (skill / "knowledge" / "en" / "faq.yaml").exists()
    ids = {entry.id for entry in KnowledgeBase.load(skill, "nl", use_model=False).entries}
    assert "parkeren" not in ids and "wat-kost-een-paspoort" in ids
    assert "locales/nl/responses.yaml: OpeningHours still says the example of voice init" in output
    assert "faq.yaml" not in _import(skill, _upload(tmp_path, "vragen.csv", GEMEENTE_CSV))


def test_an_example_faq_the_team_claimed_stays(tmp_path: Path) -> None:
    """Deleting the example's first line makes it the team's own: imported content goes beside it."""
    assert CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)]).exit_code == 0
    skill = tmp_path / "gemeente"
    example = skill / "knowledge" / "nl" / "faq.yaml"
    example.write_text(example.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    output = _import(skill, _upload(tmp_path, "vragen.csv", GEMEENTE_CSV))
    assert "example FAQ" not in output and example.exists()


def test_voice_check_warns_of_the_examples_until_they_are_changed(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)]).exit_code == 0
    skill = tmp_path / "gemeente"
    checked = CliRunner().invoke(cli, ["check", str(skill)])
    assert checked.exit_code == 0, checked.output
    assert "warning: skill 'gemeente': knowledge/nl/faq.yaml: the example FAQ of voice init" in checked.output
    assert "locales/en/responses.yaml: OpeningHours still says the example" in checked.output
    assert leftovers(skill, ("nl",), texts("nl", "commands")) == [  # a Dutch team's words
        "knowledge/nl/faq.yaml: de voorbeeld-FAQ van voice init wordt nog beantwoord; importeer uw eigen "
        "inhoud (die hem vervangt) of verwijder het bestand",
        "locales/nl/responses.yaml: OpeningHours zegt nog het voorbeeld van voice init ('We zijn open van "
        "maandag tot en met vrijdag, van 9 tot 5.'); schrijf uw eigen",
    ]
    for language in ("nl", "en"):
        responses = skill / "locales" / language / "responses.yaml"
        text = responses.read_text(encoding="utf-8").splitlines()
        text[1] = '  OpeningHours: "Het gemeentehuis is open van 8.30 tot 17.00 uur."'
        responses.write_text("\n".join(text) + "\n", encoding="utf-8")
        (skill / "knowledge" / language / "faq.yaml").unlink()
    assert leftovers(skill, ("nl", "en"), texts("en", "commands")) == []


def test_files_of_a_kind_not_read_are_named_with_the_kinds_that_are(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "nl", {})
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "afvalkalender.pdf").write_bytes(b"%PDF-1.4")
    (folder / "faq.xlsx").write_bytes(b"PK")
    (folder / "gehandicapt.html").write_text(
        "<h1>Parkeerkaart</h1><p>U vraagt hem aan.</p>", encoding="utf-8"
    )
    output = _import(skill, folder)
    assert (
        "skipped 2 files of a kind not read (afvalkalender.pdf, faq.xlsx); content files are .csv, .htm, "
        ".html, .markdown, .md, .txt, .yaml, .yml"
    ) in output
    assert "mixed/gehandicapt.html: 1 entries" in output


@pytest.mark.parametrize(
    "header",
    ["vraag;antwoord", "Vraag;Antwoord", "Question;Answer", "VRAAG;Antwoord;Formuleringen;Kort;Link"],
)
def test_csv_headers_are_read_in_any_case_and_in_dutch(tmp_path: Path, header: str) -> None:
    path = _upload(tmp_path, "faq.csv", f"{header}\nWat kost een paspoort?;Het kost 84 euro.\n")
    (entry,) = read_file(path)
    assert (entry.title, entry.text) == ("Wat kost een paspoort?", "Het kost 84 euro.")


def test_csv_columns_not_read_are_left_out_and_named_once(tmp_path: Path) -> None:
    path = _upload(tmp_path, "faq.csv", GEMEENTE_CSV)
    assert [entry.text for entry in read_file(path)][0] == "Een paspoort kost € 84,30 (tarief 2025)."
    (note,) = csv_findings(path).told(texts("en", "commands"))
    assert note.startswith("faq.csv: columns left out: Categorie, Laatst gewijzigd (read are id, question")
    skill = write_skill(tmp_path, "nl", {})
    assert note in _import(skill, path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("vraag;antwoord\nA?;Ja.\nB?;\n", "row 3: the answer is missing or empty"),
        ('vraag;antwoord\nA?;"Ja,\nover twee regels."\nB?;\n', "row 3: the answer is missing or empty"),
        (
            'vraag;antwoord\n"Wat kost een paspoort?;Het kost 84 euro.\n',
            'row 2: a double quote (") opens a field',
        ),
        ("vraag;antwoord\nA?;Ja.\nB?;Nee.\nA?;Misschien.\n", "rows 2 and 4: the same question 'A?'"),
        (
            "id;vraag;antwoord\n7;A?;Ja.\n7;B?;Nee.\n",
            "rows 2 and 3: the same id '7'; give each row its own id.",
        ),
        ("vraag;antwoord\nA?;Ja.\nB?;Nee; of ja.\n", "row 3: more fields than the header has columns"),
        ('vraag;antwoord\nA?;"Ja" zeker.\n', "row 2: text after a closing double quote"),
    ],
)
def test_csv_errors_name_the_spreadsheets_row(tmp_path: Path, text: str, message: str) -> None:
    """The header is row 1, and a row with a line break inside quotes is one row, as Excel shows it."""
    with pytest.raises(SkillError) as caught:
        read_file(_upload(tmp_path, "faq.csv", text))
    assert message in str(caught.value)


def test_a_csv_excel_saved_as_windows_1252_is_read_with_a_note(tmp_path: Path) -> None:
    path = _upload(tmp_path, "faq.csv", "vraag;antwoord\nWat kost één paspoort?;€ 84,30.\n".encode("cp1252"))
    (entry,) = read_file(path)
    assert (entry.title, entry.text) == ("Wat kost één paspoort?", "€ 84,30.")
    assert csv_findings(path).told(texts("en", "commands")) == [
        "faq.csv: not UTF-8, so read as Windows-1252 (Excel's CSV); save it as UTF-8 CSV"
    ]


def test_an_html_page_is_read_in_the_charset_it_declares(tmp_path: Path) -> None:
    body = "<h1>Paspoort</h1><p>Een paspoort kost € 84,30; één werkdag.</p>"
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    declared = f"<html><head>{meta}</head><body>{body}</body>"
    (entry,) = read_html(_upload(tmp_path, "paspoort.htm", declared.encode("cp1252")), "paspoort.htm")
    assert entry.text == "Een paspoort kost € 84,30; één werkdag."
    undeclared = _upload(tmp_path, "kaal.htm", body.encode("cp1252"))
    with pytest.raises(SkillError, match="is not UTF-8 text; save it as UTF-8"):
        read_html(undeclared, "kaal.htm")


def test_a_failed_import_leaves_the_skill_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index is built after the files are in place; when that fails (here: no writable index
    folder), the replaced file, the example and no new folder are what is left."""
    assert CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)]).exit_code == 0
    skill = tmp_path / "gemeente"
    _import(skill, _upload(tmp_path, "faq.csv", "vraag;antwoord\nA?;Ja.\n"), language="en")
    before = _files(skill / "knowledge")
    site = tmp_path / "site"
    site.mkdir()
    (site / "afval.html").write_text("<h1>Afval</h1><p>Op dinsdag.</p>", encoding="utf-8")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("VOICE_KNOWLEDGE_DIR", str(blocked / "index"))
    args = ["import", str(_upload(tmp_path, "faq.csv", GEMEENTE_CSV)), str(site), "--skill", str(skill)]
    result = CliRunner().invoke(knowledge, [*args, "-l", "nl"])
    assert result.exit_code != 0 and "cannot write the knowledge index" in str(result.exception)
    assert _files(skill / "knowledge") == before
    assert not (skill / "knowledge" / "nl" / "site").exists()
    assert [p.name for p in (skill / "knowledge").iterdir() if p.name.startswith(".")] == []


def test_ctrl_c_while_the_index_is_built_puts_everything_back(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "nl", {"faq.csv": "vraag;antwoord\nA?;Oud.\n"})
    target = skill / "knowledge" / "nl"
    before = _files(target)
    new = _upload(tmp_path, "faq.csv", GEMEENTE_CSV)
    page = _upload(tmp_path, "afval.html", "<h1>Afval</h1>")
    with (
        pytest.raises(KeyboardInterrupt),
        placed({new: target / "faq.csv", page: target / "site" / "afval.html"}, [], target),
    ):
        assert (target / "faq.csv").read_text(encoding="utf-8") == GEMEENTE_CSV
        raise KeyboardInterrupt
    assert _files(target) == before and not (target / "site").exists()


def test_embedding_reports_its_progress_in_steps() -> None:
    told: list[tuple[int, int]] = []
    texts = [f"vraag {n}" for n in range(600)]
    vectors = embed(
        lambda batch: np.ones((len(batch), 2), np.float32), texts, texts, {}, lambda *a: told.append(a)
    )
    assert vectors.shape == (600, 2) and told == [(0, 600), (256, 600), (512, 600), (600, 600)]


def test_a_large_import_warns_that_it_takes_minutes_and_shows_progress(
    capsys: pytest.CaptureFixture[str],
) -> None:
    show = _progress(terminal=True, say=texts("en", "commands"))
    show(0, 60_000)
    show(60_000, 60_000)
    err = capsys.readouterr().err
    assert (
        "embedding 60,000 texts takes about 15 minutes here; Ctrl-C stops it and leaves the skill as it was"
        in err
    )
    assert "\rembedding 60,000 of 60,000 texts\n" in err
    quiet = _progress(terminal=False, say=texts("en", "commands"))
    quiet(0, 500)
    assert capsys.readouterr().err == ""
    _progress(terminal=True, say=texts("nl", "commands"))(6_000, 60_000)  # a Dutch team's separators
    assert capsys.readouterr().err == "\r6.000 van 60.000 teksten ingebed"


def test_the_import_lists_questions_asked_twice_with_different_answers(tmp_path: Path) -> None:
    """A 2023 price beside the 2025 one, and the FAQ's driving-licence fee against the help page's."""
    skill = write_skill(tmp_path, "nl", {})
    help_pages = tmp_path / "help"
    help_pages.mkdir()
    (help_pages / "rijbewijs.md").write_text(
        "# Rijbewijs verlengen\n\nDe kosten zijn € 46,20.\n", encoding="utf-8"
    )
    faq = GEMEENTE_CSV + "Kan ik mijn rijbewijs verlengen bij de gemeente?;Ja. Kosten: € 52,40.;;\n"
    output = _import(skill, _upload(tmp_path, "faq.csv", faq), help_pages)
    assert "2 pairs of entries ask the same question with different answers" in output
    assert "'Wat kost een paspoort?' [faq.csv]  ~  'Hoeveel kost een paspoort in 2023?' [faq.csv]" in output
    assert "'Kan ik mijn rijbewijs verlengen bij de gemeente?' [faq.csv]  ~  'Rijbewijs verlengen'" in output
    entries = KnowledgeBase.load(skill, "nl", use_model=False).entries
    keywords_only = near_duplicates(entries, analyzer("nl").terms, None)
    assert [(pair.first.id, pair.second.id) for pair in keywords_only][0] == (
        "wat-kost-een-paspoort",
        "hoeveel-kost-een-paspoort-in-2023",
    )


def test_eval_counts_and_lists_out_of_scope_questions_offered_a_guess(tmp_path: Path) -> None:
    """A "do you mean ...?" to a question the content does not answer is its own figure, and -v names it;
    with --json, -v puts the list in the JSON, which is all that is printed."""
    skill = write_skill(tmp_path, "en", {"faq.csv": FAQ_CSV})
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text(
        f"skill: {skill}\nlanguage: en\n"
        "questions: [{say: 'till when are you open today', expect: hours}]\n"
        "out_of_scope: ['where can i park my bike', 'what is the capital of france']\n",
        encoding="utf-8",
    )
    text = CliRunner().invoke(knowledge, ["eval", str(evalfile), "-v"])
    assert "  out of scope   0.500 (offered a guess instead of the fallback)" in text.output, text.output
    assert "  confirm 'where can i park my bike': got parking, expected (none)" in text.output
    as_json = CliRunner().invoke(knowledge, ["eval", str(evalfile), "-v", "--json"])
    figures = json.loads(as_json.stdout)
    assert figures["out_of_scope_guessed"] == 0.5 and figures["confirm_in_scope"] in (0.0, 1.0)
    assert "confirm 'where can i park my bike': got parking, expected (none)" in figures["misses"]


def test_a_reworded_question_keeps_the_id_its_id_column_gives_and_eval_goes_on_without_one(
    tmp_path: Path,
) -> None:
    """Evaluation sets and reviews refer to ids: an id column keeps a reworded question's; without one
    the import says why its id changed, and eval leaves out the question expecting the old id with one
    sentence instead of stopping."""
    skill = write_skill(tmp_path, "nl", {})
    faq = _upload(tmp_path, "faq.csv", "Id;Vraag;Antwoord\nP1;Wat kost een paspoort?;€ 84,30.\n")
    _import(skill, faq)
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text(
        f"skill: {skill}\nlanguage: nl\nquestions:\n"
        "  - {say: 'hoeveel betaal ik voor een paspoort', expect: P1}\n"
        "  - {say: 'wanneer komt de vuilniswagen', expect: wanneer-wordt-het-afval-opgehaald}\n",
        encoding="utf-8",
    )
    faq.write_text(
        "Id;Vraag;Antwoord\nP1;Wat kost een nieuw paspoort?;€ 84,30.\n"
        ";Hoe laat wordt het afval opgehaald?;Op dinsdag.\n",
        encoding="utf-8",
    )
    assert "an id made from a question" not in _import(skill, faq)
    faq.write_text(
        "Id;Vraag;Antwoord\nP1;Wat kost een paspoort?;€ 84,30.\n;Wanneer haalt u het afval op?;Op dinsdag.\n",
        encoding="utf-8",
    )
    output = _import(skill, faq)
    assert "faq.csv: an id made from a question changes when the question is reworded" in output
    result = CliRunner().invoke(knowledge, ["eval", str(evalfile)])
    assert result.exit_code == 0, result.output
    assert "nl: 1 questions, 0 out of scope\ntop-1 accuracy   1.000" in result.output
    assert (
        "1 question left out: the content has no entry 'wanneer-wordt-het-afval-opgehaald' (its question "
        f"reworded, or removed); write the entry's id now in {evalfile}"
    ) in result.output


def test_a_page_passage_takes_a_reviewed_phrasing(tmp_path: Path) -> None:
    """The evaluation scores page passages, so a reviewer must be able to teach them callers' words."""
    skill = write_skill(tmp_path, "nl", {"faq.csv": "vraag;antwoord\nWat kost een paspoort?;€ 84,30.\n"})
    site = skill / "knowledge" / "nl" / "site"
    site.mkdir()
    (site / "openingstijden.html").write_text(
        "<h1>Openingstijden gemeentehuis</h1><p>Maandag tot vrijdag van 8.30 tot 17.00 uur.</p>",
        encoding="utf-8",
    )
    page = "site/openingstijden#openingstijden-gemeentehuis"
    reviewed = add_phrasing(skill, "nl", page, "hoe laat gaat de balie dicht")
    assert reviewed.added and reviewed.path == skill / "knowledge" / "reviewed" / "nl.yaml"
    (entry,) = [e for e in KnowledgeBase.load(skill, "nl", use_model=False).entries if e.id == page]
    assert entry.phrasings == ("hoe laat gaat de balie dicht",)
    with pytest.raises(ReviewError) as unknown:
        add_phrasing(skill, "nl", "site/openingstijden#openingstijden", "wanneer zijn jullie open")
    assert f"choose one of its 2 entries by id, like {page}" in unknown.value.message


SHOP_FAQ = {
    "nl": (
        "vraag;antwoord\n"
        "Waar zijn jullie winkels?;We hebben winkels in Amsterdam en Utrecht. "
        "Winkel Utrecht is ook op zondag open.\n"
        "Hoe kan ik betalen?;U betaalt met iDEAL, PayPal of achteraf met Klarna.\n",
        {
            "hebben jullie in utrecht een fysieke winkel": "Hebben jullie in Utrecht een fysieke winkel?",
            "kan ik achteraf betalen met klarna": "Kan ik achteraf betalen met Klarna?",
            "ideal werkt niet bij het afrekenen": "iDEAL werkt niet bij het afrekenen?",
            "hebben jullie ook een winkel in amersfoort": "Hebben jullie ook een winkel in amersfoort?",
        },
    ),
    "en": (
        "question,answer\n"
        "Where Are Your Stores?,We have stores in Amsterdam and Utrecht. Stores are open daily.\n"
        'How can I pay?,"You can pay with PayPal, iDEAL or later with Klarna."\n',
        {
            "can i pay with paypal in utrecht": "Can I pay with PayPal in Utrecht?",
            "are your stores open on sunday": "Are your stores open on sunday?",
        },
    ),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_new_entry_from_a_review_writes_the_names_the_content_writes(tmp_path: Path, language: str) -> None:
    """Callers heard their own lower case back: "Bedoelt u: Hebben jullie in utrecht een fysieke winkel?".
    A word the content always writes with capitals inside its sentences gets them; a name the content
    never writes ("amersfoort") cannot be told from a word, and a word it writes in lower case as well
    ("winkel", "stores") stays lower case."""
    faq, questions = SHOP_FAQ[language]
    skill = write_skill(tmp_path, language, {"faq.csv": faq})
    for said in questions:
        add_entry(skill, language, said, "Ja." if language == "nl" else "Yes.")
    titles = [entry.title for entry in read_reviewed(skill / "knowledge" / language).entries]
    assert titles == list(questions.values())


def test_an_evaluation_file_for_other_content_says_so_instead_of_asking_for_each_id(tmp_path: Path) -> None:
    """A team that imported its own FAQ ran the shipped skill's set: "66 questions left out ... write the
    entry's id now" asked them to mend a file that was never theirs."""
    faq = "Id;Vraag;Antwoord\nP1;Wat kost een paspoort?;€ 84,30.\n"
    skill = write_skill(tmp_path, "nl", {"faq.csv": faq})
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text(
        f"skill: {skill}\nlanguage: nl\nquestions:\n"
        "  - {say: 'hoeveel betaal ik voor een paspoort', expect: P1}\n"
        "  - {say: 'wat kost verzending', expect: verzendkosten}\n"
        "  - {say: 'kan ik met ideal betalen', expect: betaalmethoden}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(knowledge, ["eval", str(evalfile)])
    assert result.exit_code == 0, result.output
    assert f"2 of 3 questions in {evalfile} expect entries the content does not have" in result.output
    assert "write the entry's id now" not in result.output
