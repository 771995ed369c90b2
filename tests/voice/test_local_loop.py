"""The hands-free loop through the real Korean Vosk model, real espeak-ng and the simulated device."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import AUDIO, FIXTURE_MODELS, ROOT

from speech import audio, devices
from speech.devices import SimulatedAudio
from speech.errors import AudioError
from speech.models import load_model
from speech.tts import EspeakSynthesizer
from voice.assistant import MEMORY_STORE, build_assistant
from voice.channels.local import Ears, LocalChannel, LocalLoop, LoopConfig, LoopEvent, Mode, build_local_loop
from voice.cli import cli
from voice.config import Config

pytestmark = pytest.mark.usefixtures("steady_korean_env")

KOREAN_SKILL = ROOT / "tests" / "voice" / "korean_skill"
LONG_REPLY_S = 3.0


def _clip(name: str) -> np.ndarray:
    return audio.read_wav(AUDIO / f"{name}.wav")


def _onset(samples: np.ndarray) -> float:
    """Seconds to the first 20 ms frame of a clip louder than -45 dBFS: where speech starts."""
    return next(i for i, f in enumerate(audio.frames(samples, 20)) if audio.level_dbfs(f) > -45) * 0.02


class EchoAudio(SimulatedAudio):
    """A microphone that also hears the speaker at ``gain`` (no headphones, no echo cancellation)."""

    def __init__(self, samples: np.ndarray, gain: float) -> None:
        super().__init__(samples)
        self.gain = gain

    def read(self, frames: int) -> np.ndarray | None:
        start = self.position
        chunk = super().read(frames)
        if chunk is None or not self.gain:
            return chunk
        mixed = chunk.astype(np.float64)
        for playback in self.playbacks:
            heard, at = playback.heard, int(round(playback.start * 16000))
            low, high = max(start, at), min(start + len(chunk), at + len(heard))
            if low < high:
                mixed[low - start : high - start] += heard[low - at : high - at] * self.gain
        return np.clip(mixed, -32768, 32767).astype(np.int16)


class Session:
    """A scripted stretch of microphone audio, the loop that hears it, and what it did."""

    def __init__(
        self,
        parts: list[np.ndarray | float],
        korean_model: Path,
        mode: Mode = Mode.WAKE_WORD,
        pushes: tuple[float, ...] = (),
        *,
        barge_in: bool = False,
        echo: float = 0.0,
    ) -> None:
        self.starts: list[float] = []
        pieces, at = [], 0.0
        for part in parts:
            piece = audio.silence(part) if isinstance(part, float) else part
            if not isinstance(part, float):
                self.starts.append(at)
            pieces.append(piece)
            at += audio.duration(piece)
        self.device = EchoAudio(np.concatenate(pieces), echo)
        self.pushes = sorted(pushes)
        self.events: list[LoopEvent] = []
        assistant = build_assistant(Config(skills=(str(KOREAN_SKILL),)), store=MEMORY_STORE)
        build_local_loop(
            assistant,
            "ko",
            (self.device, self.device),
            model_dir=korean_model,
            settings=LoopConfig(wake_phrase="안녕하세요", mode=mode, follow_up_s=2.0, barge_in=barge_in),
            on_event=self.events.append,
            pushed=self._pressed,
        ).run()
        assistant.close()

    def _pressed(self, now: float) -> bool:
        """The simulated talk button: pressed at the scripted stream times."""
        if self.pushes and now >= self.pushes[0]:
            self.pushes.pop(0)
            return True
        return False

    def kinds(self, kind: str) -> list[LoopEvent]:
        return [e for e in self.events if e.kind == kind]

    def replies(self) -> list[str]:
        return [str(e.data["intent"]) for e in self.kinds("reply")]


@pytest.fixture(scope="module")
def model(korean_model: Path) -> Iterator[Path]:
    yield korean_model


def test_wake_word_command_reply_and_a_follow_up_without_the_wake_word(model: Path) -> None:
    session = Session(
        [0.5, _clip("ko_hello_175"), 0.7, _clip("ko_music_on_175"), 3.0, _clip("ko_light_off_175"), 4.0],
        model,
    )
    assert session.kinds("wake") and session.replies() == ["PlayMusic", "LightsOff"]
    follow_up = [e for e in session.kinds("state") if e.data.get("follow_up")]
    assert follow_up, "the question was followed by listening without the wake word"
    spoken = session.device.playbacks
    assert len(spoken) == 2 and all(p.stopped_at is None for p in spoken)
    assert all(audio.level_dbfs(p.heard) > -30 for p in spoken), "real espeak-ng speech, not silence"
    heard = session.kinds("heard")
    assert [e.data["text"] for e in heard] == ["음악 틀어", "불 꺼"]
    assert [e.data["how"] for e in heard] == ["phrase", "phrase"], "our own endpoint, not Vosk's 0.8 s"
    assert all(float(e.data["endpoint_delay_s"]) <= 0.25 for e in heard)


def test_without_the_wake_word_nothing_happens(model: Path) -> None:
    session = Session([0.5, _clip("ko_music_on_175"), 1.0, _clip("ko_light_off_130"), 2.0], model)
    assert session.kinds("wake") == [] and session.replies() == [] and session.device.playbacks == []


def test_barge_in_with_headphones_stops_playback_within_200_ms_and_becomes_the_next_turn(model: Path) -> None:
    interruption = _clip("ko_music_on_130")
    session = Session(
        [0.5, _clip("ko_hello_175"), 0.7, _clip("ko_light_off_175"), 1.2, interruption, 3.0],
        model,
        barge_in=True,
    )
    long_reply = session.device.playbacks[0]
    assert audio.duration(long_reply.samples) > LONG_REPLY_S and long_reply.stopped_at is not None
    speech_starts = session.starts[2] + _onset(interruption)
    assert long_reply.start < speech_starts < long_reply.stopped_at
    assert long_reply.stopped_at - speech_starts <= 0.2, "playback stops within 200 ms of stream time"
    assert session.kinds("barge_in") and session.replies() == ["LightsOff", "PlayMusic"]


@pytest.mark.parametrize("gain", [0.5, 0.1, 0.03])
def test_by_default_the_speaker_heard_by_the_microphone_does_not_interrupt_the_reply(
    model: Path, gain: float
) -> None:
    session = Session([0.5, _clip("ko_hello_175"), 0.7, _clip("ko_music_on_175"), 6.0], model, echo=gain)
    assert session.kinds("barge_in") == [] and session.replies() == ["PlayMusic"]
    reply, *earcon = session.device.playbacks  # the earcon when the follow-up time ran out
    assert reply.stopped_at is None and len(earcon) == len(session.kinds("earcon")), "played whole"


def test_an_unanswered_follow_up_goes_back_to_the_wake_word(model: Path) -> None:
    session = Session(
        [0.5, _clip("ko_hello_175"), 0.7, _clip("ko_music_on_175"), 5.0, _clip("ko_light_off_175"), 2.0],
        model,
    )
    assert session.kinds("timeout") and session.replies() == ["PlayMusic"], (
        "'불 꺼' came too late, without wake"
    )
    assert len(session.kinds("wake")) == 1, "a command is not taken for the wake phrase"
    assert session.kinds("state")[-1].data["state"] == "waiting"


def test_always_listening_needs_no_wake_word(model: Path) -> None:
    session = Session([0.3, _clip("ko_light_off_175"), 5.0], model, mode=Mode.ALWAYS)
    assert session.replies() == ["LightsOff"]


def test_speech_outside_the_grammar_gets_an_open_vocabulary_second_opinion(model: Path) -> None:
    session = Session([0.3, _clip("ko_oog_thanks"), 3.0], model, mode=Mode.ALWAYS)
    assert session.kinds("rejected"), "the grammar refused it"
    heard = session.kinds("heard")[0]
    assert heard.data["text"] != "" and heard.data["text"] not in ("음악 틀어", "불 꺼")
    assert session.replies() == ["None"], "nothing matched, so the fallback answered"


def test_the_terminal_says_once_that_words_were_heard_outside_the_grammar(tmp_path: Path) -> None:
    """The grammar refuses "고마워요"; the open-vocabulary second opinion hears words in it. The terminal
    printed "(not in the grammar: ...)" and then "you: ..." with those words, as if they were understood."""
    said = np.concatenate([audio.silence(0.3), _clip("ko_oog_thanks"), audio.silence(3.0)])
    wav = audio.write_wav(tmp_path / "thanks.wav", said)
    code, output = _run(tmp_path, "-l", "ko", "--mode", "always", "--input", str(wav))
    assert code == 0, output
    # the caller's lines and the refusal line; not the assistant's "Could you say it differently?"
    lines = [line.split("s ", 1)[1] for line in output.splitlines() if "s " in line]
    heard = [text for text in lines if text.startswith("you") or "not in the grammar" in text]
    assert len(heard) == 1 and heard[0].startswith("you (heard outside the grammar): "), output
    code, output = _run(tmp_path, "-l", "ko", "--mode", "always", "--input", str(wav), "--json")
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert [e["second_opinion"] for e in events if e["event"] == "rejected"] == [True]
    assert [e["outside_grammar"] for e in events if e["event"] == "heard"] == [True]


def test_voice_run_on_files_writes_the_spoken_reply(tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{KOREAN_SKILL}"]\n')
    output = tmp_path / "reply.wav"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "-l",
            "ko",
            "--input",
            str(AUDIO / "ko_wake_music_on.wav"),
            "--output",
            str(output),
            "--config",
            str(config),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [e["intent"] for e in events if e["event"] == "reply"] == ["PlayMusic"]
    said = audio.read_wav(output)
    reply_start = next(e["at"] for e in events if e["event"] == "reply")
    assert audio.level_dbfs(said[int(reply_start * 16000) :]) > -35 and audio.level_dbfs(
        said[:8000]
    ) == float("-inf")


@pytest.mark.parametrize(
    ("options", "note"),
    [
        ((), "with --input the replies are not played; add --output FILE.wav to hear them."),
        (
            ("--output-device", "1"),
            "with --input the replies are not played on --output-device; add --output",
        ),
        (("--output", "{out}", "--output-device", "1"), "with --input the replies go to {out}, not to"),
        (("--output", "{out}"), None),
    ],
    ids=["no-output", "device", "file-and-device", "file"],
)
def test_voice_run_on_a_file_says_where_the_replies_go(
    tmp_path: Path, options: tuple[str, ...], note: str | None
) -> None:
    """The replies to a file's commands are not played: without --output they went nowhere, silently."""
    out = str(tmp_path / "reply.wav")
    given = [option.format(out=out) for option in options]
    code, output = _run(tmp_path, "-l", "ko", "--input", str(AUDIO / "ko_wake_music_on.wav"), *given)
    assert code == 0 and "assistant [PlayMusic]" in output, output
    notes = [line.removeprefix("note: ") for line in output.splitlines() if line.startswith("note:")]
    if note is None:
        assert notes == []
    else:
        assert len(notes) == 1 and notes[0].startswith(note.format(out=out)), notes


