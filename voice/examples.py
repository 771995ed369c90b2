"""What ``voice init`` writes as an example, and which examples a skill still has.

A new skill answers from the start: an FAQ (``knowledge/<lang>/faq.yaml``, "there is free parking behind
the building") and the ``OpeningHours`` reply ("open Monday to Friday, from 9 to 5"). Left in place after
the team adds its own content, they answer callers confidently and wrongly. So the example FAQ carries
``EXAMPLE_MARK`` on its first line, and the team's first ``voice knowledge import`` in that language
removes it; the import and ``voice check`` name every example still unchanged (``leftovers``).

A skill that ships sample data of its own (the shipped ``customer_service``: a sample company and sample
orders) names what is still in use through ``Skill.example_data``; ``voice check``, the start (``voice
serve``, gunicorn) and ``voice knowledge import`` warn of both (``examples_in_use``), without stopping.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .knowledge.content import content_files, content_folder

if TYPE_CHECKING:
    from .analytics.team import Texts
    from .skill import Skill

EXAMPLE_MARK = "# voice init example"
"""The first line of an example content file; delete the line to keep the file as your own."""
EXAMPLE_REPLIES = {
    "nl": {"OpeningHours": "We zijn open van maandag tot en met vrijdag, van 9 tot 5."},
    "en": {"OpeningHours": "We are open Monday to Friday, from 9 to 5."},
}
"""Language -> response key -> the example text ``voice init`` writes for it."""


def example_files(folder: Path) -> list[Path]:
    """The content files in ``folder`` that ``voice init`` wrote as examples and nobody has claimed."""
    return [path for path in content_files(folder) if _first_line(path).startswith(EXAMPLE_MARK)]


def leftovers(skill_root: Path, languages: tuple[str, ...], say: Texts) -> list[str]:
    """One line per example of ``voice init`` the skill still has in ``languages``: its example FAQ
    and the replies it has not changed; in the team's words ``say``."""
    lines = []
    for language in languages:
        folder = content_folder(skill_root, language)
        lines += [
            say("example_faq", path=path.relative_to(skill_root).as_posix()) for path in example_files(folder)
        ]
        responses = _responses(skill_root / "locales" / language / "responses.yaml")
        lines += [
            say("example_reply", language=language, key=key, text=repr(text))
            for key, text in EXAMPLE_REPLIES.get(language, {}).items()
            if responses.get(key) == text
        ]
    return lines


def examples_in_use(skill: Skill, languages: tuple[str, ...] | None, say: Texts) -> list[str]:
    """One sentence per example the skill still answers callers with: voice init's (``leftovers``) in
    ``languages`` (None: all the skill's) and the skill's own sample data (``Skill.example_data``, told
    the team's language), in the team's words ``say``."""
    own = skill.example_data(say.language) if skill.example_data else []
    return leftovers(skill.root, languages or skill.languages, say) + own


def _first_line(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return file.readline()
    except OSError:
        return ""


def _responses(path: Path) -> dict[str, object]:
    """The responses of a ``responses.yaml`` ({} when there is none, or it does not read: the skill's
    checks report that)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    responses = data.get("responses") if isinstance(data, dict) else None
    return responses if isinstance(responses, dict) else {}
