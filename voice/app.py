"""Assembling the product from the config: skills, router, synthesizer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from speech.tts import EspeakSynthesizer

from .config import Config, skill_references, store_url
from .dialog import FanOutSink, HandoffSink, HttpSink, QueueFileSink
from .dialog.manager import Dialog
from .nlu import IntentSet
from .router import Router
from .skill import load_skill
from .store import open_store


def build_router(
    config: Config,
    *,
    home_assistant: Iterable[str] = (),
    lists: Mapping[str, Iterable[str]] | None = None,
) -> Router:
    """A router over the configured skills; ``home_assistant`` adds HA's intents for those languages."""
    skills = [load_skill(ref) for ref in skill_references(config)]
    for skill in skills:
        skill.settings = dict(config.skill.get(skill.name, {}))
    extra = {lang: [IntentSet.from_home_assistant(lang)] for lang in home_assistant}
    router = Router(skills, extra_intents=extra, fuzzy_threshold=config.fuzzy_threshold)
    for name, values in (lists or {}).items():
        router.set_list(name, values)
    return router


def build_sink(config: Config) -> HandoffSink | None:
    """The sink of ``[handoff]``: ``url`` (HTTP), ``queue`` (JSON lines), or both, tried in order."""
    sinks: list[HandoffSink] = []
    if config.handoff.get("url"):
        sinks.append(
            HttpSink(
                str(config.handoff["url"]),
                timeout=float(config.handoff.get("timeout", 2.0)),
                retries=int(config.handoff.get("retries", 2)),
            )
        )
    if config.handoff.get("queue"):
        sinks.append(QueueFileSink(str(config.handoff["queue"])))
    return FanOutSink(sinks) if len(sinks) > 1 else (sinks[0] if sinks else None)


def build_dialog(config: Config, router: Router | None = None) -> Dialog:
    """The responder for channels: the router, the session store and the handoff sink of the config."""
    return Dialog(
        router or build_router(config),
        open_store(store_url(config)),
        sink=build_sink(config),
        retention_days=config.retention_days,
    )


def build_synthesizer(config: Config) -> EspeakSynthesizer:
    return EspeakSynthesizer(voices=config.voices, rate=config.speaking_rate)
