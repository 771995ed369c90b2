"""Intent files in the hassil / home-assistant-intents YAML format.

An ``IntentSet`` is one skill's templates for one language: intents with data
blocks, lists, expansion rules and skip words. Everything is parsed and checked
here, at load, so a broken template is reported with its file, intent, sentence
and position before anything runs. Keys this format does not know (a dialog
layer's ``slots:`` with prompts, say) are kept as ``extra`` rather than rejected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..errors import yaml_problem
from .errors import TemplateError
from .slot_types import find_slot_type
from .slots import SlotList, SlotSpec, SlotTypeList, parse_slot_list, slot_kind
from .template import ListRef, RuleRef, Template, check_rule_cycle, parse_template, walk

__all__ = ["HOME_ASSISTANT_RUNTIME_LISTS", "Intent", "IntentData", "IntentSet", "load_skills"]

_LOGGER = logging.getLogger(__name__)

HOME_ASSISTANT_RUNTIME_LISTS = ("area", "floor", "name")
"""Lists Home Assistant fills from the device registry; ``Matcher.set_list`` fills them here."""

_DATA_KEYS = frozenset(
    {
        "sentences",
        "slots",
        "requires_context",
        "excludes_context",
        "metadata",
        "response",
        "expansion_rules",
        "lists",
    }
)


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True, kw_only=True)
class IntentData:
    """One data block of an intent: templates plus what a match of them implies."""

    templates: tuple[Template, ...]
    slots: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    """Fixed slot values added to every match of this block."""

    requires_context: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    excludes_context: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    metadata: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    response: str | None = None
    lists: Mapping[str, SlotList] = field(default_factory=lambda: _frozen(None))
    rules: Mapping[str, Template] = field(default_factory=lambda: _frozen(None))
    extra: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """A named intent and its data blocks; ``extra`` keeps keys for the dialog layer."""

    name: str
    data: tuple[IntentData, ...]
    extra: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))

    def slot_specs(self, intent_set: IntentSet) -> tuple[SlotSpec, ...]:
        """Every slot the intent can fill, with its list and kind, in template order."""
        specs: dict[str, SlotSpec] = {}
        for block, ref in self.list_refs(intent_set):
            if ref.capture or ref.slot_name in specs:
                continue
            found = block.lists.get(ref.list_name) or intent_set.lists.get(ref.list_name)
            if found is None and find_slot_type(ref.list_name) is not None:
                found = SlotTypeList(ref.list_name)
            kind = "range" if found is None and ref.inline_range else slot_kind(found)
            specs[ref.slot_name] = SlotSpec(ref.slot_name, ref.list_name, kind)
        for block in self.data:
            for name in block.slots:
                specs.setdefault(name, SlotSpec(name, "", "fixed"))
        return tuple(specs.values())

    def list_refs(self, intent_set: IntentSet) -> tuple[tuple[IntentData, ListRef], ...]:
        """Every list reference of the intent, rules followed, in template order."""
        found: list[tuple[IntentData, ListRef]] = []
        for block in self.data:
            rules = {**intent_set.rules, **block.rules}
            for template in block.templates:
                found.extend((block, ref) for ref in _list_refs(template, rules, set()))
        return tuple(found)


def _list_refs(template: Template, rules: Mapping[str, Template], seen: set[str]) -> list[ListRef]:
    refs: list[ListRef] = []
    for expr in walk(template.expr):
        if isinstance(expr, ListRef):
            refs.append(expr)
        elif isinstance(expr, RuleRef) and expr.name in rules and expr.name not in seen:
            refs.extend(_list_refs(rules[expr.name], rules, seen | {expr.name}))
    return refs


@dataclass(frozen=True, slots=True, kw_only=True)
class IntentSet:
    """One skill's intents, lists, rules and skip words for one language."""

    language: str
    skill: str = ""
    intents: Mapping[str, Intent] = field(default_factory=lambda: _frozen(None))
    lists: Mapping[str, SlotList] = field(default_factory=lambda: _frozen(None))
    rules: Mapping[str, Template] = field(default_factory=lambda: _frozen(None))
    skip_words: tuple[str, ...] = ()
    source: str = "<dict>"

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        skill: str = "",
        source: str = "<dict>",
        language: str | None = None,
        runtime_lists: Iterable[str] = (),
    ) -> IntentSet:
        """Parse a hassil-format dict; ``runtime_lists`` name lists that ``set_list`` fills later."""
        try:
            return _Loader(data, skill, source, language, frozenset(runtime_lists)).load()
        except TemplateError as error:
            raise error.located(file=source) from None

    @classmethod
    def from_files(
        cls,
        paths: Iterable[str | Path],
        *,
        skill: str = "",
        language: str | None = None,
        runtime_lists: Iterable[str] = (),
    ) -> IntentSet:
        """Load and merge YAML files (lists, rules and intents combine across files)."""
        files = [Path(path) for path in paths]
        merged: dict[str, Any] = {}
        for file in files:
            _merge(merged, _read_yaml(file))
        source = str(files[0]) if len(files) == 1 else ", ".join(str(file) for file in files)
        return cls.from_dict(
            merged, skill=skill, source=source, language=language, runtime_lists=runtime_lists
        )

    @classmethod
    def from_file(cls, path: str | Path, *, skill: str = "", runtime_lists: Iterable[str] = ()) -> IntentSet:
        """Load one YAML file."""
        return cls.from_files([path], skill=skill, runtime_lists=runtime_lists)

    @classmethod
    def from_skill_dir(
        cls, skill_dir: str | Path, language: str, *, runtime_lists: Iterable[str] = ()
    ) -> IntentSet:
        """Load ``<skill_dir>/locales/<language>/intents.yaml`` (skill name = folder name)."""
        skill_dir = Path(skill_dir)
        path = skill_dir / "locales" / language / "intents.yaml"
        if not path.is_file():
            raise TemplateError(f"skill {skill_dir.name!r} has no {language} templates", file=str(path))
        return cls.from_files([path], skill=skill_dir.name, language=language, runtime_lists=runtime_lists)

    @classmethod
    def from_home_assistant(cls, language: str, *, skill: str = "homeassistant") -> IntentSet:
        """Load the ``home-assistant-intents`` package's templates for ``language``."""
        from home_assistant_intents import get_intents

        data = get_intents(language)
        if data is None:
            raise TemplateError(f"home-assistant-intents has no templates for {language!r}")
        return cls.from_dict(
            data,
            skill=skill,
            source=f"home-assistant-intents/{language}",
            language=language,
            runtime_lists=HOME_ASSISTANT_RUNTIME_LISTS,
        )


