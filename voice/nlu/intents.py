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

from .bulk import collector_paused
from .errors import TemplateError
from .loading import Origins, load_dict, read_files
from .slot_types import find_slot_type
from .slots import SlotList, SlotSpec, SlotTypeList, slot_kind
from .template import ListRef, RuleRef, Template, walk

__all__ = ["HOME_ASSISTANT_RUNTIME_LISTS", "Intent", "IntentData", "IntentSet", "load_skills"]

_LOGGER = logging.getLogger(__name__)

HOME_ASSISTANT_RUNTIME_LISTS = ("area", "floor", "name")
"""Lists Home Assistant fills from the device registry; ``Matcher.set_list`` fills them here."""


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
            specs[ref.slot_name] = SlotSpec(ref.slot_name, ref.list_name, kind, found)
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
    ignore_whitespace: bool = False
    """hassil's ``settings: {ignore_whitespace: true}`` (Chinese): spaces between CJK letters are dropped."""

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
        return cls._load(data, skill=skill, source=source, language=language, runtime_lists=runtime_lists)

    @classmethod
    @collector_paused
    def _load(
        cls,
        data: Mapping[str, Any],
        *,
        skill: str,
        source: str,
        language: str | None,
        runtime_lists: Iterable[str],
        origins: Origins | None = None,
    ) -> IntentSet:
        try:
            return load_dict(
                data,
                skill=skill,
                source=source,
                language=language,
                runtime_lists=frozenset(runtime_lists),
                origins=origins,
            )
        except TemplateError as error:
            raise error.located(file=error.file or source) from None

    @classmethod
    @collector_paused
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
        if not files:
            raise TemplateError("no intent files to load")
        merged, origins = read_files(files)
        source = str(files[0]) if len(files) == 1 else f"{files[0].parent}/*.yaml"
        return cls._load(
            merged,
            skill=skill,
            source=source,
            language=language,
            runtime_lists=runtime_lists,
            origins=origins,
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
    def from_home_assistant(
        cls, language: str, *, skill: str = "homeassistant", path: str | Path | None = None
    ) -> IntentSet:
        """Load Home Assistant's templates for ``language``.

        ``path`` is a checkout of the home-assistant/intents repository (or its ``sentences``
        folder): its ``sentences/<language>/*.yaml`` are read. Without it the
        ``home-assistant-intents`` package's compiled templates are used.
        """
        if path is not None:
            folder = Path(path) / language
            if not folder.is_dir():
                folder = Path(path) / "sentences" / language
            files = sorted(folder.glob("*.yaml"))
            if not files:
                raise TemplateError(f"no Home Assistant templates for {language!r} in {path}")
            return cls.from_files(
                files, skill=skill, language=language, runtime_lists=HOME_ASSISTANT_RUNTIME_LISTS
            )
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
