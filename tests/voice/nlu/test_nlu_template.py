"""Template parsing: the hassil syntax into a typed tree, and errors with positions."""

from __future__ import annotations

import pytest

from voice.nlu import TemplateError
from voice.nlu.template import Alt, ListRef, Perm, RuleRef, Seq, Text, parse_template


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("zet aan", Text("zet aan")),
        ("lamp[en]", Seq((Text("lamp"), Alt((Text("en"), Text("")), optional=True)))),
        ("(aan|uit)", Alt((Text("aan"), Text("uit")))),
        ("(a;b)", Perm((Text("a"), Text("b")))),
        ("<to>", RuleRef("to", 0)),
        ("{area}", ListRef("area", "area", position=0)),
        ("{brightness:level}", ListRef("brightness", "level", position=0)),
        ("{name:@who}", ListRef("name", "who", capture=True, position=0)),
        ("a\\(b", Text("a(b")),
        ("zet  de\tlamp", Text("zet de lamp")),
    ],
    ids=[
        "text",
        "optional",
        "alternative",
        "permutation",
        "rule",
        "list",
        "slot-name",
        "capture",
        "escape",
        "whitespace",
    ],
)
def test_parse(source: str, expected: object) -> None:
    assert parse_template(source).expr == expected


def test_inline_range() -> None:
    ref = parse_template("{1..10,2:step}").expr
    assert isinstance(ref, ListRef) and ref.inline_range == (1, 10, 2) and ref.slot_name == "step"


def test_permutation_orders_are_padded_with_spaces() -> None:
    perm = parse_template("(a;b)").expr
    assert isinstance(perm, Perm)
    assert [order.items[0].items[1] for order in perm.orders()] == [Text("a"), Text("b")]


@pytest.mark.parametrize(
    ("source", "message", "position"),
    [
        ("open (de deur", r"unbalanced '\('", 5),
        ("open [de deur", r"unbalanced '\['", 5),
        ("open de] deur", r"unexpected '\]'", 7),
        ("zet {area", r"unbalanced '\{'", 4),
        ("zet <to", r"unbalanced '<'", 4),
        ("zet {} aan", r"bad reference", 4),
    ],
    ids=["group", "optional", "stray-closer", "list", "rule", "empty-list"],
)
def test_broken_templates(source: str, message: str, position: int) -> None:
    with pytest.raises(TemplateError, match=message) as caught:
        parse_template(source)
    assert caught.value.position == position
