"""The ``knowledge`` click group: import, ask and eval (run on the group until the CLI registers it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice.cli import cli
from voice.cli.knowledge import knowledge
from voice.errors import ConfigError
from voice.knowledge import KnowledgeBase
from voice.knowledge.refresh import record
from voice.knowledge.reviewed import add_reviewed_phrasing

from .knowledge_support import EVAL, write_skill

FAQ_CSV = (
    "id,question,phrasings,answer,short,link\n"
    "hours,When is the store open?,What are your opening hours?,"
    "We are open every day from 9 to 5.,Every day from 9 to 5.,https://example.com/hours\n"
    "parking,Can I park at the store?,Is there parking?,There is a car park behind the store.,,\n"
)


def test_import_checks_copies_and_indexes_content(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {})
    source = tmp_path / "upload" / "faq.csv"
    source.parent.mkdir()
    source.write_text(FAQ_CSV, encoding="utf-8")
    result = CliRunner().invoke(knowledge, ["import", str(source), "--skill", str(skill), "-l", "en"])
    assert result.exit_code == 0, result.output
    assert "faq.csv: 2 entries" in result.output and "index of 2 entries built" in result.output
    assert (skill / "knowledge" / "en" / "faq.csv").read_text(encoding="utf-8") == FAQ_CSV


def test_an_import_says_which_file_it_replaces(tmp_path: Path) -> None:
    """``voice init`` writes a faq.yaml; importing the team's own faq.yaml replaces it, and says so, with
    how many of the old file's entries are gone."""
    skill = write_skill(tmp_path, "en", {"faq.csv": FAQ_CSV})
    source = tmp_path / "upload" / "faq.csv"
    source.parent.mkdir()
    source.write_text(FAQ_CSV.split("parking,")[0], encoding="utf-8")
    args = ["import", str(source), "--skill", str(skill), "-l", "en"]
    result = CliRunner().invoke(knowledge, args)
    assert result.exit_code == 0, result.output
    replaced = "it replaces the file of that name, and 1 entry that file had is gone"
    assert f"faq.csv: 1 entries (from {source.resolve()}; {replaced})" in result.output
    again = CliRunner().invoke(knowledge, args)
    assert "replaces" not in again.output, again.output


def test_a_folder_imported_again_removes_the_pages_it_no_longer_has(tmp_path: Path) -> None:
    """A page deleted from the site is no longer answered after the next import of the site; a page
    written into that folder by hand, another file's entries and what reviews added stay."""
    skill = write_skill(tmp_path, "en", {"faq.csv": FAQ_CSV})
    add_reviewed_phrasing(skill / "knowledge" / "en", "parking", "where do i leave my car")
    help_pages = tmp_path / "help"
    (help_pages / "gifts").mkdir(parents=True)
    (help_pages / "gifts" / "wrap.md").write_text(
        "# Gift wrapping\n\nWe wrap gifts for 2 euros.\n\n## Paper\n\nRed or blue.\n", encoding="utf-8"
    )
    (help_pages / "park.md").write_text("# Parking\n\nPark behind the store.\n", encoding="utf-8")
    args = ["import", str(help_pages), "--skill", str(skill), "-l", "en"]
    assert CliRunner().invoke(knowledge, args).exit_code == 0
    by_hand = skill / "knowledge" / "en" / "help" / "hand.md"
    by_hand.write_text("# Opening hours\n\nEvery day.\n", encoding="utf-8")
    (help_pages / "gifts" / "wrap.md").unlink()
    result = CliRunner().invoke(knowledge, args)
    assert result.exit_code == 0, result.output
    assert "help/gifts/wrap.md: removed: the folder imported no longer has it" in result.output
    assert "2 entries removed: their pages are gone" in result.output
    assert not (skill / "knowledge" / "en" / "help" / "gifts").exists()
    assert (
        f"help/hand.md: not in the folder imported, still answered; delete {by_hand} to stop" in result.output
    )
    kb = KnowledgeBase.load(skill, "en")
    assert not any(entry.source == "help/gifts/wrap.md" for entry in kb.entries)
    ids = {entry.id for entry in kb.entries}
    assert {"hours", "parking", "help/park#parking", "help/hand#opening-hours"} <= ids
    assert "where do i leave my car" in next(e for e in kb.entries if e.id == "parking").phrasings


