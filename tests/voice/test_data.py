"""Retention, access and erasure of conversation data: voice data purge, export and forget; housekeeping."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from handoff_records import handoff_record

from voice import Dialog, Router, Turn, load_skill
from voice.analytics.review import Reviewed, record_review
from voice.analytics.team import texts
from voice.cli import cli
from voice.dialog import HandoffRecord, QueueFileSink
from voice.store import open_store

DAY = 86400.0


def _config(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "{url}"\nretention_days = 30\n')
    return config, url


def _converse(
    url: str, user: str, session: str, days_ago: float, text: str = "wat zijn jullie openingstijden"
) -> None:
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    with open_store(url, clock=lambda: time.time() - days_ago * DAY) as store:
        Dialog(Router([load_skill("customer_service")]), store).respond(
            Turn(
                text=text,
                locale="nl",
                session_id=session,
                user_id=user,
                time=then,
            )
        )


def test_purge_deletes_what_is_past_retention_and_keeps_the_rest(tmp_path: Path) -> None:
    """It printed the sessions and log rows only, though it removed turn signals and reviews too."""
    config, url = _config(tmp_path)
    _converse(url, "old-caller", "s-old", days_ago=45, text="blorp de zorp")
    _converse(url, "new-caller", "s-new", days_ago=0)
    with open_store(url, clock=lambda: time.time() - 45 * DAY) as store:
        record_review(
            store, "blorp de zorp", Reviewed("out_of_scope", "", None), skill="", locale="nl", reviewer="eva"
        )
    result = CliRunner().invoke(cli, ["data", "purge", "--config", str(config)])
    assert result.exit_code == 0 and result.output.splitlines() == [
        "deleted 1 expired session; 0 replies kept for repeated requests and 0 delivered outbox records "
        "older than 24 hours",
        "deleted 2 log rows, 1 turn signal and 1 review older than 30 days, and the remembered attributes "
        "of 0 users not seen for 30 days",
    ]
    with open_store(url) as store:
        assert [row.user_id for row in store.read_log()] == ["new-caller", "new-caller"]
        assert store.load("s-new") is not None


def test_purge_forgets_what_was_remembered_about_callers_not_seen_within_retention(tmp_path: Path) -> None:
    """A name remembered 90 days ago stayed with retention_days = 30 ('deleted 0 log rows ...')."""
    config, url = _config(tmp_path)
    with open_store(url, clock=lambda: time.time() - 90 * DAY) as store:
        store.save_user("+31612345001", {"name": "Johan Smit", "last_booking": "B42"})
        store.save_user("+31612345002", {"name": "Anneke"})
    _converse(url, "+31612345002", "s-recent", days_ago=2)  # remembered long ago, but called since
    result = CliRunner().invoke(cli, ["data", "purge", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "and the remembered attributes of 1 user not seen for 30 days" in result.output
    with open_store(url) as store:
        assert [row[0] for row in store.select("SELECT id FROM users")] == ["+31612345002"]


def test_forget_erases_a_user(tmp_path: Path) -> None:
    config, url = _config(tmp_path)
    _converse(url, "anna", "s1", days_ago=0)
    _converse(url, "bob", "s2", days_ago=0)
    result = CliRunner().invoke(cli, ["data", "forget", "anna", "--config", str(config)])
    assert result.exit_code == 0 and "erased" in result.output
    with open_store(url) as store:
        assert {row.user_id for row in store.read_log()} == {"bob"}
        assert store.load("s1") is None and store.load("s2") is not None


def test_export_gives_everything_kept_about_a_user_and_nothing_of_others(tmp_path: Path) -> None:
    config, url = _config(tmp_path)
    _converse(url, "anna", "s1", days_ago=0)
    _converse(url, "anna", "s2", days_ago=1)
    _converse(url, "bob", "s3", days_ago=0)
    with open_store(url) as store:
        store.save_user("anna", {"name": "Anna"})
    out = tmp_path / "anna.json"
    result = CliRunner().invoke(cli, ["data", "export", "anna", "-o", str(out), "--config", str(config)])
    assert result.exit_code == 0 and str(out) in result.output
    found = json.loads(out.read_text(encoding="utf-8"))
    assert found["user_id"] == "anna" and found["attributes"] == {"name": "Anna"}
    assert [s["id"] for s in found["sessions"]] == ["s2", "s1"]  # oldest first
    assert found["sessions"][0]["history"][0]["text"] == "wat zijn jullie openingstijden"
    assert [row["speaker"] for row in found["log"]] == ["user", "assistant", "user", "assistant"]
    assert "bob" not in out.read_text(encoding="utf-8")
    assert found["log"][0]["time"].endswith("+00:00")  # no time_zone configured: UTC
    printed = CliRunner().invoke(cli, ["data", "export", "nobody", "--config", str(config)])
    assert printed.stderr.startswith("note: nothing is kept about user 'nobody', so the export is empty")
    assert json.loads(printed.stdout) == {
        "user_id": "nobody",
        "attributes": {},
        "attributes_updated_at": None,
        "sessions": [],
        "log": [],
        "replies": [],
        "outbox": [],
        "signals": [],
        "reviews": [],
    }


def test_export_writes_its_times_in_iso_8601_in_the_business_time_zone(tmp_path: Path) -> None:
    """It wrote "time": 1795943417.11622, which the caller who asked for their data cannot read; and it
    left out when the remembered attributes were last updated, from which their retention counts."""
    config, url = _config(tmp_path)
    config.write_text(config.read_text() + 'time_zone = "Europe/Amsterdam"\n')
    _converse(url, "anna", "s0", days_ago=0, text="blorp de zorp")
    _review(url, "blorp de zorp")
    _hand_over(url, tmp_path / "handoff.jsonl", "anna", "s1")
    with open_store(url) as store:
        store.save_user("anna", {"name": "Anna"})
        stored = {
            "attributes": store.user_updated_at("anna"),
            "log": store.read_log(user_id="anna")[0].time,
            "session": store.sessions_of("anna")[0].created_at,
            "outbox": store.outbox_of("anna")[0].created_at,
        }
    result = CliRunner().invoke(cli, ["data", "export", "anna", "--config", str(config)])
    found = json.loads(result.stdout)
    session, outbox = found["sessions"][0], found["outbox"][0]
    times = [
        found["attributes_updated_at"],  # when the remembered name goes is counted from it
        found["log"][0]["time"],
        found["signals"][0]["time"],
        found["reviews"][0]["time"],
        session["history"][0]["time"],
        session["created_at"],
        session["updated_at"],
        session["expires_at"],
        outbox["created_at"],
    ]
    amsterdam = ZoneInfo("Europe/Amsterdam")
    for written in times:
        when = dt.datetime.fromisoformat(written)
        assert when.utcoffset() == when.astimezone(amsterdam).utcoffset(), written  # +01:00 or +02:00
    read = {
        "attributes": found["attributes_updated_at"],
        "log": found["log"][0]["time"],
        "session": session["created_at"],
        "outbox": outbox["created_at"],
    }
    seconds = {key: dt.datetime.fromisoformat(value).timestamp() for key, value in read.items()}
    assert seconds == pytest.approx(stored, abs=1e-6)  # to the microsecond: nothing of the time is lost
    assert session["ttl"] == 600 and outbox["payload"]["user_id"] == "anna"  # a duration; the record as sent


def _review(url: str, said: str) -> None:
    with open_store(url) as store:
        record_review(store, said, Reviewed("out_of_scope", "", None), skill="", locale="nl", reviewer="eva")


def test_export_and_forget_reach_the_signals_and_the_reviews_of_the_callers_words(tmp_path: Path) -> None:
    """The export lacked the per-turn signals (the caller's words, irritation, outcome) that forget erased
    uncounted; a review kept a forgotten caller's words."""
    config, url = _config(tmp_path)
    _converse(url, "anna", "s1", days_ago=0, text="Mijn buurman Piet de Vries heeft m'n pakket!")
    _converse(url, "bob", "s2", days_ago=0, text="blorp de zorp")
    _review(url, "mijn buurman piet de vries heeft m'n pakket")  # her words, as a reviewer typed them
    _review(url, "blorp de zorp")
    runner = CliRunner()
    exported = json.loads(runner.invoke(cli, ["data", "export", "anna", "--config", str(config)]).output)
    assert [row["text"] for row in exported["signals"]] == ["Mijn buurman Piet de Vries heeft m'n pakket!"]
    assert exported["signals"][0]["understood"] == "none" and exported["signals"][0]["irritation"] is False
    assert [row["key"] for row in exported["reviews"]] == ["mijn buurman piet de vries heeft m'n pakket"]
    result = runner.invoke(cli, ["data", "forget", "anna", "--config", str(config)])
    # her session, 2 log rows, the signals of her turn, the review of her words
    assert result.output.splitlines()[0] == "erased 5 records of user anna", result.output
    with open_store(url) as store:
        assert store.select("SELECT user_id FROM signals") == [("bob",)]
        assert store.select("SELECT key FROM reviews") == [("blorp de zorp",)]
    again = json.loads(runner.invoke(cli, ["data", "export", "anna", "--config", str(config)]).stdout)
    assert again["signals"] == [] and again["reviews"] == []


def test_purge_drops_the_queue_file_records_past_retention(tmp_path: Path) -> None:
    """Retention did not reach the [handoff] queue file: it kept every transcript for ever."""
    config, _ = _config(tmp_path)
    queue = tmp_path / "handoff.jsonl"
    config.write_text(config.read_text() + f'[handoff]\nqueue = "{queue}"\n')
    now = dt.datetime.now(dt.UTC)
    sink = QueueFileSink(queue)
    for number, age in enumerate((45, 29, 31, 0)):
        sink.deliver(_record(f"caller-{number}", now - dt.timedelta(days=age)))
    queue.write_bytes(queue.read_bytes() + b"not a record\n")  # nothing says it expired: it stays
    before = queue.read_bytes().splitlines(keepends=True)
    queue.chmod(0o640)
    result = CliRunner().invoke(cli, ["data", "purge", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert f"deleted 2 handoff records older than 30 days from the queue file {queue}" in result.output
    assert queue.read_bytes().splitlines(keepends=True) == [before[1], before[3], before[4]]
    assert queue.stat().st_mode & 0o777 == 0o640 and [p.name for p in tmp_path.glob(".handoff*")] == []
    again = CliRunner().invoke(cli, ["data", "purge", "--config", str(config)])
    assert "deleted 0 handoff records" in again.output and len(queue.read_bytes().splitlines()) == 3


def _record(user_id: str, time: dt.datetime) -> HandoffRecord:
    return handoff_record(f"handoff-{user_id}", user_id=user_id, session_id=f"s-{user_id}", time=time)


def test_the_dialog_keeps_the_log_within_retention_by_itself(tmp_path: Path) -> None:
    _, url = _config(tmp_path)
    _converse(url, "old-caller", "s-old", days_ago=45)
    with open_store(url) as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store, retention_days=30)
        started = time.monotonic()
        dialog.respond(
            Turn(text="hoe kan ik contact opnemen", locale="nl", session_id="s-new", user_id="new")
        )
        # The purge runs beside the turn, not in it: wait for it.
        while {row.user_id for row in store.read_log()} != {"new"} and time.monotonic() < started + 10:
            time.sleep(0.02)
        assert {row.user_id for row in store.read_log()} == {"new"}


def _hand_over(url: str, queue: Path, user: str, session: str) -> None:
    """A conversation of ``user`` handed over to a person, its record delivered to the queue file."""
    with open_store(url) as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store, sink=QueueFileSink(queue))
        for text in ("wat zijn jullie openingstijden", "ik wil een medewerker spreken"):
            dialog.respond(Turn(text=text, locale="nl", session_id=session, user_id=user))
        assert dialog.sender is not None and dialog.sender.drain()
        dialog.close()


def test_forget_and_export_reach_the_handoff_queue_file(tmp_path: Path) -> None:
    """The queue file is written on this host: an access request gets the caller's records in it, and
    an erasure takes them out, leaving the other lines byte for byte."""
    config, url = _config(tmp_path)
    queue = tmp_path / "handoff.jsonl"
    config.write_text(config.read_text() + f'[handoff]\nqueue = "{queue}"\n')
    _hand_over(url, queue, "bob", "s1")
    _hand_over(url, queue, "anna", "s2")
    _hand_over(url, queue, "bob", "s3")
    queue.write_bytes(queue.read_bytes() + b"not a record\n")  # a line the team's tool left: not ours to drop
    before = queue.read_bytes().splitlines(keepends=True)
    queue.chmod(0o640)
    runner = CliRunner()
    exported = json.loads(runner.invoke(cli, ["data", "export", "anna", "--config", str(config)]).output)
    assert [(r["session_id"], r["reason"]) for r in exported["handoff_queue"]] == [("s2", "asked")]
    assert "ik wil een medewerker spreken" in [t["text"] for t in exported["handoff_queue"][0]["transcript"]]
    result = runner.invoke(cli, ["data", "forget", "anna", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert f"erased 1 handoff record of user anna from the queue file {queue}" in result.output
    assert "erase them there" not in result.output  # no endpoint got anything
    assert queue.read_bytes().splitlines(keepends=True) == [before[0], before[2], before[3]]
    assert queue.stat().st_mode & 0o777 == 0o640 and [p.name for p in tmp_path.glob(".handoff*")] == []
    again = runner.invoke(cli, ["data", "export", "anna", "--config", str(config)])
    assert json.loads(again.stdout)["handoff_queue"] == []


def test_forget_tells_that_records_sent_to_an_endpoint_must_be_erased_there(tmp_path: Path) -> None:
    config, url = _config(tmp_path)
    config.write_text(config.read_text() + '[handoff]\nurl = "https://crm.example.com/handoff"\n')
    _converse(url, "anna", "s1", days_ago=0)
    result = CliRunner().invoke(cli, ["data", "forget", "anna", "--config", str(config)])
    assert result.exit_code == 0 and "handoff_queue" not in result.output
    assert "handoff records sent to https://crm.example.com/handoff are kept by its receiver" in result.output
    nobody = CliRunner().invoke(cli, ["data", "forget", "nobody", "--config", str(config)])
    assert (nobody.exit_code, nobody.stdout) == (1, "") and nobody.stderr.count("\n") == 1
    assert nobody.stderr.startswith(
        "error: nothing is kept about user 'nobody', so nothing was erased here (handoff records sent to "
        "https://crm.example.com/handoff are kept by its receiver); check the id"
    )


def _withheld_callers(url: str) -> None:
    """Two callers who withheld their number: their sessions are kept without a user id."""
    for session, text in (("s-piet", "mijn naam is Piet"), ("s-klaas", "mijn naam is Klaas")):
        with open_store(url) as store:
            dialog = Dialog(Router([load_skill("customer_service")]), store)
            dialog.respond(Turn(text=text, locale="nl", session_id=session, user_id="", channel="dialogflow"))
            dialog.close()


def test_export_and_forget_refuse_the_id_that_every_withheld_caller_shares(tmp_path: Path) -> None:
    """'voice data export ""' printed two unrelated callers' words; 'forget ""' erased them (exit 0)."""
    config, url = _config(tmp_path)
    _withheld_callers(url)
    runner = CliRunner()
    for command in ("export", "forget"):
        for user_id in ("", " ", "anonymous", "sip:anonymous@anonymous.invalid", "Restricted"):
            result = runner.invoke(cli, ["data", command, user_id, "--config", str(config)])
            assert result.exit_code == 1 and result.stdout == "", (command, user_id, result.output)
            assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
            assert (
                "not for one caller" in result.stderr
                and f"voice data {command} does not take it" in result.stderr
            )
    with open_store(url) as store:
        assert len(store.read_log()) == 4  # both callers' words are still there
        store.save_user("anonymous", {"name": "Piet"})  # what an older version kept under a shared id
    empty = runner.invoke(cli, ["data", "forget", "", "--shared", "--config", str(config)])
    assert empty.exit_code == 1 and "an empty user id stands for every caller" in empty.stderr
    legacy = runner.invoke(cli, ["data", "forget", "anonymous", "--shared", "--config", str(config)])
    assert (legacy.exit_code, legacy.output) == (0, "erased 1 record of user anonymous\n")
    with open_store(url) as store:
        assert len(store.read_log()) == 4 and store.get_user("anonymous") == {}


def test_forget_of_no_one_says_so_and_names_the_number_as_the_store_keeps_it(tmp_path: Path) -> None:
    """'voice data forget 06-12345001' said 'erased 0 records' (exit 0) while the store keeps
    +31612345001."""
    config, url = _config(tmp_path)
    _converse(url, "+31612345001", "s1", days_ago=0)
    _converse(url, "+31612345002", "s2", days_ago=0)
    runner = CliRunner()
    for written in ("06-12345001", "06 1234 5001", "0031 6 12345001", "+31 6 1234 5001"):
        result = runner.invoke(cli, ["data", "forget", written, "--config", str(config)])
        assert result.exit_code == 1 and result.stdout == "", result.output
        assert result.stderr == (
            f"error: nothing is kept about user {written!r}, so nothing was erased; the store keeps "
            "+31612345001: if that is the caller's number, run voice data forget +31612345001.\n"
        )
    for other in ("nobody", "0612345", "12345001", "+3212345001"):  # no number, too short, no 0 or +, another
        result = runner.invoke(cli, ["data", "forget", other, "--config", str(config)])
        assert result.exit_code == 1 and "check the id as the store keeps it" in result.stderr, result.output
    config.write_text(config.read_text() + f'[handoff]\nqueue = "{tmp_path / "handoff.jsonl"}"\n')
    with_queue = runner.invoke(cli, ["data", "forget", "06 12345001", "--config", str(config)])
    assert (with_queue.exit_code, with_queue.stdout) == (1, "")  # no "erased 0 handoff records" before it
    assert with_queue.stderr == (
        "error: nothing is kept about user '06 12345001', so nothing was erased; the store keeps "
        "+31612345001: if that is the caller's number, run voice data forget +31612345001.\n"
    )
    exported = runner.invoke(cli, ["data", "export", "06-12345001", "--config", str(config)])
    assert exported.exit_code == 0 and json.loads(exported.stdout)["log"] == []
    assert (
        "the store keeps +31612345001: if that is the caller's number, run voice data export"
        in exported.stderr
    )
    with open_store(url) as store:
        assert len(store.read_log()) == 4


def test_a_dutch_team_reads_voice_data_in_dutch(tmp_path: Path) -> None:
    """Purge, forget, export and check spoke English to a team whose config serves Dutch, where voice
    review spoke Dutch; they choose the language as review does (--lang, else the config's)."""
    config, url = _config(tmp_path)
    config.write_text(config.read_text() + 'locales = ["nl-NL"]\n')
    _converse(url, "old-caller", "s-old", days_ago=45)
    _converse(url, "+31612345001", "s1", days_ago=0)
    runner = CliRunner()
    purged = runner.invoke(cli, ["data", "purge", "--config", str(config)])
    assert purged.exit_code == 0 and purged.output.splitlines() == [
        "1 verlopen sessie verwijderd, en 0 antwoorden die voor herhaalde verzoeken bewaard waren en 0 "
        "afgeleverde outboxrecords ouder dan 24 uur",
        "2 logregels, 1 beurtsignaal en 0 beoordelingen ouder dan 30 dagen verwijderd, en de onthouden "
        "gegevens van 0 gebruikers, niet gezien in 30 dagen",
    ]
    assert texts("nl", "commands")("count_turn_signal", count=2) == "2 beurtsignalen"  # not "signaalen"
    nobody = runner.invoke(cli, ["data", "forget", "06-12345001", "--config", str(config)])
    assert nobody.exit_code == 1 and nobody.stderr == (
        "fout: er is niets bewaard over gebruiker '06-12345001', dus is er niets gewist; de opslag bewaart "
        "+31612345001: als dat het nummer van de beller is, voer dan voice data forget +31612345001 uit.\n"
    )
    withheld = runner.invoke(cli, ["data", "export", "anonymous", "--config", str(config)])
    assert withheld.exit_code == 1 and "staat voor elke beller die het nummer afschermde" in withheld.stderr
    empty = runner.invoke(cli, ["data", "export", "nobody", "--config", str(config)])
    assert empty.stderr.startswith(
        "opmerking: er is niets bewaard over gebruiker 'nobody', dus is de export leeg"
    )
    out = tmp_path / "caller.json"
    exported = runner.invoke(cli, ["data", "export", "+31612345001", "-o", str(out), "--config", str(config)])
    assert exported.output == f"alles wat over gebruiker +31612345001 is bewaard, is geschreven naar {out}\n"
    assert json.loads(out.read_text(encoding="utf-8"))["user_id"] == "+31612345001"  # the JSON as it was
    checked = runner.invoke(cli, ["data", "check", "--config", str(config)])
    assert checked.output == "ok; 0 doorverbindrecords wachten op aflevering\n"
    one = {"count": 1}  # "1 doorverbindrecords wachten" and "1 handoff records waiting" were plural
    assert texts("nl", "commands")("check_ok", **one) == "ok; 1 doorverbindrecord wacht op aflevering"
    assert texts("en", "commands")("check_ok", **one) == "ok; 1 handoff record waiting to be delivered"
    english = runner.invoke(cli, ["data", "forget", "+31612345001", "--lang", "en", "--config", str(config)])
    assert english.output == "erased 4 records of user +31612345001\n"


def test_a_dutch_team_reads_the_stores_own_errors_in_dutch(tmp_path: Path) -> None:
    """A store that does not open was told in English, marked "error:", to a team that reads voice data
    in Dutch; --lang en tells it as before."""
    folder = tmp_path / "sessions.db"
    folder.mkdir()
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite:///{folder}"\nlocales = ["nl-NL"]\n')
    dutch = CliRunner().invoke(cli, ["data", "purge", "--config", str(config)])
    english = CliRunner().invoke(cli, ["data", "purge", "--lang", "en", "--config", str(config)])
    reason = "unable to open database file"
    assert dutch.exit_code == english.exit_code == 1
    assert dutch.stderr == (
        f"fout: de sessiedatabase /{folder} kan niet worden geopend: {reason}; controleer dat het pad een "
        "bestand (geen map) in een beschrijfbare map noemt.\n"
    )
    assert english.stderr == (
        f"error: cannot open the session database /{folder}: {reason}; check that the path names a file "
        "(not a folder) in a writable folder.\n"
    )
