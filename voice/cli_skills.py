"""``voice parse``, ``voice chat`` and ``voice check``: skills from the command line."""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from collections import defaultdict
from pathlib import Path

import click

from speech.audio import write_wav
from speech.errors import AudioError
from speech.playback import play
from speech.tts import Synthesizer

from .app import build_router, build_synthesizer
from .cli_options import config_option
from .config import Config, load_config, skill_references
from .dialog.manager import Dialog
from .errors import VoiceError
from .nlu.check import find_conflicts
from .router import Router
from .skill import load_skill
from .store import open_store
from .testing import load_script, run_script, scripts_of
from .turn import Turn

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


def _router(config: Config, locale: str, ha: bool, list_values: tuple[str, ...]) -> Router:
    language = locale.split("-")[0].lower()
    return build_router(config, home_assistant=[language] if ha else [], lists=_lists(list_values))


@click.command()
@click.argument("text")
@click.option("-l", "--locale", default="en", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list the other matching intents, best first.")
@_ha_option
@_list_option
@config_option
def parse(
    text: str, locale: str, show_all: bool, ha: bool, list_values: tuple[str, ...], config_path: Path | None
) -> None:
    """Print the intent and slots that TEXT matches, as JSON."""
    router = _router(load_config(config_path), locale, ha, list_values)
    language = locale.split("-")[0].lower()
    matches = router.matcher(language).match_all(text, limit=None if show_all else 1)
    if not matches:
        click.echo(json.dumps({"intent": None, "text": text}, ensure_ascii=False))
        sys.exit(1)
    result = matches[0].to_dict()
    if show_all:
        result["alternatives"] = [m.to_dict() for m in matches[1:]]
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@click.command()
@click.option("-l", "--locale", default="en", show_default=True)
@click.option("--speak", is_flag=True, help="Also speak every reply on the speaker.")
@click.option(
    "--speak-to",
    "speak_to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every spoken reply as a WAV file into this folder (reply-001.wav, ...).",
)
@_ha_option
@_list_option
@config_option
def chat(
    locale: str,
    speak: bool,
    speak_to: Path | None,
    ha: bool,
    list_values: tuple[str, ...],
    config_path: Path | None,
) -> None:
    """A text conversation with the loaded skills; one line is one turn (Ctrl-D ends)."""
    config = load_config(config_path)
    router = _router(config, locale, ha, list_values)
    voice_out = _ReplyVoice(build_synthesizer(config), locale, speak, speak_to) if speak or speak_to else None
    session = uuid.uuid4().hex
    interactive = sys.stdin.isatty()
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(router, store)
        while True:
            if interactive:
                click.echo("> ", nl=False)
            line = sys.stdin.readline()
            if not line:
                break
            if line.strip() and _chat_turn(dialog, line.strip(), locale, session, voice_out):
                break


_NO_SPEAKER = "no audio output device is available; use --speak-to FOLDER to write the replies as WAV files."


class _ReplyVoice:
    """Speaks chat replies on the speaker and/or into numbered WAV files."""

    def __init__(self, synthesizer: Synthesizer, locale: str, play: bool, folder: Path | None) -> None:
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


def _chat_turn(dialog: Dialog, text: str, locale: str, session: str, voice_out: _ReplyVoice | None) -> bool:
    """Answer one line; True when the conversation is over."""
    reply = dialog.respond(Turn(text=text, locale=locale, channel="chat", session_id=session))
    click.echo(reply.text)
    if voice_out is not None:
        voice_out.say(reply.speech)
    return reply.end_session


@click.command()
@click.option("-l", "--locale", "locales", multiple=True, help="Languages to check (default: all loaded).")
@click.option("--per-template", default=3, show_default=True, help="Sample sentences per template.")
@_ha_option
@_list_option
@config_option
def check(
    locales: tuple[str, ...],
    per_template: int,
    ha: bool,
    list_values: tuple[str, ...],
    config_path: Path | None,
) -> None:
    """Find sentences that more than one intent matches, and templates that can never match.

    Lists filled at run time (names from an API, Home Assistant's areas) need values here: --list area=keuken.
    """
    config = load_config(config_path)
    languages = [loc.split("-")[0].lower() for loc in locales] or None
    router = build_router(
        config, home_assistant=languages or config.locales if ha else [], lists=_lists(list_values)
    )
    ok = True
    for language in languages or router.languages:
        report = find_conflicts(router.matcher(language), per_template=per_template)
        click.echo(
            f"{language}: {report.sentences} sample sentences, {len(report.conflicts)} claimed by more "
            f"than one intent, {len(report.dead)} templates that can never match"
        )
        for conflict in report.conflicts:
            where = "ACROSS SKILLS" if conflict.cross_skill else "within a skill"
            claims = ", ".join(f"{skill}/{intent}" for skill, intent in conflict.matches)
            click.echo(f"  {where}: {conflict.sentence!r} ({conflict.skill}/{conflict.intent}) -> {claims}")
        for dead in report.dead:
            click.echo(f"  NEVER MATCHES: {dead.skill}/{dead.intent} {dead.template!r}: {dead.reason}")
        ok = ok and report.ok
    if not ok:
        sys.exit(1)


@click.command("test")
@click.argument("skill_names", nargs=-1, metavar="[SKILL]...")
@config_option
def test_skills(skill_names: tuple[str, ...], config_path: Path | None) -> None:
    """Run the conversation scripts (tests/*.yaml) of the skills; all loaded skills by default."""
    config = load_config(config_path)
    references = list(skill_names) or skill_references(config)
    failed = total = 0
    with tempfile.TemporaryDirectory(prefix="voice-test-") as workdir:
        for reference in references:
            skill = load_skill(reference)
            router = Router([skill])
            for path in scripts_of(skill.root):
                failures = run_script(load_script(path), router, Path(workdir))
                total += 1
                failed += bool(failures)
                click.echo(f"{'FAIL' if failures else 'ok  '} {skill.name}/{path.name}")
                for failure in failures:
                    click.echo(f"     {failure}")
    click.echo(f"{total - failed} passed, {failed} failed")
    if failed or not total:
        sys.exit(1)