def load_skills(
    skill_dirs: Iterable[str | Path], language: str, *, collect_errors: bool = False
) -> tuple[tuple[IntentSet, ...], tuple[TemplateError, ...]]:
    """Load every skill folder that has ``language`` templates.

    With ``collect_errors`` a broken skill is logged and skipped and its error returned;
    without it the first error is raised.
    """
    loaded: list[IntentSet] = []
    errors: list[TemplateError] = []
    for skill_dir in skill_dirs:
        if not (Path(skill_dir) / "locales" / language / "intents.yaml").is_file():
            continue
        try:
            loaded.append(IntentSet.from_skill_dir(skill_dir, language))
        except TemplateError as error:
            if not collect_errors:
                raise
            _LOGGER.error("Skipping skill %s: %s", Path(skill_dir).name, error)
            errors.append(error)
    return tuple(loaded), tuple(errors)


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except OSError as exc:
        raise TemplateError(f"cannot read intents file: {exc.strerror}", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise TemplateError(f"invalid YAML at {yaml_problem(exc)}", file=str(path)) from exc
    if not isinstance(data, Mapping):
        raise TemplateError("an intents file must be a mapping with 'language' and 'intents'", file=str(path))
    return data


def _merge(base: dict[str, Any], new: Mapping[str, Any]) -> None:
    """Merge like hassil: dicts combine, lists extend, scalars overwrite."""
    for key, value in new.items():
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            _merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            old.extend(value)
        else:
            base[key] = dict(value) if isinstance(value, Mapping) else value


class _Loader:
    """Turns one hassil-format dict into an IntentSet, checking every reference."""

    def __init__(
        self,
        data: Mapping[str, Any],
        skill: str,
        source: str,
        language: str | None,
        runtime_lists: frozenset[str],
    ) -> None:
        if not isinstance(data, Mapping):
            raise TemplateError("intents data must be a mapping with 'language' and 'intents'")
        self.data = data
        self.skill = skill
        self.source = source
        self.language = str(data.get("language") or language or "")
        self.runtime_lists = runtime_lists
        self.lists = self._lists(data.get("lists"), "")
        self.rules = self._rules(data.get("expansion_rules"), "")

    def load(self) -> IntentSet:
        if not self.language:
            raise TemplateError("intents data has no 'language'")
        intents = {
            name: self._intent(str(name), body) for name, body in (self.data.get("intents") or {}).items()
        }
        self._check_rules(self.rules, self.lists, "")
        return IntentSet(
            language=self.language,
            skill=self.skill,
            intents=_frozen(intents),
            lists=_frozen(self.lists),
            rules=_frozen(self.rules),
            skip_words=tuple(str(word) for word in self.data.get("skip_words") or ()),
            source=self.source,
        )

    def _lists(self, raw: Any, intent: str) -> dict[str, SlotList]:
        lists: dict[str, SlotList] = {}
        for name, body in (raw or {}).items():
            try:
                lists[str(name)] = parse_slot_list(str(name), body)
            except TemplateError as error:
                raise error.located(intent=intent) from None
        return lists

    def _rules(self, raw: Any, intent: str) -> dict[str, Template]:
        rules: dict[str, Template] = {}
        for name, body in (raw or {}).items():
            try:
                rules[str(name)] = parse_template(str(body))
            except TemplateError as error:
                raise TemplateError(
                    f"expansion rule <{name}>: {error.problem}",
                    intent=intent,
                    position=error.position,
                    token=error.token,
                ) from None
        return rules

    def _intent(self, name: str, body: Any) -> Intent:
        if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
            raise TemplateError("an intent needs a 'data' list of sentence blocks", intent=name)
        blocks: list[IntentData] = []
        first = 1
        for raw in body["data"]:
            block = self._block(name, raw, first)
            blocks.append(block)
            first += len(block.templates)
        extra = {key: value for key, value in body.items() if key != "data"}
        return Intent(name=name, data=tuple(blocks), extra=_frozen(extra))

    def _block(self, intent: str, raw: Any, first: int) -> IntentData:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("sentences"), list):
            raise TemplateError("a data block needs a 'sentences' list", intent=intent, sentence=first)
        local_lists = self._lists(raw.get("lists"), intent)
        local_rules = self._rules(raw.get("expansion_rules"), intent)
        lists, rules = {**self.lists, **local_lists}, {**self.rules, **local_rules}
        templates = tuple(
            self._sentence(intent, str(text), first + index, lists, rules)
            for index, text in enumerate(raw["sentences"])
        )
        if local_lists or local_rules:
            self._check_rules(rules, lists, intent)
        return IntentData(
            templates=templates,
            slots=_frozen(raw.get("slots")),
            requires_context=_frozen(raw.get("requires_context")),
            excludes_context=_frozen(raw.get("excludes_context")),
            metadata=_frozen(raw.get("metadata")),
            response=raw.get("response"),
            lists=_frozen(local_lists),
            rules=_frozen(local_rules),
            extra=_frozen({key: value for key, value in raw.items() if key not in _DATA_KEYS}),
        )

    def _sentence(
        self,
        intent: str,
        text: str,
        number: int,
        lists: Mapping[str, SlotList],
        rules: Mapping[str, Template],
    ) -> Template:
        try:
            template = parse_template(text)
            self._check_refs(template, lists, rules)
        except TemplateError as error:
            raise error.located(intent=intent, sentence=number) from None
        return template

    def _check_refs(
        self, template: Template, lists: Mapping[str, SlotList], rules: Mapping[str, Template]
    ) -> None:
        for expr in walk(template.expr):
            if isinstance(expr, RuleRef) and expr.name not in rules:
                raise TemplateError(
                    f"unknown expansion rule <{expr.name}> in template {template.text!r}",
                    position=expr.position,
                    token=expr.name,
                )
            if isinstance(expr, ListRef) and not self._known_list(expr, lists):
                raise TemplateError(
                    f"unknown list {{{expr.list_name}}} in template {template.text!r}",
                    position=expr.position,
                    token=expr.list_name,
                )
            if isinstance(expr, ListRef) and expr.inline_range is not None:
                _check_inline_range(expr, template)

    def _known_list(self, ref: ListRef, lists: Mapping[str, SlotList]) -> bool:
        name = ref.list_name
        return (
            name in lists
            or name in self.runtime_lists
            or find_slot_type(name) is not None
            or ref.inline_range is not None
        )

    def _check_rules(self, rules: Mapping[str, Template], lists: Mapping[str, SlotList], intent: str) -> None:
        for name, body in rules.items():
            try:
                self._check_refs(body, lists, rules)
                check_rule_cycle(name, rules)
            except TemplateError as error:
                problem = (
                    error.problem
                    if error.problem.startswith("expansion rule")
                    else (f"expansion rule <{name}>: {error.problem}")
                )
                raise TemplateError(
                    problem, intent=intent, position=error.position, token=error.token
                ) from None


def _check_inline_range(ref: ListRef, template: Template) -> None:
    bounds = ref.inline_range
    if bounds is not None and (bounds[0] > bounds[1] or bounds[2] <= 0):
        raise TemplateError(
            f"bad range {{{ref.list_name}}} in template {template.text!r}",
            position=ref.position,
            token=ref.list_name,
        )
