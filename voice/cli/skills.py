"""``voice parse``, ``chat``, ``check`` and ``test``: the skills from the command line, via the assistant."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from speech.audio import write_wav
from speech.errors import AudioError
from speech.playback import play
from speech.tts import Synthesizer

from ..assistant import Assistant, build_router, load_skills, served_languages
from ..builtins import BUILTIN
from ..channels.chat import ChatChannel
from ..channels.local import configured_voice
from ..config import Config, business_zone, only_skills, skill_references
from ..errors import VoiceError
from ..examples import examples_in_use
from ..language import language_of
from ..nlu import IntentSet
from ..nlu.check import find_conflicts
from ..skill_check import skill_problems
from ..state import DialogState
from ..testing import assistant_for_tests, load_script, run_script, scripts_of
from ..testing_fit import unserved_language, unserved_reason
from ..turn import Turn
from .authoring import debug_line, expected_context, parse_now
from .context import CliContext, config_option, locale_option, pass_context, require_language

if TYPE_CHECKING:
    from ..router import Router
    from ..server import StartSettings

_ha_option = click.option("--home-assistant", "ha", is_flag=True, help="Also load Home Assistant's intents.")
_list_option = click.option(
    "--list",
    "list_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="A list value, e.g. area=keuken (repeatable).",
)


def _lists(values: tuple[str, ...]) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = defaultdict(list)
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise VoiceError(f"--list {item!r} is not NAME=VALUE; write it like --list area=keuken.")
        lists[name.strip()].append(value.strip())
    return dict(lists)


def _assistant(
    context: CliContext, languages: list[str], ha: bool, list_values: tuple[str, ...], *, memory: bool
) -> Assistant:
    return context.assistant(memory=memory, home_assistant=languages if ha else [], lists=_lists(list_values))


@click.command()
@click.argument("text")
@locale_option(what="The language of TEXT")
@click.option("--all", "show_all", is_flag=True, help="Also list the other matching intents, best first.")
@click.option("--expect", "slot", default=None, help="Read TEXT as the answer to a flow's question for SLOT.")
@click.option(
    "--flow", default=None, help="With --expect: the flow (intent) asking, if several ask for SLOT."
)
@click.option("--now", default=None, help="The clock: 2026-11-27 or 2026-11-27T16:30 (for 'morgen').")
@_ha_option
@_list_option
@config_option
@pass_context
def parse(
    context: CliContext,
    text: str,
    locale: str,
    show_all: bool,
    slot: str | None,
    flow: str | None,
    now: str | None,
    ha: bool,
    list_values: tuple[str, ...],
) -> None:
    """Print the intent and slots that TEXT matches, as JSON (built-in intents such as yes and stop too),
    read as a conversation reads it: without "eh", an opening "en" or venting before a request for a
    person."""
    language = language_of(locale)
    assistant = _assistant(context, [language], ha, list_values, memory=True)
    asked = expected_context(assistant, slot, flow) if slot else None
    zone = business_zone(assistant.config)
    router, clock = assistant.router, parse_now(now, zone) or dt.datetime.now(zone)
    best = router.parse(text, language, asked, now=clock)
    if best is None:
        click.echo(json.dumps({"intent": None, "text": text}, ensure_ascii=False))
        sys.exit(1)
    result = best.to_dict()
    if show_all:
        others = router.matcher(language).match_all(text, context=asked, now=clock)
        result["alternatives"] = [
            m.to_dict()
            for m in map(router.resolved, others)
            if m is not None and (m.skill, m.intent) != (best.skill, best.intent)
        ]
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@click.command()
@locale_option(what="The language of the conversation")
@click.option("--user", default=None, help="The caller's id in the store (default: your login name).")
@click.option("--memory", is_flag=True, help="Keep the conversation in memory only (not in the store).")
@click.option("--speak", is_flag=True, help="Also speak every reply on the speaker.")
@click.option(
    "--speak-to",
    "speak_to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every spoken reply as a WAV file into this folder (reply-001.wav, ...).",
)
@click.option("--debug", is_flag=True, help="Show the intent, slots, score and who answered each line.")
@click.option(
    "--now", default=None, help="Set the clock: 2026-11-27 or 2026-11-27T16:30 (a Friday: 'morgen')."
)
@click.option("--skill", "skill_names", multiple=True, help="Only this skill (name or folder; repeatable).")
@_ha_option
@_list_option
@config_option
@pass_context
def chat(
    context: CliContext,
    locale: str,
    user: str | None,
    memory: bool,
    speak: bool,
    speak_to: Path | None,
    debug: bool,
    now: str | None,
    skill_names: tuple[str, ...],
    ha: bool,
    list_values: tuple[str, ...],
) -> None:
    """A typed conversation with the skills; one line is one turn (Ctrl-D ends).

    It is kept, logged and handed off like a call, in the configured store (``--memory``: not kept).
    """
    if skill_names:
        context._config = only_skills(context.config, skill_names)
    language = language_of(locale)
    assistant = _assistant(context, [language], ha, list_values, memory=memory)
    try:
        require_language(assistant, language)
        assistant.prepare(language)  # before the first prompt: the first turn's latency is its own
        debugger = _Debugger(assistant, parse_now(now, business_zone(assistant.config)), debug)
        synthesizer = configured_voice(assistant.config)
        voice_out = _ReplyVoice(synthesizer, locale, speak, speak_to) if speak or speak_to else None
        channel = ChatChannel(locale, user_id=user or getpass.getuser())
        typed = _typed_lines()
        interactive = typed.isatty()
        while True:
            if interactive:
                click.echo("> ", nl=False)
            line = typed.readline()
            if not line:
                break
            if line.strip() and _chat_turn(assistant, channel, line, voice_out, debugger):
                break
    finally:
        assistant.close()


def _typed_lines() -> TextIO:
    """Standard input read as UTF-8, a byte that is not UTF-8 read as U+FFFD: a stray byte is a typo in
    the line, where an undecodable character failed the turn (redaction, the store) with a traceback."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    return sys.stdin