def test_import_refuses_a_bad_file_and_copies_nothing(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "nl", {})
    bad = tmp_path / "faq.yaml"
    bad.write_text("- question: 'Hoe laat?'\n", encoding="utf-8")
    result = CliRunner().invoke(knowledge, ["import", str(bad), "--skill", str(skill), "-l", "nl"])
    assert result.exit_code != 0 and "the answer is missing" in str(result.exception)
    assert not (skill / "knowledge" / "nl" / "faq.yaml").exists()


def test_ask_prints_the_decision_the_answer_its_source_and_scores(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {"faq.csv": FAQ_CSV})
    result = CliRunner().invoke(knowledge, ["ask", "when are you open", "--skill", str(skill), "-l", "en"])
    assert result.exit_code == 0, result.output
    first_line, candidate = result.output.splitlines()[:2]
    assert first_line.split(":")[0] in {"answer", "confirm", "abstain"}
    assert "When is the store open? [hours, faq.csv] score" in candidate
    assert (
        "says: Every day from 9 to 5." in result.output and "link: https://example.com/hours" in result.output
    )


@pytest.mark.parametrize(("language", "refused"), [("xx", "xx"), ("de-DE", "de")])
def test_ask_and_eval_refuse_a_language_without_a_lexicon_as_import_does(
    tmp_path: Path, language: str, refused: str
) -> None:
    """Before, ask abstained ("no content to answer from") with exit 0 and made an index folder."""
    skill = write_skill(tmp_path, "en", {"faq.csv": FAQ_CSV})
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text(
        f"skill: {skill}\nlanguage: {language}\nquestions: [{{say: 'when are you open', expect: hours}}]\n",
        encoding="utf-8",
    )
    for args in (
        ["ask", "when are you open", "--skill", str(skill), "-l", language],
        ["eval", str(evalfile)],
    ):
        result = CliRunner().invoke(knowledge, args)
        assert isinstance(result.exception, ConfigError), result.output
        assert f"no knowledge lexicon for language {refused!r}" in str(result.exception)
    assert not (tmp_path / "knowledge-index").exists()


def test_every_command_reads_a_region_locale_as_its_language(tmp_path: Path) -> None:
    """``voice chat -l nl-NL`` and the webhooks take a locale; ``voice knowledge`` refused one ("no
    knowledge lexicon for language 'nl-NL'; known: en, nl.")."""
    skill = write_skill(tmp_path, "en", {})
    source = tmp_path / "upload" / "faq.csv"
    source.parent.mkdir()
    source.write_text(FAQ_CSV, encoding="utf-8")
    imported = CliRunner().invoke(knowledge, ["import", str(source), "--skill", str(skill), "-l", "en-US"])
    assert imported.exit_code == 0, imported.output
    assert (skill / "knowledge" / "en" / "faq.csv").is_file()
    asked = [
        CliRunner().invoke(knowledge, ["ask", "is there parking", "--skill", str(skill), "-l", locale])
        for locale in ("en", "en-GB", "en_US")
    ]
    assert asked[0].exit_code == 0 and "[parking, faq.csv]" in asked[0].output, asked[0].output
    assert asked[1].output == asked[2].output == asked[0].output
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text(
        f"skill: {skill}\nlanguage: en-GB\nquestions: [{{say: 'is there parking', expect: parking}}]\n",
        encoding="utf-8",
    )
    evaluated = CliRunner().invoke(knowledge, ["eval", str(evalfile)])
    assert evaluated.exit_code == 0 and "top-1 accuracy   1.000" in evaluated.output, evaluated.output


