"""Improving the assistant from what it did not understand: the reviewer's four actions.

- ``add_sentence``: the utterance becomes a template sentence of an intent, appended to the first
  sentence list of that intent in ``skills/<name>/locales/<lang>/intents.yaml``, the words its slots
  would take written as their placeholders (``ik wil {date} {time} langskomen voor {topic}``);
- ``add_phrasing``: it becomes a phrasing of a knowledge entry (an FAQ question or a page passage);
- ``add_entry``: a question the assistant could not answer becomes a new FAQ entry, with the answer
  the reviewer writes;
- ``mark_out_of_scope``: it is recorded as not for this assistant.

An utterance that is only a placeholder ("[name]", a caller's name taken out) is refused by every action
(``reviewable``): there is nothing to learn from it, but it shows which question went wrong.

intents.yaml is edited as text, one line inserted where a developer would write it (comments, order and
layout stay), after finding the place with PyYAML's node positions; a file that no longer loads
afterwards is put back. Phrasings and new entries go to the reviews' own file beside the content
(``voice.knowledge.reviewed``), not into the team's FAQ file, which ``voice knowledge import`` replaces.
The words are written as the matcher compares them (lower case, no punctuation), so they hold no
template syntax but a slot's placeholder; words the list already has are not added again. Every action
is recorded in the store's ``reviews`` table, which takes the utterance off the not-understood list.
The skill's change takes effect when the assistant is built again (a restart or a reload of the server).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import VoiceError
from ..knowledge.content import check_language, content_folder, load_content
from ..knowledge.entries import Entry
from ..knowledge.faq import faq_entry
from ..knowledge.reviewed import add_reviewed_entry, add_reviewed_phrasing, reviewed_file
from ..nlu import IntentSet, Matcher
from ..nlu.normalize import normalize
from ..nlu.spans import SlotSpan, slot_spans, with_placeholders
from ..redaction import only_placeholders
from ..store import Store
from .unmatched import normalise

__all__ = [
    "ReviewError",
    "Reviewed",
    "add_entry",
    "add_phrasing",
    "add_sentence",
    "entry_question",
    "knowledge_entries",
    "written_forms",
    "forget_reviews",
    "mark_out_of_scope",
    "record_review",
    "reviewable",
    "reviews_of",
]


class ReviewError(VoiceError):
    """A review action that cannot be carried out (an unknown intent or entry, an empty utterance)."""

    http_status = 400


@dataclass(frozen=True, slots=True)
class Reviewed:
    """What a review action changed."""

    action: str
    """``sentence``, ``phrasing``, ``entry`` or ``out_of_scope``."""
    target: str
    """The intent or the knowledge entry (a new one's id); empty for out of scope."""
    path: Path | None
    """The file that was changed."""
    added: bool = True
    """False when the file already had the utterance, so nothing was written (the review still counts)."""
    sentence: str = ""
    """A sentence's template as written (or found) in intents.yaml, shown to the team; else empty."""
    written: bool = True
    """False for a preview (``dry_run``): ``added`` says it would be added, and nothing was written."""


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
    words = _words(utterance)
    text = _read(path)
    lists = _sentence_lists(text, path, intent)
    sentence = words if as_said else _generalised(skill_root, path, text, lists[0], intent, utterance)
    if _holds(lists, {words, sentence}):
        return Reviewed("sentence", intent, path, added=False, sentence=sentence)
    if dry_run:
        return Reviewed("sentence", intent, path, sentence=sentence, written=False)
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
    matcher = _compiled(skill_root, path)
    said = normalize(utterance)
    spans = slot_spans(matcher, matcher.sets[0].skill, intent, said, now)
    while spans:
        sentence = with_placeholders(said, spans, normalise)
        added = _compiled(skill_root, path, _inserted(path, text, sequence, sentence))
        misread = _misread(added, intent, utterance, spans, now)
        if not misread:
            return sentence
        spans = [span for span in spans if span not in misread]
    return _words(utterance)


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


def reviewable(utterance: str) -> None:
    """Refuse an utterance that is only placeholders ("[name]"): a sentence or phrasing made of it would
    put the placeholder's word into the skill, and marking it would hide the next failed name question.
    It stays on the list, where it shows the question whose answer went wrong."""
    if only_placeholders(utterance):
        raise ReviewError(
            f"{utterance.strip()} stands for words taken out as personal data (such as a caller's name), "
            "so there is nothing to add or mark; it stays on the list to show which question's answer "
            "went wrong."
        )


def add_phrasing(skill_root: Path, language: str, entry_id: str, utterance: str) -> Reviewed:
    """Add ``utterance`` to the phrasings of entry ``entry_id`` (an FAQ question, a page passage, or one
    a review made), unless it has it: in the reviews' own file, so that importing the team's content
    again keeps it (``voice.knowledge.reviewed``)."""
    reviewable(utterance)
    words = _words(utterance)
    folder = content_folder(skill_root, language)
    entries = knowledge_entries(skill_root, language)
    entry = next((entry for entry in entries if entry.id == entry_id), None)
    if entry is None:
        raise ReviewError(_no_entry(entry_id, folder, [entry.id for entry in entries]))
    if any(normalise(phrasing) == words for phrasing in (entry.title, *entry.phrasings)):
        return Reviewed("phrasing", entry_id, reviewed_file(folder), added=False)
    return Reviewed("phrasing", entry_id, add_reviewed_phrasing(folder, entry_id, words))


def add_entry(
    skill_root: Path,
    language: str,
    question: str,
    answer: str,
    also: Sequence[str] = (),
    *,
    written: str = "",
) -> Reviewed:
    """A new FAQ entry for a question the assistant could not answer: ``question`` as the caller said it,
    the team's ``answer`` in the same language, and the group's other phrasings (``also``); kept in the
    reviews' own file, like a phrasing. The entry's question is ``written``, the team's own text, else
    ``entry_question(question)`` with the names the content writes: callers hear it ("Bedoelt u: ...?"),
    so it keeps the team's case. Its id is made from that question, so asking twice adds nothing."""
    reviewable(question)
    asked = question.strip()
    if not normalise(asked):
        raise ReviewError("the question has no words to make an entry of; choose another.")
    if not answer.strip():
        raise ReviewError("write the answer the assistant should give to make an entry.")
    try:
        check_language(language)
    except VoiceError as exc:
        raise ReviewError(exc.message) from exc
    folder = content_folder(skill_root, language)
    content = load_content(folder)
    title = written.strip() or entry_question(asked, language, written_forms(content))
    if not normalise(title):
        raise ReviewError("the entry's question has no words; write it, or leave it empty for the caller's.")
    said = dict.fromkeys(normalise(text) for text in (asked, *also))  # the caller's words when rewritten
    fields = {
        "question": title,
        "phrasings": [words for words in said if words and words != normalise(title)],
    }
    entry = faq_entry({**fields, "answer": answer.strip()}, reviewed_file(folder), "", 1)
    if any(known.id == entry.id for known in content):  # the same question's words
        return Reviewed("entry", entry.id, reviewed_file(folder), added=False)
    folder.mkdir(parents=True, exist_ok=True)  # the answerer asks the languages that have a content folder
    return Reviewed("entry", entry.id, add_reviewed_entry(folder, entry))


def knowledge_entries(skill_root: Path, language: str) -> list[Entry]:
    """The entries of the skill's content for ``language`` (those reviews made too), in content order:
    what a phrasing can be added to. A page passage takes phrasings as an FAQ question does: the index
    reads them with its heading, whichever file it comes from."""
    return list(load_content(content_folder(skill_root, language)))


def _no_entry(entry_id: str, folder: Path, ids: list[str]) -> str:
    """The sentence for an entry id the content does not have: the ids nearest to it, as choices."""
    if not ids:
        return f"there is no knowledge entry {entry_id!r}: {folder} has no content; import it first."
    shown = difflib.get_close_matches(entry_id, ids, n=3, cutoff=0.5) or ids[:3]
    return (
        f"there is no knowledge entry {entry_id!r} in {folder}; choose one of its {len(ids)} entries "
        f"by id, like {', '.join(shown)} ('voice knowledge ask' names an answer's id)."
    )


def entry_question(said: str, language: str, names: Mapping[str, str] | None = None) -> str:
    """A new entry's question from what a caller said: recognisers write speech in lower case without
    punctuation (``mag mijn hond mee in de winkel``), which gets a capital (English its ``I`` too) and a
    question mark when it ends without a mark; words with a capital are someone's own writing and stay.
    ``names`` (``written_forms`` of the skill's content) give the words the content always writes with
    capitals theirs (``utrecht`` -> ``Utrecht``, ``ideal`` -> ``iDEAL``): a place or brand the content
    never names cannot be told from a plain word, so it stays as said."""
    text = " ".join(said.split())
    if text != text.lower():
        return text
    if language == "en":
        text = _ENGLISH_I.sub("I", text)
    known = names or {}
    text = _WORD.sub(lambda word: known.get(word.group(), word.group()), text)
    first = _WORD.match(text)
    if first is None or first.group() == first.group().lower():  # "iDEAL" stays
        text = text[:1].upper() + text[1:]
    return f"{text}{'' if text.endswith(('?', '!', '.')) else '?'}"


def written_forms(entries: Iterable[Entry]) -> dict[str, str]:
    """Words the content writes with capitals wherever they stand inside a sentence (names: ``Utrecht``,
    ``Klarna``, ``iDEAL``), by their lower case: never in lower case, and seen inside a sentence, so a
    word that only starts sentences (``Bel``) is not one. Lines in title case ("Opening Hours And
    Prices") say nothing of a word and are not read."""
    capitalised: dict[str, Counter[str]] = {}
    lower: set[str] = set()
    for entry in entries:
        for text in (entry.title, entry.text, entry.short, *entry.phrasings):
            for part in _SENTENCE_START.split(text):
                words = _WORD.findall(part)
                if not any(word[:1].islower() for word in words):  # title case, or one word
                    continue
                for word in words[1:]:
                    if word == word.lower():
                        lower.add(word)
                    elif len(word) > 1:  # not English "I", nor a Dutch "U"
                        capitalised.setdefault(word.lower(), Counter())[word] += 1
    return {word: forms.most_common(1)[0][0] for word, forms in capitalised.items() if word not in lower}


_ENGLISH_I = re.compile(r"\bi\b")
"""English's lower-case ``i`` as a word (``can i``, ``i'm``), which is always written ``I``."""
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_SENTENCE_START = re.compile(r"[.!?:;\n]+")
"""Where a sentence (a line, a list item) starts, whose first word has a capital of its own."""


def mark_out_of_scope(store: Store, utterance: str, *, skill: str, locale: str, reviewer: str) -> Reviewed:
    """Record that the assistant need not understand ``utterance``."""
    reviewable(utterance)
    reviewed = Reviewed("out_of_scope", "", None)
    record_review(store, utterance, reviewed, skill=skill, locale=locale, reviewer=reviewer)
    return reviewed


def record_review(
    store: Store, utterance: str, reviewed: Reviewed, *, skill: str, locale: str, reviewer: str
) -> None:
    """Keep the action in ``reviews``: the utterance leaves the not-understood list."""
    store.execute(
        "INSERT INTO reviews (key, text, action, target, skill, locale, reviewer, time) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET action = excluded.action, "
        "target = excluded.target, reviewer = excluded.reviewer, time = excluded.time",
        (
            normalise(utterance),
            utterance,
            reviewed.action,
            reviewed.target,
            skill,
            locale,
            reviewer,
            store.clock(),
        ),
    )


REVIEW_COLUMNS = ("key", "text", "action", "target", "skill", "locale", "reviewer", "time")
KEYS_PER_QUERY = 500
"""Keys looked up per statement (SQLite allows a few thousand parameters)."""


def reviews_of(store: Store, user_id: str) -> list[dict[str, Any]]:
    """The reviews of words the user said that were not understood: a review row holds no user id,
    but its words are the caller's (for access requests)."""
    columns = ", ".join(REVIEW_COLUMNS)
    rows = [
        row
        for part in _chunks(_said_keys(store, user_id))
        for row in store.select(f"SELECT {columns} FROM reviews WHERE key IN ({_marks(part)})", part)
    ]
    return [dict(zip(REVIEW_COLUMNS, row, strict=True)) for row in sorted(rows, key=lambda row: row[-1])]


def forget_reviews(store: Store, user_id: str) -> int:
    """Delete the reviews of words the user said (before their signals go, which tie the words to them);
    how many. Other callers' turns with the same words come back on the not-understood list."""
    return sum(
        store.execute(f"DELETE FROM reviews WHERE key IN ({_marks(part)})", part)
        for part in _chunks(_said_keys(store, user_id))
    )


def _said_keys(store: Store, user_id: str) -> list[str]:
    """The review keys of what the user said that was not understood."""
    said = store.select(
        "SELECT DISTINCT text FROM signals WHERE user_id = ? AND understood = 'none'", (user_id,)
    )
    return sorted({normalise(row[0]) for row in said} - {""})


def _chunks(keys: list[str]) -> list[list[str]]:
    return [keys[start : start + KEYS_PER_QUERY] for start in range(0, len(keys), KEYS_PER_QUERY)]


def _marks(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def _words(utterance: str) -> str:
    words = normalise(utterance)
    if not words:
        raise ReviewError("the utterance has no words to add; choose another.")
    return words


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
