"""Decoding graphs for a phrase list: a fixed HCLG, and Vosk's runtime-grammar pieces.

The acoustic model is monophone with one HMM state per phone, so H, C and L collapse into
a simple rule: entering a phone is an arc carrying its forward transition id (and the word
label on a word's first phone), and the state it enters carries the phone's self-loop.
That is the transition order Kaldi's word alignment expects (``reorder``: the forward
transition first, then self-loops). Optional silence may sit between words.

An ``[unk]`` word -- a garbage phone with a constant score per frame -- competes with the
phrases, so speech outside the phrase list comes out as ``[unk]`` instead of the nearest
phrase. In the fixed graph it may also follow the first words of a phrase ("i would like to
[unk]"): speech that starts like a phrase and then goes elsewhere is refused instead of being
forced onto the phrase's end ("... book an appointment"). The wake phrase may also follow ``[unk]``:
words or murmur before it are then not taken for the start of some phrase. Decoys, near misses of the
wake phrase, are paths like the phrases behind an entry cost: a near miss is decoded as its decoy,
which no grammar accepts, while the wake phrase itself keeps its own path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from speech.fixture_model.fst import Arc, Fst
from speech.fixture_model.kaldi import forward_tid, self_loop_tid
from speech.fixture_model.lexicon import Lexicon, PhoneSet
from speech.stt import UNKNOWN_WORD as UNKNOWN

"""The word that out-of-set speech is recognised as."""

_SILENCE_COST = 0.7
"""-log(1/2): silence between words is as likely as none."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scoring:
    """How acoustic and graph scores combine, and what rejecting costs (negative log probabilities)."""

    acoustic_scale: float = 1.0
    """Weight of the network's log-likelihoods against graph costs (Vosk's ``--acoustic-scale``)."""
    garbage_margin: float = 2.25
    """How far below the frame's best pdf ``[unk]``'s garbage phone scores (log-likelihood per frame).

    A phrase wins where its frames score within this of the best pdf on average; speech outside the
    phrases scores far below it on the phrase paths and comes out as ``[unk]``. Relative to the best
    pdf, not a constant, because a network trained on noise scores noisy out-of-scope speech high on
    the phrase paths too (docs/fixture-models.md, Robustness). With babble in training, 2.5 let the Dutch
    model take 17% of out-of-scope sentences in babble at 10 dB for commands, 2.25 7%, 2.0 none but cost
    English babble accuracy (76%, 72%, 59%) and held-out voices (100%, 99.7%, 99.4%).
    """
    silence_penalty: float = 0.5
    """Log-likelihood taken off silence per frame, so that a short phrase does not explain a long noisy
    sentence as silence around it (English, white noise at 10 dB: "how old are you" heard as "no")."""
    unknown_entry: float = 1.0
    """Cost of choosing ``[unk]`` over a phrase (English, white noise at 10 dB: 17% of out-of-scope
    sentences accepted at 3.0, 10% at 1.0; held-out voices 98.2% either way)."""
    decoy_entry: float = 6.0
    """Cost of taking a decoy instead of a phrase: a decoy must fit the audio clearly better than the
    wake phrase, or murmur after "hey computer" makes it "hey computers". English, held-out voices, one
    build: near misses refused 100% at 3.0, 90% at 4.5 and 6.0 (20% without decoys); wakes heard with
    babble at 10 dB 58% at 3.0, 71% at 4.5 and 6.0 (71% without). Dutch: 100% and 83% at each cost."""
    shorter_decoy_entry: float = 3.0
    """The cost for a decoy with fewer phones than the wake phrase ("hey compute", "hey comuter"): murmur
    adds sound, so it cannot turn the wake phrase into one of these. With 3.0 instead of 6.0 for them the
    English bench refused 90% of near misses instead of 80%, with the same wakes heard in babble (75%);
    with 2.0, 100% and 71%."""
    leading_unknown_entry: float = 8.0
    """Cost of the wake phrase after ``[unk]`` ("okay, hey computer", or murmur the gate let through).
    English bench, wakes heard with babble at 10 dB: 75% without this path, 92% at 4.0 and 8.0; near
    misses refused and false wakes unchanged (90%, none in 12 minutes). Only the wake phrase: with every
    phrase after ``[unk]`` commands in babble gained 7-11 points, but sentences ending like a phrase were
    taken for it ("is there parking near the shop" -> "stop"), clean and at 20 dB."""
    prefix_unknown_entry: float = 8.0
    """Cost of ``[unk]`` after the first words of a phrase instead of the rest of it. Measured with
    bench/speech_robustness.py (English, white noise at 10 dB): without this path 50% of out-of-scope
    sentences were accepted, at 5.0 3%, at 8.0 7%, at 12.0 17%; in-scope accuracy 93% in each case
    (a constant garbage score then). Below 8.0 unseen voices lose a phrase's last word more often."""


def word_table(lexicon: Lexicon) -> dict[str, int]:
    """``words.txt``: ``<eps>`` 0, the words in order, then ``[unk]``."""
    words = ["<eps>", *lexicon.words, UNKNOWN]
    return {word: index for index, word in enumerate(words)}