_NO_SPEAKER = "no audio output device is available; use --speak-to FOLDER to write the replies as WAV files."


class _ReplyVoice:
    """Speaks chat replies on the speaker and/or into numbered WAV files."""

    def __init__(self, synthesizer: Synthesizer, locale: str, play: bool, folder: Path | None) -> None:
        synthesizer.voice_for(locale)  # a bad voice now, not after the first reply
        self.synthesizer, self.locale, self.play, self.folder = synthesizer, locale, play, folder
        self.count = 0

    def say(self, speech_text: str) -> None:
        speech = self.synthesizer.synthesize(speech_text, self.locale)
        self.count += 1
        if self.folder is not None:
            write_wav(self.folder / f"reply-{self.count:03}.wav", speech.samples, speech.rate)
        if self.play:
            try:
                play(speech.samples, speech.rate)
            except AudioError as exc:
                raise AudioError(_NO_SPEAKER) from exc


class _Debugger:
    """``--now`` and ``--debug`` of ``voice chat``: the turn's clock, and what was understood."""

    def __init__(self, assistant: Assistant, now: dt.datetime | None, show: bool) -> None:
        self.assistant, self.now, self.show = assistant, now, show

    def turn(self, turn: Turn) -> Turn:
        return turn if self.now is None else replace(turn, time=self.now)

    def explain(self, turn: Turn) -> Callable[[], str] | None:
        """Before the turn: what it will be understood as; the result, called after it, says who answered."""
        if not self.show:
            return None
        session = self.assistant.store.load(turn.session_id)
        state = session.dialog if session else DialogState()
        match = self.assistant.router.parse(
            turn.text, turn.language, state.context(), now=turn.time, confirming=state.slot_to_confirm
        )
        before = {"fallbacks": state.fallbacks, "handed_over": int(state.handed_over)}
        return lambda: debug_line(self.assistant, turn, match, before)


