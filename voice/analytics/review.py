"""Improving the assistant from what it did not understand: the reviewer's four actions.

- ``add_sentence`` (in ``review_sentence``): the utterance becomes a template sentence of an intent in
  the skill's intents.yaml;
- ``add_phrasing``: it becomes a phrasing of a knowledge entry (an FAQ question or a page passage);
- ``add_entry``: a question the assistant could not answer becomes a new FAQ entry, with the answer
  the reviewer writes;
- ``mark_out_of_scope``: it is recorded as not for this assistant.

An utterance that is only a placeholder ("[name]", a caller's name taken out) is refused by every action
(``reviewable``): there is nothing to learn from it, but it shows which question went wrong.

Phrasings and new entries go to the reviews' own file beside the content
(``voice.knowledge.reviewed``), not into the team's FAQ file, which ``voice knowledge import`` replaces.
The words are written as the matcher compares them (lower case, no punctuation), so they hold no
template syntax but a slot's placeholder; words the list already has are not added again. Every action
is recorded in the store's ``reviews`` table, which takes the utterance off the not-understood list.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import VoiceError
from ..knowledge.content import check_language, content_folder, load_content
from ..knowledge.entries import Entry
from ..knowledge.faq import faq_entry
from ..knowledge.reviewed import add_reviewed_entry, add_reviewed_phrasing, reviewed_file
from ..redaction import has_placeholders, only_placeholders
from ..store import Store
from .unmatched import normalise

__all__ = [
    "ReviewError",
    "Reviewed",
    "add_entry",
    "add_phrasing",
    "entry_question",
    "knowledge_entries",
    "written_forms",
    "forget_reviews",
    "mark_out_of_scope",
    "record_review",
    "reviewable",
    "reviews_of",
    "words_to_add",
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


def reviewable(utterance: str, *, learnt: bool = True) -> None:
    """Refuse an utterance that is only placeholders ("[name]"): a sentence or phrasing made of it would
    put the placeholder's word into the skill, and marking it would hide the next failed name question.
    It stays on the list, where it shows the question whose answer went wrong. What the skill learns from
    (``learnt``: a sentence, a phrasing, an entry) may hold none either ("op naam van [name]" became
    "op naam van name"); such words may still be marked out of scope."""
    if only_placeholders(utterance):
        raise ReviewError(
            f"{utterance.strip()} stands for words taken out as personal data (such as a caller's name), "
            "so there is nothing to add or mark; it stays on the list to show which question's answer "
            "went wrong."
        )
    if learnt and has_placeholders(utterance):
        raise ReviewError(
            f"{utterance.strip()!r} holds words taken out as personal data, whose placeholder the skill "
            "would learn as a word; add the sentence as a caller would say it in your own words instead."
        )


def add_phrasing(
    skill_root: Path, language: str, entry_id: str, utterance: str, *, dry_run: bool = False
) -> Reviewed:
    """Add ``utterance`` to the phrasings of entry ``entry_id`` (an FAQ question, a page passage, or one
    a review made), unless it has it: in the reviews' own file, so that importing the team's content
    again keeps it (``voice.knowledge.reviewed``). The words written are ``words_to_add(utterance)``;
    ``dry_run`` only says whether they would be (``written`` False), for a preview."""
    reviewable(utterance)
    words = words_to_add(utterance)
    folder = content_folder(skill_root, language)
    entries = knowledge_entries(skill_root, language)
    entry = next((entry for entry in entries if entry.id == entry_id), None)
    if entry is None:
        raise ReviewError(_no_entry(entry_id, folder, [entry.id for entry in entries]))
    if any(normalise(phrasing) == words for phrasing in (entry.title, *entry.phrasings)):
        return Reviewed("phrasing", entry_id, reviewed_file(folder), added=False)
    if dry_run:
        return Reviewed("phrasing", entry_id, reviewed_file(folder))
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
    reviewable(utterance, learnt=False)
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


def words_to_add(utterance: str) -> str:
    """The words an action adds, as the matcher compares them; an utterance without any is refused."""
    words = normalise(utterance)
    if not words:
        raise ReviewError("the utterance has no words to add; choose another.")
    return words
