"""The KPIs: their formulas from known counts, a seeded store read back, filters, and ``voice report``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from voice.analytics import Filters, Kpis, Report, build_report, read_not_understood, read_trend
from voice.analytics.period import ReportError
from voice.analytics.report import format_change, format_value
from voice.analytics.team import texts
from voice.cli import cli
from voice.store import Store, open_store

from .seed import DAY, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("kpis") / "sessions.db"
    with open_store(f"sqlite://{path}") as store:
        seed(store)
        yield store


def test_the_formulas_from_known_counts() -> None:
    kpis = Kpis.from_totals(
        {
            "conversations": 10,
            "outcome:contained": 6,
            "outcome:gave_up": 2,
            "outcome:handoff": 2,
            "handoff:asked": 1,
            "handoff:fallbacks": 1,
            "turns": 50,
            "understood:silence": 10,
            "understood:template": 24,
            "understood:fuzzy": 4,
            "understood:platform": 2,
            "understood:none": 6,
            "understood:knowledge": 4,
            "knowledge:asked": 8,
            "knowledge:answer": 3,
            "latency:030": 90,
            "latency:060": 10,
            "satisfaction:1": 3,
            "satisfaction:0": 1,
            "flow:Book:started": 10,
            "flow:Book:step:date": 10,
            "flow:Book:step:time": 4,
            "flow:Book:completed": 3,
        }
    )
    assert (kpis.containment_rate, kpis.handoff_rate) == (0.6, 0.2)
    assert (kpis.fallback_rate, kpis.recognition_rate, kpis.knowledge_answer_rate) == (0.15, 0.75, 0.375)
    assert kpis.satisfaction_score == 0.75
    assert kpis.latency_p50_ms == pytest.approx(1.1**30.5, rel=1e-3)
    assert kpis.latency_p95_ms == pytest.approx(1.1**60.5, rel=1e-3)
    (funnel,) = kpis.flows
    assert funnel.stages == (("started", 10), ("date", 10), ("time", 4), ("completed", 3))
    assert funnel.drop_off == "date" and funnel.completion_rate == 0.3


def test_funnel_steps_follow_the_flows_order_and_the_drop_off_is_where_callers_left() -> None:
    """The review's counts: steps came most reached first (``date 3, name 3, topic 2, time 1``, though
    time is asked before name), and a larger count after a smaller one named a false drop-off."""
    totals = {
        "flow:Book:started": 3,
        "flow:Book:step:date": 3,
        "flow:Book:step:name": 3,
        "flow:Book:step:topic": 2,
        "flow:Book:step:time": 3,
        "flow:Book:step:gone": 1,
        "flow:Book:completed": 2,
        "flow:Order:started": 4,
        "flow:Order:step:order_number": 4,
        "flow:Order:completed": 3,
    }
    order = {"Book": ("date", "time", "name", "topic"), "Order": ("order_number",)}
    found, book = Kpis.from_totals(totals, flows=order).flows
    assert [stage for stage, _ in book.stages] == [
        "started",
        "date",
        "time",
        "name",
        "topic",
        "gone",
        "completed",
    ]
    assert (book.drop_off, found.drop_off) == ("name", "order_number")
    unordered = Kpis.from_totals(totals).flows[1]  # no skills given: most reached first, as before
    assert [stage for stage, _ in unordered.steps] == ["date", "name", "time", "topic", "gone"]
    steady = Kpis.from_totals({"flow:Book:started": 2, "flow:Book:step:date": 2, "flow:Book:completed": 2})
    assert steady.flows[0].drop_off == ""


def test_a_seeded_store_gives_its_kpis_and_compares_with_the_week_before(seeded: Store) -> None:
    report = build_report(seeded, Filters(start=DAY, end=DAY))
    now = report.current
    assert (now.conversations, now.contained, now.gave_up, dict(now.handoffs)) == (4, 2, 1, {"asked": 1})
    assert (now.turns, now.not_understood, now.recognised) == (5, 2, 2)
    assert (now.fallback_rate, now.recognition_rate, now.knowledge_answer_rate) == (0.4, 0.4, 1.0)
    assert dict(now.intents) == {"OpeningHours": 1, "TalkToAgent": 1}
    assert now.latency_p50_ms is not None and 36 < now.latency_p50_ms < 44
    week = build_report(seeded, Filters(start=DAY, end=DAY).previous()).current
    assert week.conversations == 0
    assert build_report(seeded, Filters(start=DAY.replace(day=17), end=DAY)).previous.conversations == 1
    (group,) = report.not_understood
    assert (group.count, dict(group.examples)) == (
        2,
        {"waar is mijn pakket": 1, "waar is mijn pakket nou": 1},
    )


@pytest.mark.parametrize(
    ("slice_", "conversations", "containment"),
    [({"channel": "alexa"}, 3, 1 / 3), ({"locale": "en"}, 1, 1.0), ({"skill": "other"}, 0, None)],
    ids=["alexa", "english", "unknown-skill"],
)
def test_filters_change_the_numbers(
    seeded: Store, slice_: dict[str, str], conversations: int, containment: float | None
) -> None:
    kpis = build_report(seeded, Filters(start=DAY, end=DAY, **slice_)).current
    assert (kpis.conversations, kpis.containment_rate) == (conversations, containment)


def test_the_trend_has_a_value_per_day(seeded: Store) -> None:
    trend = read_trend(seeded, Filters(start=DAY.replace(day=16), end=DAY))
    assert trend["conversations"] == [1, 0, 0, 0, 0, 0, 0, 4]
    assert read_not_understood(seeded, Filters(start=DAY.replace(day=16), end=DAY.replace(day=22))) == []


def test_voice_report_prints_a_table_csv_and_json(seeded: Store, tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite://{seeded.path}"\n')  # type: ignore[attr-defined]
    runner = CliRunner()
    base = ["report", "--config", str(config), "--from", DAY.isoformat(), "--to", DAY.isoformat()]
    table = runner.invoke(cli, base)
    assert table.exit_code == 0, table.output
    assert "containment" in table.output and "50.0%" in table.output and "waar is mijn pakket" in table.output
    csv = runner.invoke(cli, [*base, "--format", "csv"]).output.splitlines()
    assert csv[0] == "kpi,unit,current,previous,change" and "conversations,n,4,0,4" in csv
    assert "gave up,n,1,0,1" in csv
    assert "containment,%,50,," in csv  # percent, as the unit says (it printed 0.5 as %)
    assert re.search(r"^gave up +1 +0 +\+1$", table.output, re.MULTILINE), table.output
    data = json.loads(runner.invoke(cli, [*base, "--format", "json", "--channel", "alexa"]).output)
    assert data["current"]["conversations"] == 3 and data["filters"]["channel"] == "alexa"
    refused = runner.invoke(cli, [*base[:3], "--from", "2026-13-01"])
    assert refused.exit_code != 0 and "YYYY-MM-DD" in refused.output


@pytest.mark.parametrize(
    ("unit", "now", "before", "shown", "change"),
    [
        ("%", 0.625, 0.5, "62.5%", "+12.5 pt"),
        ("ms", 840.4, 1000.0, "840 ms", "-160 ms"),
        ("score", 4.25, 4.0, "4.25", "+0.25"),
        ("n", 1234, 1000, "1,234", "+234"),
        ("n", None, 1000, "-", ""),
    ],
)
def test_kpis_read_as_a_person_reads_them(
    unit: str, now: float | None, before: float | None, shown: str, change: str
) -> None:
    assert (format_value(unit, now), format_change(unit, now, before)) == (shown, change)


@pytest.mark.parametrize(
    ("unit", "now", "before", "shown", "change"),
    [
        ("%", 0.25, 0.1, "25,0%", "+15,0 procentpunt"),
        ("ms", 5572.0, 1000.0, "5.572 ms", "+4.572 ms"),
        ("score", 4.25, 4.0, "4,25", "+0,25"),
        ("n", 1234, 1000, "1.234", "+234"),
    ],
)
def test_dutch_figures_are_written_with_dutch_separators(
    unit: str, now: float, before: float, shown: str, change: str
) -> None:
    """A Dutch reader reads "5,572 ms" as five and a half, and "5.572" as five thousand."""
    assert (format_value(unit, now, "nl"), format_change(unit, now, before, "nl")) == (shown, change)


def test_the_table_writes_numbers_in_the_teams_language_and_a_yes_no_satisfaction_in_percent() -> None:
    """The Dutch table said "5,572 ms", "25.0%" and "tevredenheid 0.25" (the share of yes); the CSV
    keeps its machine-readable figures."""
    counts = {"conversations": 1234, "outcome:contained": 308, "turns": 1, "latency:90": 1}
    counts |= {"satisfaction:1": 1, "satisfaction:0": 3}
    report = Report(
        filters=Filters(start=DAY, end=DAY),
        current=Kpis.from_totals(counts),
        previous=Kpis.from_totals({}),
        satisfaction="yes_no",
    )
    dutch, english = report.to_table(texts("nl")), report.to_table(texts("en"))
    assert re.search(r"^gesprekken +1\.234 +0 +\+1\.234$", dutch, re.MULTILINE), dutch
    assert re.search(r"^zelf afgehandeld +25,0% +- *$", dutch, re.MULTILINE), dutch
    assert re.search(r"^reactietijd p50 +5\.[0-9]{3} ms ", dutch, re.MULTILINE), dutch
    assert re.search(r"^tevredenheid +25,0% ", dutch, re.MULTILINE), dutch
    assert re.search(r"^satisfaction +25\.0% ", english, re.MULTILINE), english
    assert re.search(r"^latency p50 +5,[0-9]{3} ms ", english, re.MULTILINE), english
    csv = report.to_csv().splitlines()
    assert "satisfaction,score,0.25,," in csv and "conversations,n,1234,0,1234" in csv


def test_the_table_and_csv_show_a_flows_abandoned_count_as_the_json_does() -> None:
    counts = {"flow:Book:started": 8, "flow:Book:completed": 3, "flow:Book:abandoned": 4}
    report = Report(
        filters=Filters(start=DAY, end=DAY),
        current=Kpis.from_totals(counts),
        previous=Kpis.from_totals({"flow:Book:started": 2, "flow:Book:abandoned": 1}),
    )
    assert report.to_dict()["current"]["flows"][0]["abandoned"] == 4
    assert re.search(r"^flow abandoned: Book +4 +1 +\+3$", report.to_table(), re.MULTILINE)
    assert "flow abandoned: Book,n,4,1,3" in report.to_csv().splitlines()
    assert "flow completion: Book,%,37.5,0,37.5" in report.to_csv().splitlines()


def test_a_failed_flow_is_its_own_figure_in_the_table_csv_and_json() -> None:
    """A flow whose handler reported a failure reached its end: no drop-off, and counted failed."""
    counts = {
        "flow:Book:started": 2,
        "flow:Book:step:topic": 2,
        "flow:Book:completed": 1,
        "flow:Book:failed": 1,
    }
    report = Report(
        filters=Filters(start=DAY, end=DAY), current=Kpis.from_totals(counts), previous=Kpis.from_totals({})
    )
    assert report.current.flows[0].drop_off == "" and report.to_dict()["current"]["flows"][0]["failed"] == 1
    assert re.search(r"^flow failed: Book +1 +0 +\+1$", report.to_table(), re.MULTILINE)
    assert re.search(r"^flow mislukt: Book +1 +0 +\+1$", report.to_table(texts("nl")), re.MULTILINE)
    assert "flow failed: Book,n,1,0,1" in report.to_csv().splitlines()


def test_a_flow_handed_over_by_its_handler_is_its_own_figure_in_the_table_csv_and_json() -> None:
    """A handler's handoff (signal ``skill:<intent>``) reached the flow's end: no drop-off."""
    counts = {"flow:Book:started": 2, "flow:Book:step:topic": 2, "flow:Book:completed": 1}
    report = Report(
        filters=Filters(start=DAY, end=DAY),
        current=Kpis.from_totals({**counts, "flow:Book:handed_over": 1}),
        previous=Kpis.from_totals({}),
    )
    (funnel,) = report.current.flows
    assert funnel.drop_off == "" and report.to_dict()["current"]["flows"][0]["handed_over"] == 1
    assert re.search(r"^flow handed over: Book +1 +0 +\+1$", report.to_table(), re.MULTILINE)
    assert re.search(r"^flow doorverbonden: Book +1 +0 +\+1$", report.to_table(texts("nl")), re.MULTILINE)
    assert "flow handed over: Book,n,1,0,1" in report.to_csv().splitlines()


def _report(seeded: Store, tmp_path: Path, *args: str) -> Result:
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite://{seeded.path}"\n')  # type: ignore[attr-defined]
    return CliRunner().invoke(cli, ["report", "--config", str(config), *args])


def test_the_locale_filter_takes_any_case_as_the_config_does(seeded: Store, tmp_path: Path) -> None:
    """``--locale EN`` gave all-zero KPIs: the stored locales are en, en-US ..., never EN."""
    day = ["--from", DAY.isoformat(), "--to", DAY.isoformat(), "--format", "json"]
    found = {
        written: json.loads(_report(seeded, tmp_path, *day, "--locale", written).output)["current"]
        for written in ("en", "EN", "En-gb")
    }
    assert found["en"]["conversations"] == 1 and found["EN"] == found["en"] == found["En-gb"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--channel", "fax"], "'fax' is not one of 'alexa', 'dialogflow', 'chat', 'local'"),
        (["--skill", "customer-service"], "no skill 'customer-service' in the config; choose one of"),
        (["--locale", "zz"], "the assistant does not speak 'zz'; choose one of en, nl."),
        (["--from", "0001-01-01", "--to", "0001-01-01"], "leaves no room before it for the period"),
        (["--days", "800000"], "800000 days up to "),
        (["--days", "9999999999"], "9999999999 days up to "),
    ],
    ids=["channel", "skill", "locale", "year-1", "days", "days-past-timedelta"],
)
def test_a_filter_that_can_match_nothing_is_one_sentence(
    seeded: Store, tmp_path: Path, args: list[str], words: str
) -> None:
    """An unknown channel or skill gave all-zero KPIs; a period at the calendar's start a traceback."""
    result = _report(seeded, tmp_path, *args)
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith(("error: ", "Error: "))]
    assert len(errors) == 1 and words in errors[0], result.output


def test_the_locale_filter_offers_only_the_languages_the_config_serves(seeded: Store, tmp_path: Path) -> None:
    """A Dutch-only config (locales = ["nl"]) was offered en for --locale, which it never answers in."""
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite://{seeded.path}"\nlocales = ["nl"]\n')  # type: ignore[attr-defined]
    result = CliRunner().invoke(cli, ["report", "--config", str(config), "--locale", "en"])
    assert result.exit_code != 0
    # A Dutch-only config is a Dutch team: its words (it was no line at all: the key was looked up in
    # commands.yaml, not insights.yaml, and that error had no words either)
    assert result.output.strip() == "fout: de assistent spreekt geen 'en'; kies uit nl."


def test_the_dashboard_refuses_a_period_with_no_room_before_it() -> None:
    with pytest.raises(ReportError, match="leaves no room before it"):
        Filters.from_query({"from": "0001-01-01", "to": "0001-01-05"})