def _chat_turn(
    assistant: Assistant,
    channel: ChatChannel,
    line: str,
    voice_out: _ReplyVoice | None,
    debugger: _Debugger | None = None,
) -> bool:
    """Answer one line; True when the conversation is over."""
    turn = channel.to_turn(line)
    explain = None
    if debugger is not None:
        turn = debugger.turn(turn)
        explain = debugger.explain(turn)
    reply = assistant.respond(turn)
    click.echo(channel.to_response(reply, turn))
    if explain is not None:
        click.echo(explain())
    if voice_out is not None:
        voice_out.say(reply.speech)
    return reply.end_session


@click.command()
@click.argument("skill_names", nargs=-1, metavar="[SKILL]...")
@click.option("-l", "--locale", "locales", multiple=True, help="Languages to check (default: all loaded).")
@click.option(
    "--per-template",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Sample sentences per template.",
)
@_ha_option
@_list_option
@config_option
@pass_context
def check(
    context: CliContext,
    skill_names: tuple[str, ...],
    locales: tuple[str, ...],
    per_template: int,
    ha: bool,
    list_values: tuple[str, ...],
) -> None:
    """Check the skills as the start does (handlers, templates, responses and prompts fit together; the
    framework has built-in intents and replies in their languages), then find sentences that more than
    one intent matches, and templates that can never match.

    Lists filled at run time (names from an API, Home Assistant's areas) need values here: --list area=keuken.
    The server settings are checked as every start reads them: the config file's, then VOICE_* variables.
    """
    from ..channels.dialogflow import check_intent_map
    from ..server import start_settings  # Flask: only this command needs it

    if skill_names:
        context._config = only_skills(context.config, skill_names)
    config = context.config
    start = start_settings(config)  # refused first, as every start does, the VOICE_* variables included
    languages = [language_of(loc) for loc in locales]
    skills = load_skills(config)
    served = served_languages(config, skills)
    extra = (
        {lang: [IntentSet.from_home_assistant(lang)] for lang in languages or served or ("en", "nl")}
        if ha
        else {}
    )
    router = build_router(config, skills, extra_intents=extra, lists=_lists(list_values))
    if not config.chosen_skills:  # the map may name the intents of the skills left out
        check_intent_map(start.values, router, config.source)
    _tell_start_settings(start, config)
    problems = skill_problems(router)
    for problem in problems:
        click.echo(f"PROBLEM: {problem}")
    for skill in router.skills.values():
        for line in examples_in_use(skill):
            click.echo(f"warning: skill {skill.name!r}: {line}", err=True)
    if problems:
        sys.exit(1)
    results = [_tell_conflicts(router, language, per_template) for language in languages or router.languages]
    if not all(results):
        sys.exit(1)


def _tell_conflicts(router: Router, language: str, per_template: int) -> bool:
    """Print the sentences of ``language`` more than one intent claims and the templates that can never
    match; whether there were none."""
    report = find_conflicts(router.matcher(language), per_template=per_template)
    # the framework's own overlaps ("ok thanks": yes or thanks, as the dialog asks) are no skill's to fix
    conflicts = [c for c in report.conflicts if any(skill != BUILTIN for skill, _ in c.matches)]
    click.echo(
        f"{language}: {report.sentences} sample sentences, {len(conflicts)} claimed by more "
        f"than one intent, {len(report.dead)} templates that can never match"
    )
    for conflict in conflicts:
        where = "ACROSS SKILLS" if conflict.cross_skill else "within a skill"
        claims = ", ".join(f"{skill}/{intent}" for skill, intent in conflict.matches)
        click.echo(f"  {where}: {conflict.sentence!r} ({conflict.skill}/{conflict.intent}) -> {claims}")
    for dead in report.dead:
        click.echo(f"  NEVER MATCHES: {dead.skill}/{dead.intent} {dead.template!r}: {dead.reason}")
    return report.ok