def test_eval_reports_accuracy_and_decision_rates(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {"faq.csv": FAQ_CSV})
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text(
        f"skill: {skill}\nlanguage: en\nquestions:\n"
        "  - {say: 'till when are you open today', expect: hours}\n"
        "  - {say: 'where do i leave my car', expect: parking}\n"
        "out_of_scope: ['what is the capital of france']\n",
        encoding="utf-8",
    )
    text = CliRunner().invoke(knowledge, ["eval", str(evalfile)])
    assert text.exit_code == 0, text.output
    for label in ("top-1 accuracy", "confirm rate", "abstain rate", "false answers"):
        assert label in text.output
    figures = json.loads(CliRunner().invoke(knowledge, ["eval", str(evalfile), "--json"]).output)
    assert figures["questions"] == 2 and figures["out_of_scope"] == 1
    assert 0 <= figures["false_answer_rate"] <= 1 and 0 <= figures["top1"] <= 1


def test_eval_runs_on_the_shipped_set() -> None:
    result = CliRunner().invoke(knowledge, ["eval", str(EVAL / "nl.yaml"), "--skill", "customer_service"])
    assert result.exit_code == 0, result.output
    assert "nl: 74 questions, 37 out of scope" in result.output


def test_a_phrasing_a_review_adds_makes_the_stored_index_outdated(tmp_path: Path) -> None:
    """The reviews' file is content: a server start must not keep an index built without it."""
    skill = write_skill(tmp_path, "en", {"faq.csv": FAQ_CSV})
    KnowledgeBase.load(skill, "en")
    assert KnowledgeBase.stored_is_current(skill, "en")
    add_reviewed_phrasing(skill / "knowledge" / "en", "parking", "where do i leave my car")
    assert not KnowledgeBase.stored_is_current(skill, "en")
    decision = KnowledgeBase.load(skill, "en").ask("where do i leave my car")
    assert decision.candidates[0].id == "parking"


FAQ_NL = (
    "id,question,phrasings,answer,short,link\n"
    "parkeren,Kan ik bij de winkel parkeren?,Is er parkeergelegenheid?,"
    "Er is een parkeerplaats achter de winkel.,,\n"
)


