"""The assistant, built once from the config: router, dialog, store, handoff sink and answerers.

Every channel and every command uses the object ``build_assistant`` returns, so a typed
conversation, a microphone session and a webhook call are understood, answered, logged,
purged and handed off alike. A broken skill or config stops the build with one sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .config import Config, business_zone, skill_references, skills_folder, store_url
from .dialog import Answerer, Dialog, FanOutSink, HandoffPolicy, HandoffSink, HttpSink, QueueFileSink
from .dialog.knowledge import KnowledgeAnswerer, knowledge_answerer
from .errors import ConfigError
from .language import language_of
from .nlu import IntentSet
from .redaction import Redactor
from .reply import Reply
from .router import Router
from .skill import Skill
from .skill_check import check_skills
from .skill_loading import load_skill
from .store import Store, open_store
from .suggestions import did_you_mean
from .turn import Responder, Turn

__all__ = ["MEMORY_STORE", "Assistant", "build_assistant", "build_router", "build_sink"]

MEMORY_STORE = "sqlite://:memory:"
"""A store that forgets everything when the process ends (``--memory`` on the CLI)."""


@dataclass(frozen=True, slots=True, kw_only=True, weakref_slot=True)
class Assistant:
    """What every channel talks to: ``respond`` answers a turn and never raises."""

    config: Config
    router: Router
    dialog: Responder
    """The ``Dialog`` (tests may put a stand-in here)."""
    store: Store

    def respond(self, turn: Turn) -> Reply:
        return self.dialog.respond(turn)

    def prepare(self, language: str) -> None:
        """Load now what a turn in ``language`` needs, its matcher and the skills' knowledge of it (the
        embedding model, the index), as a server does at its start: a command's first turn (``voice
        chat``) then takes as long as every later one, and its stored latency is the turn's own."""
        self.router.matcher(language)
        for answerer in self._knowledge():
            answerer.prepare(language)

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        """Wait for what loads in the background at start (a server's knowledge bases); True when done."""
        return all(answerer.wait(timeout) for answerer in self._knowledge())

    def _knowledge(self) -> list[KnowledgeAnswerer]:
        answerers = self.dialog.answerers if isinstance(self.dialog, Dialog) else ()
        return [answerer for answerer in answerers if isinstance(answerer, KnowledgeAnswerer)]

    def close(self) -> None:
        """Let background work finish, then release the store's connections."""
        if isinstance(self.dialog, Dialog):
            self.dialog.close()
        self.store.close()


def build_assistant(
    config: Config,
    *,
    store: str | None = None,
    home_assistant: Iterable[str] = (),
    lists: Mapping[str, Iterable[Any]] | None = None,
    answerers: Sequence[Answerer] = (),
    serving: bool = False,
) -> Assistant:
    """The assistant of ``config``; ``store`` overrides the configured store URL (e.g. ``MEMORY_STORE``).

    ``home_assistant`` adds Home Assistant's intents for those languages; ``lists`` gives
    runtime list values (``{"area": ["keuken"]}``); ``answerers`` go first in the chain for what no
    intent matched, then the skills' content (``voice.dialog.knowledge``), then the fallback.
    ``serving`` (the server): the skills' content loads in the background, so no caller waits for it.
    """
    extra = {language: [IntentSet.from_home_assistant(language)] for language in home_assistant}
    router = build_router(config, load_skills(config), extra_intents=extra, lists=lists)
    check_skills(router)
    opened = open_store(store or store_url(config))
    knowledge = knowledge_answerer(router.skills.values(), background=serving)
    chain = [*answerers, *([knowledge] if knowledge else [])]
    dialog = Dialog(
        router,
        opened,
        policy=HandoffPolicy.from_settings(config.handoff),
        sink=build_sink(config),
        answerers=chain,
        retention_days=config.retention_days,
        redactor=Redactor(config.privacy),
        satisfaction=str(config.insights.get("satisfaction", "off")),
        time_zone=business_zone(config),
    )
    return Assistant(config=config, router=router, dialog=dialog, store=opened)


def load_skills(config: Config) -> list[Skill]:
    """The configured skills, each with its ``[skill.<name>]`` settings."""
    skills = [configured_skill(reference, config) for reference in skill_references(config)]
    if not config.chosen_skills:
        _refuse_unused_tables(config, sorted(skill.name for skill in skills))
    return skills


def configured_skill(reference: str, config: Config) -> Skill:
    """The skill ``reference`` names (in the config's project, else shipped), with its ``[skill.<name>]``
    settings: what its code reads (``orders_url``) is as every command and start has it."""
    skill = load_skill(reference, skills_folder(config))
    skill.settings = dict(config.skill.get(skill.name, {}))
    return skill


def build_router(
    config: Config,
    skills: Sequence[Skill],
    *,
    extra_intents: Mapping[str, Iterable[IntentSet]] | None = None,
    lists: Mapping[str, Iterable[Any]] | None = None,
) -> Router:
    """The router of ``skills`` as the config serves them; two skills of one name, or ``locales`` that no
    skill speaks, stop it (and so every command and start)."""
    return Router(
        skills,
        extra_intents=extra_intents,
        lists=lists,
        fuzzy_threshold=config.fuzzy_threshold,
        languages=served_languages(config, skills),
    )


def served_languages(config: Config, skills: Sequence[Skill]) -> list[str]:
    """The languages of the config's ``locales``. A command that chose some of the skills
    (``voice check SKILL``) serves those of them these skills speak: the locales are for all of them."""
    served = [language_of(locale) for locale in config.locales]
    if config.chosen_skills and served:
        spoken = {language for skill in skills for language in skill.languages}
        served = [language for language in served if language in spoken]
        if not served:
            raise ConfigError(
                f"{config.source}: locales = {list(config.locales)} names no language that "
                f"{', '.join(skill.name for skill in skills)} speaks ({', '.join(sorted(spoken))}); "
                "the server would not serve it: add its language to locales."
            )
    return served


def _refuse_unused_tables(config: Config, names: list[str]) -> None:
    """A ``[skill.<name>]`` table of no loaded skill (``[skill.custmer_service]``) is a ``ConfigError``: its
    settings would reach no skill, and the one they were meant for would fail at run time instead."""
    for table in config.skill:
        if table not in names:
            hint = did_you_mean(table, names, "[skill.{}]")
            raise ConfigError(
                f"{config.source}: [skill.{table}] is for a skill that is not loaded{hint}; "
                f"the loaded skills are {', '.join(names)}."
            )


UNREACHABLE_HANDOFF = (
    "[handoff] has no url, queue or transfer_to, so no colleague can take over: a caller who asks for "
    "a person hears that nobody can now; set one of them (docs/deployment.md)."
)
"""The start's warning when nobody can take a handoff (``Dialog.reachable`` false)."""


def build_sink(config: Config) -> HandoffSink | None:
    """The sink of ``[handoff]``: ``url`` (HTTP), ``queue`` (JSON lines), or both, tried in order."""
    sinks: list[HandoffSink] = []
    if config.handoff.get("url"):
        sinks.append(
            HttpSink(
                str(config.handoff["url"]),
                timeout=float(config.handoff.get("timeout", 2.0)),
                retries=int(config.handoff.get("retries", 0)),
            )
        )
    if config.handoff.get("queue"):
        sinks.append(QueueFileSink(str(config.handoff["queue"])))
    return FanOutSink(sinks) if len(sinks) > 1 else (sinks[0] if sinks else None)
