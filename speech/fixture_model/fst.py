"""A minimal OpenFst ``vector`` FST over the tropical semiring, and its binary writer.

The format is a fixed header followed by each state's final weight and arcs; writing it
directly avoids a run-time dependency on OpenFst's command-line tools.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from pathlib import Path

_MAGIC = 2125659606
_VERSION = 2
_PROPERTIES = 0x3  # kExpanded | kMutable: OpenFst computes the rest when it needs them
_NOT_FINAL = math.inf


@dataclass(frozen=True, slots=True)
class Arc:
    """An arc: input label, output label, cost (negative log probability), destination."""

    ilabel: int
    olabel: int
    weight: float
    nextstate: int


@dataclass(slots=True)
class Fst:
    """A weighted transducer under construction; state 0 is the start."""

    arcs: list[list[Arc]] = field(default_factory=list)
    finals: list[float] = field(default_factory=list)

    def add_state(self) -> int:
        self.arcs.append([])
        self.finals.append(_NOT_FINAL)
        return len(self.arcs) - 1

    def add_arc(self, source: int, arc: Arc) -> None:
        self.arcs[source].append(arc)

    def set_final(self, state: int, weight: float = 0.0) -> None:
        self.finals[state] = weight

    @property
    def num_arcs(self) -> int:
        return sum(len(arcs) for arcs in self.arcs)

    def sort_input(self) -> None:
        """Sort every state's arcs by input label (what OpenFst's ``ilabel`` sort does)."""
        for arcs in self.arcs:
            arcs.sort(key=lambda arc: (arc.ilabel, arc.olabel))

    def to_bytes(self) -> bytes:
        """The OpenFst binary ``vector`` FST with ``standard`` (tropical) arcs."""
        parts = [
            struct.pack("<i", _MAGIC),
            _string("vector"),
            _string("standard"),
            struct.pack("<iiQqqq", _VERSION, 0, _PROPERTIES, 0, len(self.arcs), self.num_arcs),
        ]
        for arcs, final in zip(self.arcs, self.finals, strict=True):
            parts.append(struct.pack("<fq", final, len(arcs)))
            parts.extend(struct.pack("<iifi", a.ilabel, a.olabel, a.weight, a.nextstate) for a in arcs)
        return b"".join(parts)

    def write(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<i", len(data)) + data