@pytest.mark.parametrize("where", ["group", "command"])
@pytest.mark.parametrize("command", ["ask", "import"])
def test_the_knowledge_commands_find_the_skill_in_the_configs_project(
    tmp_path: Path, where: str, command: str
) -> None:
    """``voice --config X knowledge ...`` looked for the skill in the working directory's project (its
    lookup read no config path), and the commands took no ``--config`` of their own. The skill "winkel"
    is only in the skills folder next to X, whose first locale (nl) is the language."""
    project = tmp_path / "project"
    write_skill(project / "skills", "nl", {"faq.csv": FAQ_NL}).rename(project / "skills" / "winkel")
    (project / "skills" / "winkel" / "__init__.py").write_text("", encoding="utf-8")
    config = project / "voice.toml"
    config.write_text('locales = ["nl"]\n', encoding="utf-8")
    upload = tmp_path / "upload" / "faq.csv"
    upload.parent.mkdir()
    upload.write_text(FAQ_NL, encoding="utf-8")
    given = [upload.as_posix()] if command == "import" else ["is er parkeergelegenheid"]
    args = ["knowledge", command, *given, "--skill", "winkel"]
    args = ["--config", str(config), *args] if where == "group" else [*args, "--config", str(config)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    said = "faq.csv: 1 item (uit" if command == "import" else "Er is een parkeerplaats achter de winkel."
    assert said in result.output


def test_a_dutch_team_reads_the_knowledge_commands_in_dutch(tmp_path: Path) -> None:
    """Import, ask and eval spoke English to a team whose config serves Dutch, where voice review spoke
    Dutch; they choose the language as review does (--lang, else the config's), whatever the content's
    language (-l), and the --json figures stay as they were. So do the engine's reason for a decision,
    a CSV file's notes, the pages an import removed or found written by hand, what reviews added, and
    eval's misses (the engine gives codes and figures; the command words them)."""
    skill = write_skill(tmp_path, "en", {})
    target = skill / "knowledge" / "en"
    (target / "pages").mkdir()
    (target / "pages" / "old.md").write_text("# Gift wrapping\n\nRed paper.\n", encoding="utf-8")
    (target / "pages" / "hand.md").write_text("# Gift cards\n\nFrom 10 euros.\n", encoding="utf-8")
    add_reviewed_phrasing(target, "parking", "where do i leave my car")
    add_reviewed_phrasing(target, "gone", "is it still there")
    config = tmp_path / "voice.toml"
    config.write_text('locales = ["nl-NL", "en"]\n', encoding="utf-8")
    source = tmp_path / "upload" / "faq.csv"
    source.parent.mkdir()
    source.write_text(FAQ_CSV, encoding="utf-8")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "extra.csv").write_bytes(
        "vraag;antwoord;categorie\nBezorgen jullie?;Ja, één dag.;x\n".encode("cp1252")
    )
    record((pages,), target, {target / "pages" / "old.md"})  # an earlier import of the folder brought it
    team = ["--skill", str(skill), "--config", str(config)]
    imported = CliRunner().invoke(cli, ["knowledge", "import", str(source), str(pages), "-l", "en", *team])
    assert imported.exit_code == 0, imported.output
    assert f"faq.csv: 2 items (uit {source.resolve()})\n" in imported.output
    lines, reviewed = imported.output.splitlines(), "knowledge/reviewed/en.yaml"
    by_hand = target / "pages" / "hand.md"
    assert lines[:3] == [
        "pages/old.md: verwijderd: de geïmporteerde map heeft het niet meer",
        "1 item verwijderd: de pagina ervan is weg",
        f"pages/hand.md: niet in de geïmporteerde map, wordt nog beantwoord; verwijder {by_hand} om er niet"
        " meer uit te antwoorden",
    ]
    assert lines[5:9] == [
        "extra.csv: geen UTF-8, dus gelezen als Windows-1252 (de CSV van Excel); sla het op als UTF-8-CSV",
        "extra.csv: kolommen weggelaten: categorie (gelezen worden id, vraag, formuleringen, antwoord, kort,"
        " link, of in het Engels)",
        f"{reviewed}: bewaard wat beoordelingen toevoegden: 1 formulering en 0 nieuwe items",
        f"{reviewed}: de formuleringen die beoordelingen aan 'gone' toevoegden, worden niet gebruikt, want"
        " geen item heeft dat id nu; verplaats ze naar een ander item daar of verwijder ze",
    ]
    assert lines[9].startswith("index van 4 items gebouwd in "), imported.output
    asked = CliRunner().invoke(cli, ["knowledge", "ask", "when are you open", "-l", "en", *team])
    decided = r"bevestigen: onzeker: gelijkenis \d,\d{3}, trefwoordscore \d,\d\d, de methoden zijn het eens\n"
    assert re.match(decided, asked.output), asked.output
    scores = r"\[hours, faq\.csv\] score \d,\d\d \(trefwoorden \d,\d\d, gelijkenis \d,\d{3}\)$"
    assert re.search(scores, asked.output, re.MULTILINE), asked.output
    assert "   zegt: Every day from 9 to 5.\n" in asked.output
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text(
        "language: en\nquestions: [{say: 'is there parking', expect: parking}, {say: 'x', expect: gone}]\n",
        encoding="utf-8",
    )
    unnamed = CliRunner().invoke(cli, ["knowledge", "eval", str(evalfile), "--config", str(config)])
    assert unnamed.stderr == f"fout: {evalfile} noemt geen skill; voeg 'skill: NAAM' toe of geef --skill.\n"
    evaluated = CliRunner().invoke(cli, ["knowledge", "eval", str(evalfile), *team])
    lines = evaluated.output.splitlines()
    assert lines[:3] == [
        "en: 1 vraag, 0 buiten het bereik",
        "top-1-nauwkeurigheid   1,000",
        "goed beantwoord        1,000",
    ]
    assert lines[-1].startswith("1 vraag weggelaten: de inhoud heeft geen item 'gone'"), evaluated.output
    figures = CliRunner().invoke(cli, ["knowledge", "eval", str(evalfile), "--json", *team])
    assert json.loads(figures.output)["top1"] == 1.0
    missed = tmp_path / "missed.yaml"
    missed.write_text(
        "language: en\nquestions: [{say: 'where do i leave my car', expect: hours}]\n"
        "out_of_scope: ['is there parking']\n",
        encoding="utf-8",
    )
    verbose = CliRunner().invoke(cli, ["knowledge", "eval", str(missed), "-v", *team])
    assert verbose.output.splitlines()[-2:] == [
        "  antwoorden 'where do i leave my car': kreeg parking, verwacht hours",
        "  antwoorden 'is there parking': kreeg parking, verwacht (geen)",
    ]
    english = CliRunner().invoke(cli, ["knowledge", "eval", str(evalfile), "--lang", "en", *team])
    assert english.output.splitlines()[:2] == ["en: 1 questions, 0 out of scope", "top-1 accuracy   1.000"]


