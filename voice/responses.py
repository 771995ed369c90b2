"""Response templates: what a skill says, per language, written in Jinja2.

``locales/<lang>/responses.yaml`` maps a key (usually the intent name) to a template or
a list of variants::

    responses:
      OpeningHours: "We are open {{ hours }}."
      Goodbye: ["Goodbye!", "Bye, have a nice day!"]

A template that starts with ``<speak>`` is SSML: the values put into it are escaped.
``{{ booking_id | spell }}`` says a value character by character and shows it as written (SSML
``<sub>``); a plain template that uses it is SSML too. Templates are compiled once, at load.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2 import meta, nodes
from markupsafe import Markup

from .errors import SkillError, yaml_problem
from .ssml import looks_like_ssml, spelled_out
from .strict_yaml import load_yaml

_PLAIN = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
_SSML = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True, keep_trailing_newline=False)
SPELL = "spell"
"""The filter that spells a value out in speech and shows it as written: a booking number "B42"."""


def _spell(value: object) -> Markup:
    return Markup(spelled_out(str(value)))


_SSML.filters[SPELL] = _spell


@dataclass(frozen=True, slots=True)
class Responses:
    """The compiled response templates of one skill in one language."""

    source: str
    templates: Mapping[str, tuple[jinja2.Template, ...]]
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The templates as written: ``voice check`` reads the names they use."""

    @classmethod
    def from_file(cls, path: Path, *, section: str = "responses") -> Responses:
        """The templates of one section: ``responses``, or ``builtin`` (a skill's versions of the
        framework's replies)."""
        try:
            data = load_yaml(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise SkillError(f"{path} cannot be read ({exc.strerror}); check the file.") from exc
        except yaml.YAMLError as exc:
            raise SkillError(f"{path} is not valid YAML at {yaml_problem(exc)}; fix the file.") from exc
        raw = data.get(section) or {}
        if not isinstance(raw, dict):
            raise SkillError(f"{path}: '{section}:' must map keys to texts; fix the file.")
        return cls.from_dict(raw, source=f"{path}" if section == "responses" else f"{path} ({section})")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, source: str = "<dict>") -> Responses:
        compiled: dict[str, tuple[jinja2.Template, ...]] = {}
        texts: dict[str, tuple[str, ...]] = {}
        for key, value in raw.items():
            variants = [value] if isinstance(value, str) else value
            if (
                not isinstance(variants, list)
                or not variants
                or not all(isinstance(v, str) for v in variants)
            ):
                raise SkillError(f"{source}: response {key!r} must be a text or a list of texts.")
            compiled[str(key)] = tuple(_compile(text, source, str(key)) for text in variants)
            texts[str(key)] = tuple(variants)
        return cls(source, compiled, texts)

    def __contains__(self, key: str) -> bool:
        return key in self.templates

    def render(self, key: str, values: Mapping[str, Any], *, seed: str = "") -> str:
        """Render response ``key``; with several variants, ``seed`` picks one repeatably."""
        variants = self.templates.get(key)
        if variants is None:
            raise SkillError(f"{self.source} has no response {key!r}; add it to the responses file.")
        template = variants[0] if len(variants) == 1 else random.Random(f"{seed}:{key}").choice(variants)
        try:
            return " ".join(template.render(values).split())
        except jinja2.UndefinedError as exc:
            raise SkillError(
                f"{self.source}: response {key!r} needs a value that is missing ({exc.message})."
            ) from exc


def read_names(text: str) -> frozenset[str]:
    """Every value a (compilable) template reads, guarded or not (``{% if back %}`` reads ``back``)."""
    return frozenset(meta.find_undeclared_variables(_SSML.parse(text)) - set(_SSML.globals))


def required_names(text: str) -> frozenset[str]:
    """The values a (compilable) template needs from whoever renders it: every name it reads, but not
    those it sets itself, Jinja's own (``range``), or those it guards (``{% if x is defined %}``, the
    whole ``if``; ``x | default(...)``): a missing one fails the turn."""
    tree = _SSML.parse(text)  # the environment that knows every filter (``spell``)
    guards = [*tree.find_all((nodes.If, nodes.CondExpr)), *tree.find_all(nodes.Test)]
    guarded = {name for node in guards if _tests_defined(node) for name in _names_in(node)}
    for used in tree.find_all(nodes.Filter):
        if used.name in {"default", "d"} and isinstance(used.node, nodes.Name):
            guarded.add(used.node.name)
    return frozenset(meta.find_undeclared_variables(tree) - guarded - set(_SSML.globals))


def _tests_defined(node: nodes.Node) -> bool:
    condition = node.test if isinstance(node, nodes.If | nodes.CondExpr) else node
    tests = [condition, *condition.find_all(nodes.Test)] if condition is not None else []
    return any(isinstance(test, nodes.Test) and test.name in {"defined", "undefined"} for test in tests)


def _names_in(node: nodes.Node) -> set[str]:
    return {name.name for name in node.find_all(nodes.Name)}


def _compile(text: str, source: str, key: str) -> jinja2.Template:
    try:
        if looks_like_ssml(text):
            return _SSML.from_string(text)
        if _spells(text):
            return _SSML.from_string(f"<speak>{_literal_ssml(text, source, key)}</speak>")
        return _PLAIN.from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        raise SkillError(
            f"{source}: response {key!r} has a template error on line {exc.lineno}: {exc.message}."
        ) from exc


def _spells(text: str) -> bool:
    """Whether a template spells a value out (``| spell``): its speech then needs SSML."""
    if SPELL not in text:  # most templates: not parsed a second time to find out
        return False
    return any(used.name == SPELL for used in _PLAIN.parse(text).find_all(nodes.Filter))


def _literal_ssml(text: str, source: str, key: str) -> str:
    """A plain template's text, which becomes SSML: refused when its own words hold what SSML reads as
    markup (the values are escaped, the words are not)."""
    words = "".join(value for _, kind, value in _PLAIN.lex(text) if kind == "data")
    if "&" in words or "<" in words:
        raise SkillError(
            f"{source}: response {key!r} spells a value out, which makes it SSML, so write its "
            "'&' as '&amp;' and its '<' as '&lt;'."
        )
    return text
