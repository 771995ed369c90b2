"""A tiny Korean skill for the local-loop tests: the real Korean Vosk model recognises its commands."""

from voice import Expect, Reply, Skill, Turn

skill = Skill("korean_demo", __file__)


@skill.intent("PlayMusic")
def play_music(turn: Turn) -> Reply:
    return skill.reply(turn, "PlayMusic", expect=Expect.ANSWER)
