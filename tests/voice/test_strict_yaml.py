"""The YAML loader of skills and content: a repeated key is refused, everything else reads as PyYAML's."""

from __future__ import annotations

import pytest
import yaml

from voice.strict_yaml import UniqueKeyLoader

SAME_AS_PYYAML = [
    # a merge rewrites an anchored mapping in place; its merged keys repeat on purpose
    "base: &base {question: q, answer: a}\ngroup: {shipping: &s {<<: *base, answer: X}}\nother: {<<: *s}\n",
    "a: {<<: {x: 1}, <<: {y: 2}}\n",
    "m: {1: a, '1': b}\n",  # a number and a text
    "x: !!set {a, b}\ny: !!omap [{a: 1}, {b: 2}]\n",
]


@pytest.mark.parametrize("text", SAME_AS_PYYAML)
def test_what_pyyaml_reads_without_a_repeated_key_reads_the_same(text: str) -> None:
    assert yaml.load(text, Loader=UniqueKeyLoader) == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: 1\na: 2\n", "line 2, column 1"), ("- {answer: x, answer: y}\n", "line 1, column 15")],
)
def test_a_repeated_key_is_refused_where_it_is_written(text: str, where: str) -> None:
    with pytest.raises(yaml.YAMLError, match="is given twice; keep one") as raised:
        yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506
    assert where in str(raised.value)
