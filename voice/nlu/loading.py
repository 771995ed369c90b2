"""Reading hassil-format intent files into an ``IntentSet``, checking every reference.

Files merge the way hassil merges them (dicts combine, lists extend). Where each
intent's data blocks, each rule and each list came from is remembered, so an error
names the file it is in, its intent, the sentence number within that file and the
position, even after the files are merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import yaml_problem
from ..strict_yaml import UniqueKeyLoader
from .errors import TemplateError
from .references import ScopeChecker
from .slot_types import find_slot_type, slot_types
from .slots import SlotList, parse_slot_list
from .template import ListRef, Template, parse_template

if TYPE_CHECKING:
    from .intents import Intent, IntentData, IntentSet

__all__ = ["Origins", "load_dict", "read_files"]


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


@dataclass(slots=True)
class Origins:
    """Which file each data block, rule and list of merged files came from."""

    blocks: dict[str, list[str]] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    lists: dict[str, str] = field(default_factory=dict)

    def add(self, file: str, data: Mapping[str, Any]) -> None:
        """Record the names one file defines (before it is merged)."""
        for name, body in (data.get("intents") or {}).items():
            blocks = body.get("data") if isinstance(body, Mapping) else None
            count = len(blocks) if isinstance(blocks, list) else 0
            self.blocks.setdefault(str(name), []).extend([file] * count)
        for key, table in (("expansion_rules", self.rules), ("lists", self.lists)):
            for name in data.get(key) or {}:
                table.setdefault(str(name), file)

    def block_file(self, intent: str, index: int) -> str:
        files = self.blocks.get(intent, [])
        return files[index] if index < len(files) else ""


def read_files(paths: list[Path]) -> tuple[dict[str, Any], Origins]:
    """Read and merge YAML files, remembering where everything came from."""
    merged: dict[str, Any] = {}
    origins = Origins()
    for path in paths:
        data = _read_yaml(path)
        origins.add(str(path), data)
        _merge(merged, data)
    return merged, origins


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.load(stream, Loader=UniqueKeyLoader)
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


def load_dict(
    data: Mapping[str, Any],
    *,
    skill: str,
    source: str,
    language: str | None,
    runtime_lists: frozenset[str],
    origins: Origins | None = None,
) -> IntentSet:
    """Turn one hassil-format dict into an IntentSet; errors say where they are."""
    loader = _Loader(data, skill, source, language, runtime_lists, origins or Origins())
    return loader.load()


class _Loader:
    """Turns one hassil-format dict into an IntentSet, checking every reference."""

    def __init__(
        self,
        data: Mapping[str, Any],
        skill: str,
        source: str,
        language: str | None,
        runtime_lists: frozenset[str],
        origins: Origins,
    ) -> None:
        if not isinstance(data, Mapping):
            raise TemplateError("intents data must be a mapping with 'language' and 'intents'", file=source)
        self.data = data
        self.skill = skill
        self.source = source
        self.origins = origins
        self.language = str(data.get("language") or language or "")
        self.runtime_lists = runtime_lists
        self.lists = self._lists(data.get("lists"), "", origins.lists)
        self.rules = self._rules(data.get("expansion_rules"), "", origins.rules)
        self.other_names = runtime_lists | {slot_type.name for slot_type in slot_types()}
        self.checker = ScopeChecker(self.lists, self.rules, self._known_list, self.other_names)

    def load(self) -> IntentSet:
        from .intents import IntentSet

        if not self.language:
            raise TemplateError("intents data has no 'language'", file=self.source)
        intents = {
            str(name): self._intent(str(name), body)
            for name, body in (self.data.get("intents") or {}).items()
        }
        settings = self.data.get("settings") or {}
        return IntentSet(
            language=self.language,
            skill=self.skill,
            intents=_frozen(intents),
            lists=_frozen(self.lists),
            rules=_frozen(self.rules),
            skip_words=tuple(str(word) for word in self.data.get("skip_words") or ()),
            source=self.source,
            ignore_whitespace=bool(isinstance(settings, Mapping) and settings.get("ignore_whitespace")),
        )

    def _file(self, table: Mapping[str, str], name: str) -> str:
        return table.get(name) or self.source

    def _lists(self, raw: Any, intent: str, files: Mapping[str, str], file: str = "") -> dict[str, SlotList]:
        lists: dict[str, SlotList] = {}
        for name, body in (raw or {}).items():
            try:
                lists[str(name)] = parse_slot_list(str(name), body)
            except TemplateError as error:
                raise error.located(file=file or self._file(files, str(name)), intent=intent) from None
        return lists

    def _rules(self, raw: Any, intent: str, files: Mapping[str, str], file: str = "") -> dict[str, Template]:
        rules: dict[str, Template] = {}
        for name, body in (raw or {}).items():
            try:
                rules[str(name)] = parse_template(str(body))
            except TemplateError as error:
                raise TemplateError(
                    f"expansion rule <{name}>: {error.problem}",
                    file=file or self._file(files, str(name)),
                    intent=intent,
                    position=error.position,
                    token=error.token,
                ) from None
        return rules

    def _intent(self, name: str, body: Any) -> Intent:
        from .intents import Intent

        if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
            file = self.origins.block_file(name, 0) or self.source
            raise TemplateError("an intent needs a 'data' list of sentence blocks", file=file, intent=name)
        blocks: list[IntentData] = []
        first: dict[str, int] = {}
        for index, raw in enumerate(body["data"]):
            file = self.origins.block_file(name, index) or self.source
            block = self._block(name, raw, first.get(file, 1), file)
            blocks.append(block)
            first[file] = first.get(file, 1) + len(block.templates)
        extra = {key: value for key, value in body.items() if key != "data"}
        return Intent(name=name, data=tuple(blocks), extra=_frozen(extra))

    def _block(self, intent: str, raw: Any, first: int, file: str) -> IntentData:
        from .intents import IntentData

        if not isinstance(raw, Mapping) or not isinstance(raw.get("sentences"), list):
            raise TemplateError(
                "a data block needs a 'sentences' list", file=file, intent=intent, sentence=first
            )
        local_lists = self._lists(raw.get("lists"), intent, {}, file)
        local_rules = self._rules(raw.get("expansion_rules"), intent, {}, file)
        checker = self.checker
        if local_lists or local_rules:
            checker = ScopeChecker(
                {**self.lists, **local_lists},
                {**self.rules, **local_rules},
                self._known_list,
                self.other_names,
            )
        templates = tuple(
            self._sentence(checker, str(text), intent, first + index, file)
            for index, text in enumerate(raw["sentences"])
        )
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

    def _sentence(self, checker: ScopeChecker, text: str, intent: str, number: int, file: str) -> Template:
        try:
            template = parse_template(text)
            checker.check(template)
        except TemplateError as error:
            raise error.located(file=file, intent=intent, sentence=number) from None
        return template

    def _known_list(self, ref: ListRef, lists: Mapping[str, SlotList]) -> bool:
        name = ref.list_name
        return (
            name in lists
            or name in self.runtime_lists
            or find_slot_type(name) is not None
            or ref.inline_range is not None
        )
