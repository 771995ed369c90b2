"""The shipped skill's sample company and orders: a team that adopts the skill is told, by `voice check`
and at the start, which of them callers still hear; the sample orders are never expected in the past."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from skills.customer_service.content import JsonOrders, sample_details
from voice import Dialog, Router, Turn, load_skill, spoken_date
from voice.cli import cli
from voice.errors import SkillError
from voice.server import create_app
from voice.skill_check import check_skills
from voice.store import open_store

SHIPPED = Path(__file__).resolve().parents[2] / "skills" / "customer_service"
COMPANY = "data/company.yaml still has the sample company's details (Voorbeeld BV, 020 123 4567, "
ORDERS = "data/orders.json holds the sample orders, which callers hear as theirs; set orders_url"
OWN_COMPANY = """\
name: Bakkerij Jansen
phone: "073 612 3456"
email: info@bakkerijjansen.nl
chat: www.bakkerijjansen.nl/chat
hours: {monday: "08:00-18:00", saturday: "08:00-16:00"}
"""


def _config(tmp_path: Path, table: str = "") -> Path:
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "sqlite://:memory:"\n{table}')
    return config


def _check(config: Path) -> str:
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.stderr


def test_voice_check_names_the_sample_company_and_the_sample_orders(tmp_path: Path) -> None:
    warned = _check(_config(tmp_path))
    assert f"warning: skill 'customer_service': {COMPANY}" in warned
    assert "put your company's name, phone, email, chat address and opening hours there." in warned
    assert f"warning: skill 'customer_service': {ORDERS}" in warned


def test_with_an_order_system_the_sample_orders_are_not_named(tmp_path: Path) -> None:
    warned = _check(_config(tmp_path, '[skill.customer_service]\norders_url = "http://127.0.0.1:9"\n'))
    assert COMPANY in warned and "data/orders.json" not in warned


def test_the_start_warns_of_the_sample_data_and_still_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="voice.server")
    client = create_app({"ALEXA_VERIFY": False, "VOICE_CONFIG": str(_config(tmp_path))}).test_client()
    assert client.get("/healthz").status_code == 200
    assert COMPANY in caplog.text and ORDERS in caplog.text


def test_a_dutch_team_is_warned_of_the_sample_data_in_dutch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A config that serves Dutch got the warnings in English from voice check and the start; they are
    in the team's language as voice review chooses it, and so is their mark."""
    config = _config(tmp_path, 'locales = ["nl-NL"]\n')
    warned = _check(config)
    assert (
        "waarschuwing: skill 'customer_service': data/company.yaml heeft nog de gegevens van het "
        "voorbeeldbedrijf "
        "(Voorbeeld BV, 020 123 4567, " in warned
    )
    assert "waarschuwing: skill 'customer_service': data/orders.json bevat de voorbeeldbestellingen" in warned
    assert COMPANY not in warned and ORDERS not in warned
    caplog.set_level(logging.WARNING, logger="voice.server")
    create_app({"ALEXA_VERIFY": False, "VOICE_CONFIG": str(config)})
    assert "data/orders.json bevat de voorbeeldbestellingen" in caplog.text


def _adopted(tmp_path: Path, orders: dict[str, object]) -> Path:
    """A project whose skills/ folder has a copy of the skill with the company's own details and
    ``orders`` (no ``_example``); its config file."""
    folder = tmp_path / "skills" / "customer_service"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    (folder / "data" / "company.yaml").write_text(OWN_COMPANY, encoding="utf-8")
    (folder / "data" / "orders.json").write_text(json.dumps(orders), encoding="utf-8")
    config = tmp_path / "voice.toml"
    config.write_text('store = "sqlite://:memory:"\n')  # the project's skills/ folder: the copy
    return config


def test_a_knowledge_import_warns_of_the_sample_data_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team importing its FAQ into the skill was not told of the sample company it still answers with."""
    monkeypatch.setenv("VOICE_KNOWLEDGE_DIR", str(tmp_path / "index"))
    folder = tmp_path / "skills" / "customer_service"  # a copy, without its FAQ: a small index to build
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("tests", "__pycache__", "knowledge"))
    faq = tmp_path / "faq.csv"
    faq.write_text("question,answer\nDo you sell gift cards?,Yes: in every shop.\n", encoding="utf-8")
    command = ["knowledge", "import", str(faq), "-l", "en", "--config", str(_config(tmp_path))]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    for warning in (COMPANY, ORDERS):
        assert result.stderr.count(f"warning: skill 'customer_service': {warning}") == 1, result.stderr


def test_a_team_that_replaced_the_sample_data_is_not_warned(tmp_path: Path) -> None:
    """A copy of the skill with the company's own details and orders (an ISO date, no ``_example``)."""
    warned = _check(_adopted(tmp_path, {"20417": {"status": "shipped", "eta": "2026-12-02"}}))
    assert "sample" not in warned and "warning: skill" not in warned


