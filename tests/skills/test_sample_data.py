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
from voice.server import create_app
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


def test_a_team_that_replaced_the_sample_data_is_not_warned(tmp_path: Path) -> None:
    """A copy of the skill with the company's own details and orders (an ISO date, no ``_example``)."""
    folder = tmp_path / "skills" / "customer_service"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    (folder / "data" / "company.yaml").write_text(OWN_COMPANY, encoding="utf-8")
    orders = {"20417": {"status": "shipped", "eta": "2026-12-02"}}
    (folder / "data" / "orders.json").write_text(json.dumps(orders), encoding="utf-8")
    config = tmp_path / "voice.toml"
    config.write_text('store = "sqlite://:memory:"\n')  # the project's skills/ folder: the copy
    warned = _check(config)
    assert "sample" not in warned and "warning: skill" not in warned


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
