"""``voice say``, ``transcribe``, ``models`` and ``fixtures``: the speech side, from the command line."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from speech import audio, download, models, stt
from speech.fixtures import load_manifest, regenerate

from ..builtins import builtin_reply_languages
from ..channels.local import configured_voice
from ..errors import VoiceError
from ..language import language_of
from .context import CliContext, config_option, locale_option, pass_context

DEFAULT_MANIFEST = Path("fixtures/audio/manifest.yaml")


@click.command()
@click.argument("text")
@locale_option(what="The language of the text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write a WAV file.")
@click.option(
    "--voice", help="espeak-ng voice, e.g. nl+f2 (default: the config's [voices], else the locale's)."
)
@click.option(
    "--rate", type=click.IntRange(1), help="Words per minute (default: the config's speaking_rate)."
)
@config_option
@pass_context
def say(
    context: CliContext, text: str, locale: str, output: Path | None, voice: str | None, rate: int | None
) -> None:
    """Speak TEXT (plain or SSML) on the speaker, or into a WAV file with -o."""
    if not text.strip():
        raise VoiceError(_NOTHING_TO_SAY)
    _require_utf8(text)
    synthesizer = configured_voice(context.config, locale, voice=voice, rate=rate)
    speech = synthesizer.synthesize(text, locale)
    if not len(speech.samples):  # SSML without text or pauses: "<speak></speak>"
        raise VoiceError(_NOTHING_TO_SAY)
    if output is None:
        from speech.playback import play

        play(speech.samples, speech.rate)
        return
    audio.write_wav(output, speech.samples, speech.rate)
    click.echo(f"wrote {output} ({speech.duration:.2f} s)")


_NOTHING_TO_SAY = "there is nothing to say; give the text to speak."


def _require_utf8(text: str) -> None:
    """Text from the command line with bytes that are not UTF-8 (Python keeps them as surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise VoiceError(
            "the text is not valid UTF-8; give it in UTF-8 (set the terminal's encoding to UTF-8)."
        ) from exc


@click.command()
@click.argument("wav", type=click.Path(path_type=Path))
@click.option("-l", "--locale", help="Language of the speech; picks the installed model for it.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="A Vosk model folder.")
@click.option(
    "--grammar", "phrases", multiple=True, metavar="PHRASE", help="Only these phrases (repeatable)."
)
@click.option(
    "--reject-below",
    type=float,
    default=stt.DEFAULT_REJECT_BELOW,
    show_default=True,
    help="Grammar mode: reject results with a lower mean word confidence.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per utterance.")
def transcribe(
    wav: Path,
    locale: str | None,
    model_path: Path | None,
    phrases: tuple[str, ...],
    reject_below: float,
    as_json: bool,
) -> None:
    """Transcribe a WAV file with Vosk."""
    samples = audio.read_wav(wav)
    model = models.resolve_model(locale, model_path)
    grammar = stt.Grammar(phrases=phrases, reject_below=reject_below) if phrases else None
    transcripts = stt.transcribe(samples, model, grammar=grammar)
    for transcript in transcripts:
        if as_json:
            click.echo(json.dumps(transcript.to_dict(), ensure_ascii=False))
        elif transcript.is_match:
            click.echo(transcript.text)
        else:
            click.echo(f"(no match: heard {transcript.alternatives[0]!r})", err=True)
    if not any(t.is_match for t in transcripts):
        if grammar is not None and transcripts:
            raise VoiceError(f"the speech in {wav} matched none of the grammar's phrases.")
        raise VoiceError(f"no speech was recognised in {wav}.")


@click.group("models")
def models_group() -> None:
    """List and download Vosk models."""


@models_group.command("list")
def models_list() -> None:
    """Show the installed models in the order they are used."""
    found = models.find_models()
    if not found:
        click.echo("no models installed; run 'voice models pull LANG'.")
    for info in found:
        kind = "  (fixture: synthetic speech only)" if info.is_fixture else ""
        click.echo(f"{info.lang or '?':8} {info.name:40} {info.source}: {info.path}{kind}")
    for language in sorted(builtin_reply_languages()):
        missing = _missing(found, language)
        if missing:
            click.echo(
                f"{missing} for {language!r}; 'voice models pull {language}' installs Vosk's small one."
            )


def _missing(found: list[models.ModelInfo], language: str) -> str:
    """What a person at a microphone lacks in a language the framework speaks: any model, or one made
    for people (a fixture model knows synthetic speech only); ``""`` when a real one is installed."""
    own = [info for info in found if language_of(info.lang) == language]
    if any(not info.is_fixture for info in own):
        return ""
    return "only a fixture model (synthetic speech)" if own else "no model"


@models_group.command("pull")
@click.argument("lang")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), help="Install into this folder.")
def models_pull(lang: str, dest: Path | None) -> None:
    """Download Vosk's small model for LANG (e.g. en-us, nl) into ~/.cache/vosk."""
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=f"downloading {lang}", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        path = download.pull_model(lang, dest, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"installed {path}")


@click.group()
def fixtures() -> None:
    """Build test fixtures: synthetic audio (and speech models)."""


@fixtures.command("audio")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_MANIFEST,
    show_default=True,
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Folder (default: the manifest's)."
)
def fixtures_audio(manifest: Path, out: Path | None) -> None:
    """Regenerate every WAV in the manifest (deterministic: same bytes every time)."""
    written = regenerate(load_manifest(manifest), out or manifest.parent)
    click.echo(f"wrote {len(written)} fixtures to {out or manifest.parent}")


@fixtures.command("model")
@click.option("-l", "--locale", required=True, help="Language of the phrases, e.g. en or nl.")
@click.option(
    "--phrases",
    "phrase_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file with one phrase a line (default: the loaded skills' sentences and the wake phrase).",
)
@click.option("--phrase", "phrase_list", multiple=True, help="A phrase (repeatable).")
@click.option("--runtime-grammar", is_flag=True, help="The variant for Vosk's runtime grammars (HCLr + Gr).")
@click.option(
    "--wake",
    "wake_phrase",
    help="The wake phrase among the phrases, whose near misses the model learns to refuse "
    "(default per language, e.g. 'hallo computer').",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Also copy the model to this folder."
)
@config_option
@pass_context
def fixtures_model(
    context: CliContext,
    locale: str,
    phrase_file: Path | None,
    phrase_list: tuple[str, ...],
    runtime_grammar: bool,
    wake_phrase: str | None,
    out: Path | None,
) -> None:
    """Build (or find in the cache) a Vosk model that recognises these phrases spoken by espeak-ng."""
    from speech.fixture_model import build_fixture_model

    from ..grammar import WAKE_PHRASES, grammar_phrases

    language = language_of(locale)
    phrases = list(phrase_list)
    if phrase_file is not None:
        phrases += [
            line.strip() for line in phrase_file.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    wake = wake_phrase or WAKE_PHRASES.get(language)
    if not phrases:
        router = context.assistant(memory=True).router
        phrases = grammar_phrases(router, language, wake_phrase=wake)
    path = build_fixture_model(
        phrases,
        language,
        runtime_grammar=runtime_grammar,
        wake_phrase=wake,
        progress=lambda line: click.echo(line, err=True),
    )
    if out is not None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(path, out)
        path = out
    click.echo(str(path))