def test_an_order_a_lookup_could_not_tell_stops_voice_check_and_the_start(tmp_path: Path) -> None:
    """A status in the team's words would have failed the turn of the caller who asked for that order."""
    config = _adopted(tmp_path, {"20417": {"status": "verzonden", "eta": "2026-12-02"}})
    told = (
        "skill 'customer_service': data/orders.json: order '20417' has the status \"verzonden\"; give it "
        "one of shipped, processing, delivered."
    )
    checked = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert checked.exit_code == 1 and f"PROBLEM: {told}\n" in checked.output, checked.output
    with pytest.raises(SkillError) as refused:
        create_app({"ALEXA_VERIFY": False, "VOICE_CONFIG": str(config)})
    assert refused.value.message == told


def test_an_orders_file_names_each_order_a_lookup_could_not_tell(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    orders = {
        "1": {"eta": "2026-12-02"},
        "2": {"status": "lost", "days_from_today": 2},
        "3": {"status": "shipped", "days_from_today": "drie"},
        "4": {"status": "shipped", "days_from_today": 2.5},
        "5": {"status": "delivered", "eta": "last week"},
        "6": {"status": "delivered"},
        "7": "shipped",
        "8": {"status": "processing", "days_from_today": 0},
        "9": {"status": "shipped", "days_from_today": 10**9},
    }
    path.write_text(json.dumps(orders), encoding="utf-8")
    days = "give a whole number of days up to 3650 (3: in three days, -3: three days ago)"
    eta = "give a date like 2026-11-26 (or days_from_today, a number of days)"
    assert JsonOrders(path).problems() == [
        "order '1' has no status; give it one of shipped, processing, delivered",
        "order '2' has the status \"lost\"; give it one of shipped, processing, delivered",
        f"order '3' has days_from_today \"drie\"; {days}",
        f"order '4' has days_from_today 2.5; {days}",
        f"order '5' has the eta \"last week\"; {eta}",
        f"order '6' has no eta; {eta}",
        'order \'7\' is "shipped", not an order; write it like {"status": "shipped", "eta": "2026-11-26"}',
        f"order '9' has days_from_today 1000000000; {days}",
    ]
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="it holds no orders like"):
        JsonOrders(path)


def test_a_good_orders_file_passes_the_checks_and_answers_a_turn(tmp_path: Path) -> None:
    _adopted(
        tmp_path,
        {
            "20417": {"status": "shipped", "eta": "2026-12-02"},
            "2": {"status": "delivered", "days_from_today": -1},
        },
    )
    router = Router([load_skill(tmp_path / "skills" / "customer_service")])
    check_skills(router)
    dialog = Dialog(router, open_store("sqlite://:memory:"))
    monday = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    answer = dialog.respond(Turn(text="waar is bestelling 20417", locale="nl", time=monday))
    assert "verzonden" in answer.text and "woensdag 2 december" in answer.text, answer.text
    answer = dialog.respond(Turn(text="where is order 2", locale="en", time=monday))
    assert "delivered" in answer.text and "Sunday 22 November" in answer.text, answer.text


def test_a_sample_detail_left_among_the_companys_own_is_named() -> None:
    company = {"name": "Bakkerij Jansen", "phone": "020 123 4567", "email": "info@example.com", "x": 3}
    assert sample_details(company) == ["020 123 4567", "info@example.com"]
    assert sample_details({"name": "Bakkerij Jansen", "email": "info@myexample.com"}) == []


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


@pytest.mark.parametrize("today", [dt.date(2027, 3, 1), dt.date.today()], ids=["2027-03-01", "today"])
@pytest.mark.parametrize(
    ("locale", "text", "reply"),
    [
        ("nl", "waar is bestelling 5678", "Bestelling 5 6 7 8 wordt klaargemaakt. We verwachten hem op {} "),
        ("en", "where is order 1234", "Order 1 2 3 4 has been shipped and should arrive on {}."),
    ],
)
def test_the_sample_orders_are_expected_after_the_callers_today(
    router: Router, today: dt.date, locale: str, text: str, reply: str
) -> None:
    days = 5 if "5678" in text else 3
    time = dt.datetime.combine(today, dt.time(10, 0), tzinfo=dt.UTC)
    answer = Dialog(router, open_store("sqlite://:memory:")).respond(
        Turn(text=text, locale=locale, time=time)
    )
    assert reply.format(spoken_date(today + dt.timedelta(days=days), locale)) in answer.text


def test_an_orders_file_gives_dates_as_written_or_relative_to_today(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    orders = {
        "_note": "not an order",
        "1": {"status": "shipped", "eta": "2026-12-02"},
        "2": {"status": "delivered", "days_from_today": -2},
    }
    path.write_text(json.dumps(orders), encoding="utf-8")
    file, today = JsonOrders(path), dt.date(2027, 3, 1)
    assert not file.example and file.find("_note", today=today) is None
    assert file.find("1", today=today).eta == dt.date(2026, 12, 2)  # type: ignore[union-attr]
    assert file.find("2", today=today).eta == dt.date(2027, 2, 27)  # type: ignore[union-attr]
    assert JsonOrders().example  # the shipped file is marked as the sample
