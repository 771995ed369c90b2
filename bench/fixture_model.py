"""Benchmark fixture models: build time, load time, real-time factor, held-out accuracy.

Builds the en and nl models for ``fixtures/phrases/*.txt`` from scratch (in a temporary
cache unless ``--cache`` is given), then decodes every phrase in every held-out espeak-ng
voice at the held-out rates, clean and with white noise at 20 and 10 dB SNR. Prints a
table, then one JSON line with the figures.

    .venv/bin/python bench/fixture_model.py [--locale en --locale nl] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import vosk

from speech.fixture_model import build_fixture_model, held_out_utterances, recognise

_PHRASES = Path(__file__).resolve().parent.parent / "fixtures" / "phrases"
_CONDITIONS: tuple[tuple[str, float | None], ...] = (("clean", None), ("snr20", 20.0), ("snr10", 10.0))


def _bench_locale(locale: str, cache: Path) -> dict[str, Any]:
    phrases = [line.strip() for line in (_PHRASES / f"{locale}.txt").read_text().splitlines() if line.strip()]
    started = time.perf_counter()
    path = build_fixture_model(
        phrases, locale, cache_dir=cache, progress=lambda m: print(f"  [{locale}] {m}")
    )
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    model = vosk.Model(str(path))
    load_s = time.perf_counter() - started
    figures: dict[str, Any] = {
        "phrases": len(phrases),
        "build_s": round(build_s, 1),
        "load_s": round(load_s, 3),
    }
    for name, snr in _CONDITIONS:
        utterances = held_out_utterances(phrases, locale, snr_db=snr)
        started = time.perf_counter()
        correct = sum(recognise(model, u.audio)["text"] == u.text for u in utterances)
        decode_s = time.perf_counter() - started
        audio_s = sum(len(u.audio) for u in utterances) / 16000
        figures[f"acc_{name}"] = round(correct / len(utterances), 4)
        figures[f"n_{name}"] = len(utterances)
        if snr is None:
            figures["rtf"] = round(decode_s / audio_s, 4)
    figures["model_mb"] = round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locale", action="append", help="locale to bench (default: en and nl)")
    parser.add_argument("--cache", type=Path, help="reuse this cache folder (build time then measures a hit)")
    args = parser.parse_args()
    vosk.SetLogLevel(-1)
    with tempfile.TemporaryDirectory() as scratch:
        cache = args.cache or Path(scratch)
        results = {locale: _bench_locale(locale, cache) for locale in args.locale or ["en", "nl"]}
    columns = [
        "phrases",
        "build_s",
        "load_s",
        "rtf",
        "acc_clean",
        "acc_snr20",
        "acc_snr10",
        "n_clean",
        "model_mb",
    ]
    print(f"{'locale':8}" + "".join(f"{c:>11}" for c in columns))
    for locale, figures in results.items():
        print(f"{locale:8}" + "".join(f"{figures[c]:>11}" for c in columns))
    print(json.dumps({"bench": "fixture_model", **results}))


if __name__ == "__main__":
    main()
