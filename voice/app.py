"""Assembling the product from the config: skills, router, synthesizer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from speech.tts import EspeakSynthesizer

from .config import Config, skill_references
from .nlu import IntentSet
from .router import Router
from .skill import load_skill


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
    for language in router.languages:
        for name, values in (lists or {}).items():
            router.matcher(language).set_list(name, list(values))
    return router


def build_synthesizer(config: Config) -> EspeakSynthesizer:
    return EspeakSynthesizer(voices=config.voices, rate=config.speaking_rate)