_NO_SKILL_IDS = (
    "Alexa request verification is on and alexa_application_ids is empty, so the server (voice serve, "
    "gunicorn) will refuse to start; set [server] alexa_application_ids to your skill's id "
    '(["amzn1.ask.skill.…"]), or, for development only, run voice serve --no-verify.'
)


def _tell_start_settings(start: StartSettings, config: Config) -> None:
    """Name the ``VOICE_*`` variables the settings came from, and warn of what only ``voice serve
    --no-verify`` starts and of a phone transfer the webhook cannot send."""
    from ..channels.alexa import verify_config
    from ..channels.dialogflow import unsent_transfer

    if start.environment:
        click.echo(
            f"settings from the environment, as every start reads them: {', '.join(start.environment)}"
        )
    if verify_config(start.values).lacks_skill_ids:
        click.echo(f"warning: {_NO_SKILL_IDS}", err=True)
    if warning := unsent_transfer(start.values, config.handoff):
        click.echo(f"warning: {warning}", err=True)


@dataclass(frozen=True, slots=True)
class _Played:
    """One script's outcome in ``voice test``: its failures, or the language it was skipped in."""

    failures: list[str]
    skipped: str | None = None


def _run_file(path: Path, assistant: Assistant) -> _Played:
    """Play one script. One that cannot be read, or does not fit the skill (a locale it does not speak,
    a stub for no setting of it), is one failure, and the run goes on; one in a language the skill speaks
    and the config does not serve is skipped."""
    try:
        script = load_script(path)
        language = unserved_language(script.locale, assistant.router)
        return _Played([], language) if language else _Played(run_script(script, assistant))
    except VoiceError as exc:
        return _Played([exc.message])


@click.command("test")
@click.argument("skill_names", nargs=-1, metavar="[SKILL]...")
@config_option
@pass_context
def test_skills(context: CliContext, skill_names: tuple[str, ...]) -> None:
    """Run the conversation scripts (tests/*.yaml) of the skills; all loaded skills by default. Scripts in a
    language the config's locales leave out are skipped, with the reason."""
    config = only_skills(context.config, skill_names) if skill_names else context.config
    references = skill_references(config)
    build_router(config, load_skills(config))  # the scripts run per skill: refuse the set as every start does
    failed = total = 0
    skipped: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="voice-test-") as workdir:
        for reference in references:
            assistant = assistant_for_tests(reference, Path(workdir), config)
            for skill in assistant.router.skills.values():
                for path in scripts_of(skill.root):
                    played = _run_file(path, assistant)
                    total += 1
                    failed += bool(played.failures)
                    if played.skipped:
                        skipped[played.skipped] += 1
                    click.echo(f"{_verdict(played)} {skill.name}/{path.name}")
                    for failure in played.failures:
                        click.echo(f"     {failure}")
            assistant.close()
    if not total:
        raise VoiceError(
            f"no conversation scripts in the tests/ folder of {', '.join(references)}; "
            "write one (docs/skills.md, Conversation tests)."
        )
    _tell_totals(total - skipped.total(), failed, skipped, config)
    if failed:
        sys.exit(1)


def _tell_totals(ran: int, failed: int, skipped: Counter[str], config: Config) -> None:
    """The counts, and why the skipped scripts did not run (once per language)."""
    click.echo(
        f"{ran - failed} passed, {failed} failed" + (f", {skipped.total()} skipped" if skipped else "")
    )
    for language, count in sorted(skipped.items()):
        scripts = "1 script" if count == 1 else f"{count} scripts"
        click.echo(f"skipped {scripts} in {language}: {unserved_reason([language], config)}.")


def _verdict(played: _Played) -> str:
    return "FAIL" if played.failures else "skip" if played.skipped else "ok  "
