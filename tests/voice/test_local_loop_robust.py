"""The local loop with a quiet talker, speech nearby that is not for it, and a silent caller (issue 17).

Real Vosk with the committed fixture models; the microphone plays espeak-ng voices they never heard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import AUDIO, FIXTURE_MODELS, fixture_phrases

from speech import audio, noise
from speech.devices import SimulatedAudio
from speech.models import load_model
from speech.tts import EspeakSynthesizer
from voice.assistant import MEMORY_STORE, Assistant, build_assistant
from voice.channels.local import Ears, LocalChannel, LocalLoop, LoopConfig, LoopEvent, Mode
from voice.cli import cli
from voice.config import Config
from voice.grammar import WAKE_PHRASES


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return build_assistant(Config(skills=("customer_service",), store=MEMORY_STORE))


def _piece(part: str | float | np.ndarray) -> np.ndarray:
    if isinstance(part, np.ndarray):
        return part
    return audio.silence(part) if isinstance(part, float) else audio.read_wav(AUDIO / f"{part}.wav")


def _run(
    assistant: Assistant, language: str, parts: list[str | float | np.ndarray], **config: Any
) -> list[LoopEvent]:
    return _run_on(
        SimulatedAudio(np.concatenate([_piece(part) for part in parts])), assistant, language, **config
    )


def _run_on(device: SimulatedAudio, assistant: Assistant, language: str, **config: Any) -> list[LoopEvent]:
    events: list[LoopEvent] = []
    ears = Ears(load_model(FIXTURE_MODELS / language), fixture_phrases(language))
    LocalLoop(
        assistant,
        LocalChannel(language, EspeakSynthesizer()),
        ears,
        LoopConfig(wake_phrase=WAKE_PHRASES[language], **config),
        (device, device),
        on_event=events.append,
    ).run()
    return events


def _kinds(events: list[LoopEvent], kind: str) -> list[LoopEvent]:
    return [e for e in events if e.kind == kind]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_quiet_talker_wakes_the_loop_and_is_heard(assistant: Assistant, language: str) -> None:
    events = _run(assistant, language, [0.5, f"{language}_fx_quiet_session", 1.0])
    assert len(_kinds(events, "wake")) == 1
    assert [e.data["text"] for e in _kinds(events, "heard")] == [
        {"en": "where is my order", "nl": "waar is mijn bestelling"}[language]
    ]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_talk_nearby_after_a_wake_sends_the_loop_back_to_waiting(assistant: Assistant, language: str) -> None:
    """Text read sentence by sentence right after the wake phrase: at most one apology, then waiting."""
    events = _run(assistant, language, [0.5, f"{language}_fx_wake", 0.4, f"{language}_fx_chatter", 1.0])
    rejected = _kinds(events, "rejected")
    assert len(_kinds(events, "reply")) <= 1 and 1 <= len(rejected) <= 2
    states = [e.data["state"] for e in _kinds(events, "state")]
    assert states[-1] == "waiting"
    after = [e for e in events if e.at > rejected[-1].at]
    assert not _kinds(after, "reply") and not _kinds(after, "heard") and not _kinds(after, "wake")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_wake_without_a_command_times_out_to_waiting(assistant: Assistant, language: str) -> None:
    events = _run(assistant, language, [0.5, f"{language}_fx_wake", 7.0])
    timeouts = _kinds(events, "timeout")
    assert len(timeouts) == 1 and events[-1].kind == "state" and events[-1].data["state"] == "waiting"
    wake = _kinds(events, "wake")[0]
    assert 5.9 <= timeouts[0].at - wake.at <= 6.3


@pytest.mark.parametrize("earcon", [True, False], ids=["earcon", "no-earcon"])
def test_the_end_of_listening_is_heard(assistant: Assistant, earcon: bool) -> None:
    """When the follow-up time runs out the loop goes back to waiting; hands-free, a tone says so
    (before, nothing did: the caller could not tell that the next words need the wake phrase)."""
    device = SimulatedAudio(np.concatenate([_piece(0.5), _piece("nl_fx_wake"), _piece(7.0)]))
    events = _run_on(device, assistant, "nl", earcon=earcon)
    [timeout] = _kinds(events, "timeout")
    assert [e.at == timeout.at for e in _kinds(events, "earcon")] == ([True] if earcon else [])
    tones = [p for p in device.playbacks if p.start == timeout.at]
    assert len(tones) == earcon and all(0.1 < audio.duration(p.samples) < 0.3 for p in tones)
    assert all(-23 < audio.level_dbfs(p.samples) < -17 for p in tones)


def test_murmur_after_a_wake_gets_no_answer(assistant: Assistant, dutch_murmur: np.ndarray) -> None:
    """People talking in the room after "hallo computer" (their murmur 5 dB below the wake phrase): the
    loop took it for someone who said something it did not understand, and answered ("Bent u er nog?").
    It stands out too little to be someone talking to the assistant: no second opinion, no answer.
    (Without the check it goes to the second opinion, which hears no word in it: no answer either.)"""
    murmur = noise.gain(dutch_murmur[: 12 * audio.SAMPLE_RATE].astype(np.float32), -28.0)
    parts: list[str | float | np.ndarray] = [0.5, "nl_fx_wake", 0.3, murmur, 1.0]
    unchecked = _run(assistant, "nl", parts, min_standout_db=None)
    assert [e.data["background"] for e in _kinds(unchecked, "rejected")] == [False, False]
    events = _run(assistant, "nl", parts)
    assert not _kinds(events, "heard") and not _kinds(events, "reply")
    assert [e.data["background"] for e in _kinds(events, "rejected")] == [True, True]
    assert _kinds(events, "state")[-1].data["state"] == "waiting"


def test_voice_run_takes_the_standout_from_its_option(tmp_path: Path, dutch_murmur: np.ndarray) -> None:
    """``voice run --standout 0`` takes the murmur for talk it does not understand; the default names it
    background and stays silent. (What a fixture model makes of murmur, and so whether it answers it,
    changes with every change in where utterances end.)"""
    murmur = noise.gain(dutch_murmur[: 12 * audio.SAMPLE_RATE].astype(np.float32), -28.0)
    recording = np.concatenate([audio.silence(0.5), audio.read_wav(AUDIO / "nl_fx_wake.wav"), murmur])
    wav = audio.write_wav(tmp_path / "room.wav", recording)
    command = ["run", "-l", "nl", "--memory", "--model", str(FIXTURE_MODELS / "nl"), "--input", str(wav)]
    by_default = CliRunner().invoke(cli, command)
    taking_all = CliRunner().invoke(cli, [*command, "--standout", "0"])
    assert by_default.exit_code == taking_all.exit_code == 0, by_default.output + taking_all.output
    assert "(background: " in by_default.output and "assistant [" not in by_default.output
    assert "(not in the grammar: " in taking_all.output and "(background: " not in taking_all.output
    refused = CliRunner().invoke(cli, [*command, "--standout", "-3"])
    assert refused.exit_code == 2 and "-3" in refused.output


def _asked_for_the_number(
    murmur: np.ndarray, *after: str | float | np.ndarray
) -> list[str | float | np.ndarray]:
    """ "hallo computer", "waar is mijn bestelling" (the assistant asks for the number), then ``after``."""
    return [0.5, "nl_fx_wake", 0.3, "nl_fx_where_is_my_order", 6.0, murmur, *after]


def test_a_refused_answer_renews_the_time_to_answer(assistant: Assistant, dutch_murmur: np.ndarray) -> None:
    """Someone who says something it does not understand while it waits for an answer is talking to it:
    their next try, 5 s later, is heard (before, the window of the question ran out under it)."""
    talk = noise.gain(dutch_murmur[: int(1.5 * audio.SAMPLE_RATE)].astype(np.float32), -28.0)
    parts = _asked_for_the_number(talk, 5.0, "nl_fx_order_1234", 1.0)
    events = _run(assistant, "nl", parts, min_standout_db=None)  # the talk is not background, then
    assert len(_kinds(events, "rejected")) == 1 and not _kinds(events, "timeout")
    assert [e.data["text"] for e in _kinds(events, "heard")][-1] == "waar is bestelling een twee drie vier"
    assert not _kinds(events, "gave_up")


def test_two_refused_answers_to_a_question_say_how_to_go_on(assistant: Assistant) -> None:
    """The second miss in a row sends the loop back to waiting; with a question open it says so."""
    events = _run(assistant, "nl", _asked_for_the_number("nl_fx_chatter", 1.0))
    gave_up = _kinds(events, "gave_up")
    assert len(gave_up) == 1, [e.to_dict() for e in events if e.kind not in ("partial", "state")]
    assert gave_up[0].data["question_open"] and "hallo computer" in gave_up[0].data["text"]
    assert [e.data["state"] for e in _kinds(events, "state")][-2:] == ["speaking", "waiting"]
    after_a_wake = _run(assistant, "nl", [0.5, "nl_fx_wake", 0.4, "nl_fx_chatter", 1.0])
    assert [e.data["text"] for e in _kinds(after_a_wake, "gave_up")] == [None]  # talk nearby: no answer


def test_a_barge_in_renews_the_time_to_answer(assistant: Assistant) -> None:
    """A noise that stops the question ("Wat is uw bestelnummer?") is a barge-in that gets no answer (it
    does not stand out: background); the caller's number, more than 6 s after the wake but less after the
    barge-in, is heard. Before, the question's time never began: the wake's ran out under it."""
    fan = noise.gain(noise.white(2 * audio.SAMPLE_RATE, seed=3), -40.0)
    parts = [0.5, "nl_fx_wake", 0.3, "nl_fx_where_is_my_order", 0.6, fan, 2.0, "nl_fx_order_1234", 1.0]
    events = _run(assistant, "nl", parts, barge_in=True, max_misses=3)  # the noise is two misses
    barge_in, wake = _kinds(events, "barge_in"), _kinds(events, "wake")
    rejected = _kinds(events, "rejected")
    assert len(barge_in) == 1 and rejected and {e.data["background"] for e in rejected} == {True}
    heard = _kinds(events, "heard")
    assert heard[-1].data["text"] == "waar is bestelling een twee drie vier" and not _kinds(events, "timeout")
    number = next(e.at for e in _kinds(events, "partial") if e.at > rejected[-1].at)  # it is being heard
    assert number - wake[0].at > 6.0 > number - barge_in[0].at


@pytest.mark.parametrize(
    ("language", "near_miss"), [("en", "hey computers"), ("nl", "hallo computers")], ids=["en", "nl"]
)
def test_a_near_miss_of_the_wake_phrase_is_no_command_in_always_mode(
    assistant: Assistant, language: str, near_miss: str
) -> None:
    """The grammar refuses it and the second opinion hears it: it was answered as a command ("Sorry, I
    didn't understand that"). Said a little wrong, the wake phrase is still the wake phrase."""
    speech = EspeakSynthesizer(voices={language: f"{language}+f5"}).synthesize(near_miss, language)
    said = audio.resample(speech.samples, speech.rate, audio.SAMPLE_RATE)
    events = _run(assistant, language, [0.5, said, 1.5], mode=Mode.ALWAYS)
    [rejected] = _kinds(events, "rejected")
    assert rejected.data["near_wake"] and not rejected.data["second_opinion"]
    assert len(_kinds(events, "wake")) == 1 and not _kinds(events, "heard") and not _kinds(events, "reply")
