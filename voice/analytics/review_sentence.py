"""The reviewer's ``add_sentence``: the utterance becomes a template sentence of an intent.

It is appended to the first sentence list of that intent in ``skills/<name>/locales/<lang>/intents.yaml``,
the words its slots would take written as their placeholders (``ik wil {date} {time} langskomen voor
{topic}``). intents.yaml is edited as text, one line inserted where a developer would write it (comments,
order and layout stay), after finding the place with PyYAML's node positions; a file that no longer loads
afterwards is put back. The skill's change takes effect when the assistant is built again (a restart or a
reload of the server).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from ..errors import VoiceError
from ..nlu import IntentSet, Matcher
from ..nlu.normalize import normalize
from ..nlu.spans import SlotSpan, slot_spans, with_placeholders
from .review import Reviewed, ReviewError, reviewable, words_to_add
from .unmatched import normalise

__all__ = ["add_sentence"]


def add_sentence(
    skill_root: Path,
    language: str,
    intent: str,
    utterance: str,
    *,
    as_said: bool = False,
    dry_run: bool = False,
) -> Reviewed:
    """Append ``utterance`` as a template sentence of ``intent`` (its first sentence list), unless one of
    its lists already has it: a second run must not add it twice. The words the intent's slots would take
    (a day, a time, a topic of its list) become their placeholders, so the sentence fills them and matches
    other values too ("ik wil {date} {time} langskomen voor {topic}"); ``as_said`` writes the words as
    said. ``dry_run`` only says what would be written (``written`` False), for a preview."""
    reviewable(utterance)
    path = skill_root / "locales" / language / "intents.yaml"
    words = words_to_add(utterance)
    text = _read(path)
    lists = _sentence_lists(text, path, intent)
    sentence = words if as_said else _generalised(skill_root, path, text, lists[0], intent, utterance)
    if _holds(lists, {words, sentence}):
        return Reviewed("sentence", intent, path, added=False, sentence=sentence)
    if dry_run:
        return Reviewed("sentence", intent, path, sentence=sentence)
    path.write_text(_inserted(path, text, lists[0], sentence), encoding="utf-8")
    _check_skill(path, text, skill_root)
    return Reviewed("sentence", intent, path, sentence=sentence)


def _sentence_lists(text: str, path: Path, intent: str) -> list[yaml.SequenceNode]:
    """The sentence lists of ``intent`` in intents.yaml's ``text``; none is one sentence."""
    intents = _child(yaml.compose(text), "intents")
    found = _child(intents, intent) if intents is not None else None
    data = _child(found, "data") if found is not None else None
    found_lists = (_child(block, "sentences") for block in getattr(data, "value", ()))
    lists = [node for node in found_lists if isinstance(node, yaml.SequenceNode)]
    if not lists:
        raise ReviewError(f"intent {intent} has no sentence list in {path}; choose one of its intents.")
    return lists


def _generalised(
    skill_root: Path, path: Path, text: str, sequence: yaml.SequenceNode, intent: str, utterance: str
) -> str:
    """The template of ``utterance``: the words its slots take as their placeholders, found in the
    matcher's own reading of it. A slot stays only where the matcher, with the template added, reads the
    utterance as ``intent`` with that slot's value as the slot's list read it; the others stay words
    (and with none left, the words are written as said)."""
    now = dt.datetime.now(dt.UTC)
    matcher = _compiled(skill_root, path, text)  # the file as add_sentence read it: not read again
    said = normalize(utterance)
    spans = slot_spans(matcher, matcher.sets[0].skill, intent, said, now)
    while spans:
        sentence = with_placeholders(said, spans, normalise)
        added = _compiled(skill_root, path, _inserted(path, text, sequence, sentence))
        misread = _misread(added, intent, utterance, spans, now)
        if not misread:
            return sentence
        spans = [span for span in spans if span not in misread]
    return words_to_add(utterance)


def _misread(
    matcher: Matcher, intent: str, utterance: str, spans: list[SlotSpan], now: dt.datetime
) -> list[SlotSpan]:
    """The spans whose slot the matcher does not fill with the span's value when it reads ``utterance``
    (all of them when it does not read it as ``intent``)."""
    found = next((m for m in matcher.match_all(utterance, fuzzy=False, now=now) if m.intent == intent), None)
    if found is None:
        return spans
    return [
        span for span in spans if span.slot not in found.slots or found.slots[span.slot].value != span.value
    ]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReviewError(f"cannot read {path}: {exc.strerror}; check the skill's folder.") from exc


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if _scalar(name) == key), None)


def _holds(sequences: list[yaml.SequenceNode], sentences: set[str]) -> bool:
    """Whether one of the items already is one of ``sentences`` (the words as said, compared as the
    matcher compares them, or their template, as written)."""
    return any(
        normalise(said) in sentences or " ".join(said.lower().split()) in sentences
        for sequence in sequences
        for item in sequence.value
        if (said := _scalar(item)) is not None
    )


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar in double quotes, as the skill files write sentences."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inserted(path: Path, text: str, sequence: yaml.SequenceNode, value: str) -> str:
    """``text`` with ``value`` as a new last item of a block sequence, indented like the items before it."""
    if sequence.flow_style:
        raise ReviewError(f"{path} writes this list as [a, b]; write it as one item per line to add to it.")
    last = sequence.value[-1]
    lines = text.splitlines(keepends=True)
    item_line = lines[last.start_mark.line]
    dash = item_line.index("-") if "-" in item_line[: last.start_mark.column] else last.start_mark.column - 2
    at = last.end_mark.line + (1 if last.end_mark.column else 0)
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    lines[at:at] = [f"{' ' * dash}- {_yaml_scalar(value)}\n"]
    return "".join(lines)


def _check_yaml(path: Path, before: str) -> None:
    try:
        yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        path.write_text(before, encoding="utf-8")
        raise ReviewError(f"the change would break {path} ({exc}); it was put back.") from exc


def _check_skill(path: Path, before: str, skill_root: Path) -> Matcher:
    """The skill must still load and compile with the new sentence; otherwise the file is put back."""
    _check_yaml(path, before)
    try:
        return _compiled(skill_root, path)
    except ReviewError as exc:
        path.write_text(before, encoding="utf-8")
        raise ReviewError(f"the new sentence breaks the skill ({exc.message}); {path} was put back.") from exc


def _compiled(skill_root: Path, path: Path, text: str | None = None) -> Matcher:
    """The skill's intents of ``path`` as the file is now (or as ``text`` would make it), compiled: read
    again, not the ones this process loaded before (those are kept once loaded). The skill is imported
    first, so the slot types it registers are known."""
    from ..skill_loading import load_skill

    try:
        skill = load_skill(skill_root)
        if text is None:
            return Matcher([IntentSet.from_file(path, skill=skill.name)])
        return Matcher([IntentSet.from_dict(yaml.safe_load(text), skill=skill.name, source=str(path))])
    except (VoiceError, yaml.YAMLError) as exc:
        raise ReviewError(getattr(exc, "message", str(exc))) from exc