def test_a_dutch_team_reads_why_content_does_not_read_in_dutch(tmp_path: Path) -> None:
    """A CSV with a problem, or a content language with no lexicon (-l fr), was refused in English,
    marked "error:", to a team that reads the import in Dutch; --lang en keeps the English."""
    skill = write_skill(tmp_path, "nl", {})
    config = tmp_path / "voice.toml"
    config.write_text('locales = ["nl-NL"]\n', encoding="utf-8")
    bad = tmp_path / "faq.csv"
    bad.write_text("vraag;antwoord\nA?;Ja.\nB?;\n", encoding="utf-8")
    team = ["--skill", str(skill), "--config", str(config)]
    dutch = CliRunner().invoke(cli, ["knowledge", "import", str(bad), *team])
    english = CliRunner().invoke(cli, ["knowledge", "import", str(bad), "--lang", "en", *team])
    assert dutch.exit_code == english.exit_code == 2
    assert dutch.stderr == f"fout: {bad}, rij 3: de cel in de kolom antwoord is leeg; vul die in.\n"
    assert english.stderr == f"error: {bad}, row 3: the answer is missing or empty; add it.\n"
    for command in (["import", str(bad)], ["ask", "open?"]):
        french = CliRunner().invoke(cli, ["knowledge", *command, "-l", "fr", *team])
        assert french.stderr == "fout: er is geen kennislexicon voor de taal 'fr'; bekend zijn en, nl.\n"


def test_a_dutch_team_reads_why_a_reviews_or_evaluation_file_does_not_read_in_dutch(tmp_path: Path) -> None:
    """A reviews' file (knowledge/reviewed/nl.yaml) or an evaluation file with a problem was refused in
    English, marked "fout:", to a Dutch team; --lang en keeps the English."""
    skill = write_skill(tmp_path, "nl", {"faq.yaml": "- {question: Open?, answer: Ja.}\n"})
    reviewed = skill / "knowledge" / "reviewed" / "nl.yaml"
    reviewed.parent.mkdir()
    reviewed.write_text("added: {}\n", encoding="utf-8")
    evalfile = tmp_path / "eval.yaml"
    evalfile.write_text("language: nl\nquestions: 3\n", encoding="utf-8")
    config = tmp_path / "voice.toml"
    config.write_text('locales = ["nl-NL"]\n', encoding="utf-8")
    team = ["--skill", str(skill), "--config", str(config)]
    refused = {
        language: [
            CliRunner().invoke(cli, ["knowledge", *command, *team, *given]).stderr
            for command in (["ask", "open?"], ["eval", str(evalfile)])
        ]
        for language, given in (("nl", []), ("en", ["--lang", "en"]))
    }
    assert refused["nl"] == [
        f"fout: {reviewed} mag alleen phrasings: en entries: bevatten, zoals de beoordelingen het schrijven; "
        "herstel het bestand.\n",
        f"fout: {evalfile}: questions moet een lijst met {{say: ..., expect: item-id}} zijn.\n",
    ]
    assert refused["en"] == [
        f"error: {reviewed} may hold only phrasings: and entries:, as the reviews write it; fix the file.\n",
        f"error: {evalfile}: questions must be a list of {{say: ..., expect: entry id}}.\n",
    ]
