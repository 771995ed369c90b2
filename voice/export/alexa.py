"""``voice export alexa``: an ASK CLI skill package built from a skill's templates, lists and flows.

    skill-package/skill.json                                  the manifest (locale, name, summary)
    skill-package/interactionModels/custom/<locale>.json      invocation name, intents, slot types, dialog

The manifest's texts and the invocation name come from ``locales/<lang>/skill.yaml``
(``Skill.info``); ``--invocation-name`` overrides the file's. The interaction model is built by
``alexa_model``, and ``check_interaction_model`` runs before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..nlu import Matcher
from ..skill import Skill
from .alexa_model import interaction_model
from .alexa_rules import check_interaction_model, clean_utterance, invocation_name
from .common import ExportError

__all__ = ["DEFAULT_ENDPOINT", "AlexaPackage", "alexa_package", "unmatched_examples"]

DEFAULT_ENDPOINT = "https://voice.example.com/alexa"
"""Placeholder for the manifest; pass the real HTTPS address of ``/alexa`` with ``--endpoint``."""

_LOCALE = re.compile(r"([a-z]{2})-[A-Z]{2}")


@dataclass(frozen=True, slots=True)
class AlexaPackage:
    """The two files of an ASK CLI skill package for one locale."""

    locale: str
    interaction_model: dict[str, Any]
    manifest: dict[str, Any]

    def write(self, folder: Path) -> Path:
        """Write ``<folder>/skill-package/...``; returns the interaction model's path. One package holds
        every locale: a manifest there already (another locale's export) keeps its other locales."""
        package = folder / "skill-package"
        model_path = package / "interactionModels" / "custom" / f"{self.locale}.json"
        manifest_path = package / "skill.json"
        manifest = _merged(_read_manifest(manifest_path), self.manifest)
        model_path.parent.mkdir(parents=True, exist_ok=True)
        _write_json(manifest_path, manifest)
        _write_json(model_path, self.interaction_model)
        return model_path


def alexa_package(
    skill: Skill, locale: str, *, invocation: str | None = None, endpoint: str = DEFAULT_ENDPOINT
) -> AlexaPackage:
    """The skill package for ``locale`` (``en-US``); ``ExportError`` when Alexa would refuse the model."""
    found = _LOCALE.fullmatch(locale)
    if found is None:
        raise ExportError(f"{locale!r} is not an Alexa locale; use one like en-US or en-GB.")
    info = skill.info(locale)
    name = invocation or info.invocation or invocation_name(skill.name)
    model = interaction_model(skill, found[1], name)
    problems = check_interaction_model(model)
    if problems:
        raise ExportError(f"the {locale} interaction model breaks Alexa's rules: {problems[0]}.")
    return AlexaPackage(locale, model, _manifest(skill, locale, name, endpoint, model))


def _manifest(
    skill: Skill, locale: str, invocation: str, endpoint: str, model: dict[str, Any]
) -> dict[str, Any]:
    """``skill.json``: what the Alexa console shows, and where Alexa sends the requests."""
    samples = [
        sample
        for intent in model["interactionModel"]["languageModel"]["intents"]
        for sample in intent["samples"][:1]
        if "{" not in sample
    ]
    info = skill.info(locale)
    said = [text for text in map(clean_utterance, info.examples) if text] or samples
    examples = [f"Alexa, open {invocation}"] + [f"Alexa, ask {invocation} {s}" for s in said[:2]]
    summary = info.summary or skill.summary()
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": {
                    locale: {
                        "name": info.name or skill.name.replace("_", " ").title(),
                        "summary": summary[:160],
                        "description": info.description or summary,
                        "examplePhrases": examples,
                        "keywords": list(info.keywords),
                    }
                },
                "isAvailableWorldwide": False,
                "distributionCountries": [locale.split("-")[1]],
                "testingInstructions": "Try the example phrases; every sample utterance gets an answer.",
            },
            "apis": {"custom": {"endpoint": {"uri": endpoint, "sslCertificateType": "Wildcard"}}},
            "privacyAndCompliance": {
                "allowsPurchases": False,
                "usesPersonalInfo": False,
                "isChildDirected": False,
                "isExportCompliant": True,
                "containsAds": False,
            },
        }
    }


def unmatched_examples(skill: Skill, locale: str) -> list[str]:
    """The example phrases of ``skill.yaml`` that none of the skill's templates match: Alexa's
    certification wants every example phrase to be something the model understands."""
    found = _LOCALE.fullmatch(locale)
    language = found[1] if found else locale
    if language not in skill.languages:
        return []
    matcher = Matcher([skill.intents(language)])
    return [text for text in skill.info(locale).examples if matcher.match(text) is None]


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def deployed_endpoint(folder: Path) -> str | None:
    """The endpoint an earlier export into ``folder`` wrote, unless it was the placeholder: exporting
    another locale without ``--endpoint`` keeps the real address instead of putting the placeholder back."""
    try:
        manifest = _read_manifest(folder / "skill-package" / "skill.json")
    except OSError:  # no folder there to read (the write says why)
        return None
    found = manifest.get("manifest", {}).get("apis", {}).get("custom", {}).get("endpoint", {}).get("uri")
    return found if isinstance(found, str) and found and found != DEFAULT_ENDPOINT else None


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest an earlier export wrote at ``path``; empty when there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(
            f"{path} is not a JSON manifest ({exc}); fix or remove it and export again."
        ) from exc
    if not isinstance(data, dict):
        raise ExportError(f"{path} is not a JSON manifest (no object); fix or remove it and export again.")
    return data


def _merged(old: Any, new: Any, key: str = "") -> Any:
    """``new`` over ``old``: an object keeps the keys only ``old`` has (the other locales, fields added
    by hand), and the distribution countries are those of both."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{name: _merged(old.get(name), value, name) for name, value in new.items()}}
    if key == "distributionCountries" and isinstance(old, list) and isinstance(new, list):
        return [*old, *(country for country in new if country not in old)]
    return new