class _Builder:
    """Builds an HMM-level graph where each non-start state loops on the phone that enters it."""

    def __init__(self, lexicon: Lexicon, phones: PhoneSet, words: dict[str, int], scoring: Scoring) -> None:
        self.fst = Fst()
        self.start = self.fst.add_state()
        self.lexicon, self.phones, self.words, self.scoring = lexicon, phones, words, scoring

    def phone_state(self, phone_id: int) -> int:
        state = self.fst.add_state()
        self.fst.add_arc(state, Arc(self_loop_tid(phone_id), 0, 0.0, state))
        return state

    def enter(
        self, sources: Sequence[int], target: int, phone_id: int, word: int = 0, cost: float = 0.0
    ) -> None:
        for source in sources:
            self.fst.add_arc(source, Arc(forward_tid(phone_id), word, cost, target))

    def with_silence(self, states: Sequence[int]) -> list[int]:
        """``states`` plus a silence state reachable from each of them."""
        silence = self.phone_state(self.phones.silence_id)
        self.enter(states, silence, self.phones.silence_id, cost=_SILENCE_COST)
        return [*states, silence]

    def word(self, sources: Sequence[int], word: str) -> list[int]:
        """Every pronunciation of ``word`` from ``sources``; returns the states that end it."""
        ends = []
        for pronunciation in self.lexicon.pronunciations(word):
            ids = self.phones.word_phones(pronunciation)
            state = self.phone_state(ids[0])
            self.enter(sources, state, ids[0], self.words[word])
            for phone_id in ids[1:]:
                following = self.phone_state(phone_id)
                self.enter([state], following, phone_id)
                state = following
            ends.append(state)
        return ends

    def unknown(self, sources: Sequence[int], cost: float | None = None) -> list[int]:
        """``[unk]``: the garbage phone for as long as it lasts, entered at ``cost`` (``unknown_entry``)."""
        state = self.phone_state(self.phones.garbage_id)
        entry = self.scoring.unknown_entry if cost is None else cost
        self.enter(sources, state, self.phones.garbage_id, self.words[UNKNOWN], entry)
        return [state]


def build_hclg(
    phrases: Sequence[str],
    decoys: Sequence[str],
    wake_phrase: str,
    lexicon: Lexicon,
    phones: PhoneSet,
    words: dict[str, int],
    scoring: Scoring,
) -> Fst:
    """The fixed graph: exactly one phrase (the wake phrase after ``[unk]`` too), ``[unk]``, a phrase's
    first words and ``[unk]``, or a decoy per utterance, silence around it."""
    builder = _Builder(lexicon, phones, words, scoring)
    entry = builder.with_silence([builder.start])
    exits = builder.with_silence(builder.unknown(entry))
    wake_entry = entry
    if wake_phrase in phrases:
        after_unknown = builder.fst.add_state()
        for state in exits:
            builder.fst.add_arc(state, Arc(0, 0, scoring.leading_unknown_entry, after_unknown))
        wake_entry = [*entry, after_unknown]
    for phrase in phrases:
        states = wake_entry if phrase == wake_phrase else entry
        for number, word in enumerate(phrase.split()):
            if number:
                exits += builder.with_silence(builder.unknown(states, scoring.prefix_unknown_entry))
            states = builder.with_silence(builder.word(states, word))
        exits += states
    entries: dict[float, int] = {}
    wake_phones = _phone_count(wake_phrase, lexicon) if decoys else 0
    for decoy in decoys:
        shorter = _phone_count(decoy, lexicon) < wake_phones
        cost = scoring.shorter_decoy_entry if shorter else scoring.decoy_entry
        if cost not in entries:
            entries[cost] = builder.fst.add_state()
            for state in entry:
                builder.fst.add_arc(state, Arc(0, 0, cost, entries[cost]))
        states = [entries[cost]]
        for word in decoy.split():
            states = builder.with_silence(builder.word(states, word))
        exits += states
    for state in exits:
        builder.fst.set_final(state)
    return builder.fst


def _phone_count(phrase: str, lexicon: Lexicon) -> int:
    """Phones in the most frequent pronunciation of each word of ``phrase``."""
    return sum(len(lexicon.pronunciations(word)[0]) for word in phrase.split())


def build_hclr(lexicon: Lexicon, phones: PhoneSet, words: dict[str, int], scoring: Scoring) -> Fst:
    """The runtime-grammar word loop: any word or ``[unk]``, optional silence between.

    Vosk composes it with a grammar built from the phrases passed to ``KaldiRecognizer``.
    """
    builder = _Builder(lexicon, phones, words, scoring)
    hub = builder.with_silence([builder.start])
    ends = builder.unknown(hub)
    for word in lexicon.words:
        ends += builder.word(hub, word)
    for state in ends:
        builder.fst.add_arc(state, Arc(0, 0, 0.0, builder.start))
    for state in hub:
        builder.fst.set_final(state)
    return builder.fst


def build_gr(words: dict[str, int]) -> Fst:
    """The default grammar when none is given: any word, equally likely, any number of times."""
    fst = Fst()
    state = fst.add_state()
    labels = sorted(index for index in words.values() if index)
    cost = math.log(len(labels))
    for label in labels:
        fst.add_arc(state, Arc(label, label, cost, state))
    fst.set_final(state)
    fst.sort_input()
    return fst