def _without_portaudio(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No sounddevice, as on a machine without PortAudio: a laptop's real microphone is never opened."""
    asked: list[str] = []

    def missing(message: str) -> None:
        asked.append(message)
        raise AudioError(message)

    monkeypatch.setattr(devices, "import_sounddevice", missing)
    return asked


def test_without_audio_devices_the_loop_suggests_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _without_portaudio(monkeypatch)
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{KOREAN_SKILL}"]\nstore = "sqlite:///{tmp_path / "sessions.db"}"\n')
    result = CliRunner().invoke(cli, ["run", "-l", "ko", "--memory", "--config", str(config)])
    assert result.exit_code != 0
    assert "no audio input device is available; run with --input FILE.wav" in result.output and asked


def test_push_to_talk_listens_after_the_button_only(model: Path) -> None:
    # "불 꺼" before any press is ignored; the press at 2.5 s opens the microphone for "음악 틀어".
    session = Session(
        [0.3, _clip("ko_light_off_175"), 1.0, _clip("ko_music_on_175"), 3.0],
        model,
        mode=Mode.PUSH_TO_TALK,
        pushes=(2.5,),
    )
    assert session.kinds("push") and session.kinds("wake") == []
    assert session.replies() == ["PlayMusic"]


def test_an_unused_push_times_out_back_to_waiting(model: Path) -> None:
    session = Session([0.3, 8.0], model, mode=Mode.PUSH_TO_TALK, pushes=(0.5,))
    assert session.kinds("timeout") and session.kinds("state")[-1].data["state"] == "waiting"


def test_voice_run_push_to_talk_on_a_file(tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{KOREAN_SKILL}"]\n')
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "-l",
            "ko",
            "--mode",
            "push",
            "--push-at",
            "1.5",
            "--input",
            str(AUDIO / "ko_wake_music_on.wav"),
            "--config",
            str(config),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "(talk button)" in result.output and "assistant [PlayMusic]" in result.output


def _run(tmp_path: Path, *args: str, skill: Path | str = KOREAN_SKILL, settings: str = "") -> tuple[int, str]:
    """``voice run`` with one skill (the Korean one) and more ``settings``, in memory."""
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{skill}"]\n{settings}')
    result = CliRunner().invoke(cli, ["run", "--memory", "--config", str(config), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(("flag", "tones"), [((), 1), (("--no-earcon",), 0)], ids=["earcon", "no-earcon"])
def test_voice_run_takes_the_earcon_from_its_option(
    tmp_path: Path, flag: tuple[str, ...], tones: int
) -> None:
    """``voice run --no-earcon`` ends listening without the tone; by default a tone says so. (A press of
    the talk button in silence, on a file: the shortest way to a time-out.)"""
    wav = audio.write_wav(tmp_path / "silence.wav", audio.silence(8.0))
    code, output = _run(
        tmp_path, "-l", "ko", "--mode", "push", "--push-at", "0.5", "--input", str(wav), "--json", *flag
    )
    assert code == 0, output
    events = [json.loads(line)["event"] for line in output.splitlines() if line.startswith("{")]
    assert "timeout" in events and events.count("earcon") == tones, events


def test_voice_run_without_a_locale_speaks_the_configs_first_locale(tmp_path: Path) -> None:
    """The Korean skill's config serves only ko: no ``-l`` needed (it defaulted to en, which no skill
    of this config speaks)."""
    wav = audio.write_wav(tmp_path / "silence.wav", audio.silence(2.0))
    code, output = _run(tmp_path, "--input", str(wav), "--json", settings='locales = ["ko"]\n')
    assert code == 0, output
    assert "no skill speaks" not in output


def test_a_wake_phrase_the_model_does_not_know_is_refused_at_the_start(tmp_path: Path) -> None:
    code, output = _run(
        tmp_path, "-l", "ko", "--wake", "hey computer", "--input", str(AUDIO / "ko_wake_music_on.wav")
    )
    assert code != 0 and "[waiting]" not in output
    assert "does not know 'hey', 'computer' of the wake phrase" in output and "--wake" in output


def test_a_model_of_another_language_is_refused_at_the_start(tmp_path: Path, model: Path) -> None:
    code, output = _run(
        tmp_path,
        *("-l", "en", "--model", str(model), "--input", str(AUDIO / "en_fx_session.wav")),
        skill="customer_service",
    )
    assert code != 0 and "is for 'ko', not 'en'" in output, "its LANG file says so"


def test_a_model_that_knows_none_of_the_commands_is_refused_at_the_start(tmp_path: Path) -> None:
    """The English fixture model without its card: nothing says its language, its words tell."""
    unnamed = shutil.copytree(
        FIXTURE_MODELS / "en", tmp_path / "model", ignore=shutil.ignore_patterns("*.json")
    )
    code, output = _run(
        tmp_path,
        *("-l", "ko", "--model", str(unnamed), "--wake", "hey computer"),
        *("--input", str(AUDIO / "ko_wake_music_on.wav")),
    )
    assert code != 0 and "[waiting]" not in output
    assert "knows none of the skills' phrases (not '불', '꺼'" in output and "--model" in output


@pytest.mark.parametrize(("model", "locale"), [("en", "nl"), ("nl", "en")])
def test_a_model_that_says_it_is_for_another_language_is_named_so(
    tmp_path: Path, model: str, locale: str
) -> None:
    """Its card says its language: that is the problem, not the words of the wake phrase it lacks."""
    code, output = _run(
        tmp_path,
        *(
            "-l",
            locale,
            "--model",
            str(FIXTURE_MODELS / model),
            "--input",
            str(AUDIO / f"{locale}_fx_wake.wav"),
        ),
        skill="customer_service",
    )
    assert code != 0 and "[waiting]" not in output
    assert f"is for '{model}', not '{locale}'; choose a model for '{locale}'" in output, output
    assert f"voice models pull {locale}" in output and "wake phrase" not in output


def test_without_a_wake_phrase_the_loop_takes_the_language_default(model: Path) -> None:
    ears = Ears(load_model(model), ["불 꺼", "음악 틀어", "안녕하세요"])
    device = SimulatedAudio(audio.silence(0.1))
    loop = LocalLoop(
        build_assistant(Config(skills=(str(KOREAN_SKILL),)), store=MEMORY_STORE),
        LocalChannel("ko", EspeakSynthesizer()),
        ears,
        LoopConfig(),
        (device, device),
    )
    assert loop.config.wake_phrase == loop.wake_phrase == "안녕하세요"


def test_a_voice_espeak_does_not_have_is_refused_before_the_loop_starts(tmp_path: Path) -> None:
    code, output = _run(
        tmp_path,
        "-l",
        "ko",
        "--input",
        str(AUDIO / "ko_wake_music_on.wav"),
        settings='[voices]\nko = "nosuch"\n',
    )
    assert code != 0 and "[waiting]" not in output
    assert "espeak-ng has no voice 'nosuch', the voice set for 'ko'" in output


def test_a_variant_espeak_does_not_have_is_refused_before_the_loop_starts(tmp_path: Path) -> None:
    code, output = _run(
        tmp_path,
        *("-l", "ko", "--input", str(AUDIO / "ko_wake_music_on.wav")),
        settings='[voices]\nko = "ko+nosuch"\n',
    )
    assert code != 0 and "[waiting]" not in output
    assert "espeak-ng has no variant 'nosuch' in the voice 'ko+nosuch' for 'ko'" in output


def test_output_without_input_is_refused(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "-l", "ko", "--output", str(tmp_path / "reply.wav"))
    assert code == 1 and "--output works with --input only" in output


@pytest.mark.parametrize(
    ("options", "told"),
    [
        (
            ["--realtime"],
            "error: --realtime works with --input only (it plays the file at real speed); add --input.\n",
        ),
        (
            ["--push-at", "1.0", "--input", str(AUDIO / "ko_wake_music_on.wav")],
            "error: --push-at works with --mode push and --input only; add them, or leave --push-at out.\n",
        ),
        (
            ["--mode", "push", "--push-at", "1.0"],
            "error: --push-at works with --mode push and --input only; add them, or leave --push-at out.\n",
        ),
    ],
    ids=["realtime-without-input", "push-at-without-push-mode", "push-at-without-input"],
)
def test_options_that_would_be_ignored_are_refused(tmp_path: Path, options: list[str], told: str) -> None:
    code, output = _run(tmp_path, "-l", "ko", *options)
    assert code == 1 and output == told


def test_push_to_talk_on_a_file_without_a_press_is_refused(tmp_path: Path) -> None:
    code, output = _run(
        tmp_path, "-l", "ko", "--mode", "push", "--input", str(AUDIO / "ko_wake_music_on.wav")
    )
    assert code == 1 and output == (
        "error: --mode push on a file needs --push-at SECONDS to press the talk button; give at least one.\n"
    )
