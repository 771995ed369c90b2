"""Start-up checks of the loaded skills: what would otherwise fail on a caller's turn fails now.

``check_skills`` reads every skill's templates and responses in every language, compiles the
router's matchers (an unknown list or rule is found here), and checks that handlers, templates,
responses and prompts fit together (``skill_problems``):

- no intent name has the platforms' separators (``_name_problems``: ``__``, `` - ``);
- every handler and flow belongs to an intent some template defines (a misspelt name is refused,
  with the nearest intent), and every slot a flow asks for is one its intent's templates fill;
- every prompt, confirmation and validator answer of a flow is a response in every language;
- every response a skill's code names (``skill.reply(turn, "Key")``, ``skill.say(...)``) exists;
- every intent without a handler has a response of its own name to answer with;
- the knowledge content (``knowledge/<lang>/``) reads, with unique ids, in a language the engine knows;
- the skill's own data reads as a turn needs it (``Skill.data_problems``: the shipped skill's orders);
- the publishing texts (``locales/<lang>/skill.yaml``) read, as the exports read them (at the start only
  a warning: the running assistant never reads them);
- the framework has built-in intents and replies (``voice/locales/<lang>/``) in every language a skill
  speaks (at the start only a warning: the skill still answers its own intents);
- every ``locales/<lang>/`` folder has an ``intents.yaml`` (at the start only a warning);
- every value a response reads is given by what says it (a slot of its intent, a value the code passes
  or a flow describes, a skill value), no template has a slot twice on one path, and every
  ``requires_context: {dialog: X}`` names a flow (at the start only a warning: read from the code
  without running it, ``voice.skill_source``);
- every ``flow_labels`` and ``slot_labels`` entry of ``skill.yaml`` names a flow, or a slot of a flow
  (at the start only a warning: only the dashboard reads them);
- ``voice check`` and the start (``voice serve``, gunicorn) warn (``skill_warnings``) of calls older
  ``voice init`` skills made that now do harm (``outdated_calls``: ``reading(..., either_half=True)``
  books "at 3 am" at 15:00), and, with ``[handoff] hours`` set, of a skill's own ``no_person`` that never
  says when the team is back (``voice.response_check.unsaid_return``).

The first problem is one ``SkillError`` sentence that names the skill, the file and the fix;
``voice check`` lists them all.
"""

from __future__ import annotations

import logging
import operator
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .builtins import (
    LAUNCH,
    builtin_intents,
    builtin_languages,
)
from .dialog.handoff import ALWAYS, team_hours
from .errors import SkillError, VoiceError
from .language_pack_check import builtin_problems, locale_problems
from .nlu.context import allowed_values
from .nlu.intents import IntentData
from .nlu.template import Alt, Expr, ListRef, Perm, Seq
from .platform_contexts import FIXED, SEPARATOR
from .response_check import response_problems, response_value_problems, unsaid_return
from .router import Router
from .skill import Skill
from .skill_source import either_half_lines, module_file
from .suggestions import did_you_mean, nearest

if TYPE_CHECKING:
    from .analytics.team import Texts

__all__ = ["check_skills", "outdated_calls", "skill_problems", "skill_warnings"]

_LOGGER = logging.getLogger(__name__)


def check_skills(router: Router) -> None:
    """Raise the first problem of the router's skills; return quietly when there is none.

    Publishing texts (``skill.yaml``) that cannot be read are only logged here: the running assistant
    reads only their ``name``, for the welcome, and welcomes without it then; a store-listing typo must
    not keep a server from starting (``voice check`` and the exports refuse them). A language without
    the framework's built-ins is logged too: its skill still answers its own intents, and refusing it
    would stop every other skill with it. So are the authoring checks (``_authoring_problems``): read
    from the code without running it, they must not stop a server on a guess."""
    for unread in _publishing_problems(router):
        _LOGGER.warning("%s (the welcome names no business until it is fixed)", unread)
    for problem in builtin_problems(router) + locale_problems(router) + _authoring_problems(router):
        _LOGGER.warning("%s ('voice check' refuses this)", problem)
    problems = skill_problems(router, strict=False)
    if problems:
        raise SkillError.said("first_problem", problem=problems[0], more=len(problems) - 1)


def skill_problems(router: Router, *, strict: bool = True) -> list[SkillError]:
    """Every mismatch between the skills' handlers, templates, responses and prompts, one sentence each
    (an error a command tells in the team's words, where it has them), and (``strict``) what the start
    only logs: publishing texts that cannot be read, languages without the framework's built-ins, and
    the authoring checks.

    Templates and responses that cannot be read, and matchers that do not compile, raise at once.
    """
    for skill in router.skills.values():
        for language in skill.languages:
            skill.intents(language)
            skill.responses(language)
    for language in router.languages:
        router.matcher(language)
    problems: list[SkillError] = []
    for skill in router.skills.values():
        problems += _name_problems(skill)
        problems += _handler_problems(skill)
        problems += _flow_slot_problems(router, skill)
        problems += map(SkillError, response_problems(skill))
        problems += _knowledge_problems(skill)
        problems += _data_problems(skill)
    if strict:  # a start logs these itself (``check_skills``): not worked out twice
        problems += _publishing_problems(router)
        problems += map(SkillError, builtin_problems(router) + locale_problems(router))
        problems += map(SkillError, _authoring_problems(router))
    return problems


def _authoring_problems(router: Router) -> list[str]:
    """Mistakes a turn runs into that a reading of the templates and the code finds: a response value
    nothing gives, a slot twice in one template, a dialog context of no flow; and a label of the
    dashboard (``skill.yaml``) of no flow or slot."""
    problems: list[str] = []
    for skill in router.skills.values():
        problems += _template_problems(skill)
        problems += response_value_problems(skill)
        problems += _label_problems(skill)
    return problems


def skill_warnings(skill: Skill, handoff: Mapping[str, Any], say: Texts) -> list[str]:
    """What ``voice check`` and the start warn of, one sentence each in the team's words ``say``, without
    refusing the skill: its ``outdated_calls``, and with the team's ``[handoff] hours`` set, its
    ``unsaid_return``. Only warnings: both are read from the code and the replies, and a skill may mean
    them."""
    away = team_hours(handoff.get("hours", ALWAYS)) is not None
    return [*outdated_calls(skill, say), *(unsaid_return(skill, say) if away else ())]


def outdated_calls(skill: Skill, say: Texts) -> Iterator[str]:
    """Calls that older ``voice init`` skills made and that now do harm, one warning each, read from the
    modules of the skill's handlers and flows: ``reading(..., either_half=True)`` read every time from
    1:00 to 12:59 in either half of the day, so "at 3 am" was booked at 15:00. Only a warning: the call
    is still right for a time whose origin is unknown, which a skill's turn never holds."""
    for path in _own_modules(skill):
        for line in either_half_lines(path):
            yield say("outdated_call", skill=repr(skill.name), path=path, line=line)


def _own_modules(skill: Skill) -> list[str]:
    """The files in the skill's folder of the modules that define its handlers, validators and describes."""
    functions: list[Callable[..., Any] | None] = [*skill.handlers.values()]
    for flow in skill.flows.values():
        functions += [flow.describe, *(slot.validate for slot in flow.slots)]
    paths = {module_file(function) for function in functions if function is not None}
    root = skill.root.resolve()
    return sorted(path for path in paths if path and Path(path).resolve().is_relative_to(root))


def _publishing_problems(router: Router) -> list[SkillError]:
    return [problem for skill in router.skills.values() for problem in _info_problems(skill)]


def _name_problems(skill: Skill) -> Iterator[SkillError]:
    """An intent whose name has a separator the exports put into platform intent names (Alexa's
    ``Intent__tag``, Dialogflow's ``Intent - with tag``): the channels would read a request for it back
    as another intent, or as this one with a block's fixed values."""
    for language in skill.languages:
        intents = skill.intents(language)
        for name in intents.intents:
            separator = next((separator for separator in (FIXED, SEPARATOR) if separator in name), "")
            if separator:
                yield SkillError.said(
                    "intent_separator",
                    skill=repr(skill.name),
                    intent=repr(name),
                    file=intents.source,
                    separator=repr(separator),
                    fixed=repr(FIXED),
                    dash=repr(SEPARATOR),
                )


def _handler_problems(skill: Skill) -> Iterator[SkillError]:
    declared = {name for language in skill.languages for name in skill.intents(language).intents}
    known = declared | _framework_intents()
    for flow, names in ((False, skill.handlers), (True, skill.flows)):
        for name in names:
            if name not in known:
                yield SkillError.said(
                    "unknown_intent",
                    skill=repr(skill.name),
                    flow=flow,
                    intent=repr(name),
                    files=f"{skill.root / 'locales'}/*/intents.yaml",
                    nearest=nearest(name, declared),
                )


def _flow_slot_problems(router: Router, skill: Skill) -> Iterator[SkillError]:
    """A flow slot that no template of its intent fills: the flow would ask for it forever."""
    for intent, flow in skill.flows.items():
        for language in skill.languages:
            fillable = router.intent_slots(intent, language) if language in router.languages else None
            if fillable is None:
                continue
            for slot in flow.slots:
                if slot.name not in fillable:
                    yield SkillError.said(
                        "unfilled_slot",
                        skill=repr(skill.name),
                        slot=repr(slot.name),
                        intent=repr(intent),
                        file=skill.root / "locales" / language / "intents.yaml",
                        fillable=", ".join(sorted(fillable)),
                        nearest=nearest(slot.name, fillable),
                        braced=f"{{{slot.name}}}",
                    )


def _template_problems(skill: Skill) -> Iterator[str]:
    """Templates that cannot work as written (``_context_problems``, ``_repeated_slots``)."""
    for language in skill.languages:
        intents = skill.intents(language)
        for intent in intents.intents.values():
            for block in intent.data:
                yield from _context_problems(skill, intent.name, block, intents.source)
                yield from _repeated_slots(skill, intent.name, block, intents.source)


def _context_problems(skill: Skill, intent: str, block: IntentData, file: str) -> Iterator[str]:
    """A ``requires_context: {dialog: X}`` with no flow X: the dialog context exists only while a
    ``skill.flow`` asks, so the block never matches."""
    for dialog in _dialog_context(block.requires_context):
        if dialog not in skill.flows:
            yield (
                f"skill {skill.name!r}: intent {intent!r} in {file} has a block with requires_context "
                f"{{dialog: {dialog}}}, but the skill has no flow {dialog!r}"
                f"{did_you_mean(dialog, skill.flows)}, and that context exists only while a flow asks, "
                f"so the block never matches; declare skill.flow({dialog!r}, slots=[...]) or fix the name "
                "(docs/skills.md, Flows)."
            )


def _repeated_slots(skill: Skill, intent: str, block: IntentData, file: str) -> Iterator[str]:
    """A slot twice on one path of a template: a caller says it once, so the sentence falls to another
    template ("{cake_name}" alone takes "er moet Zoë op" whole) or to none."""
    for template in block.templates:
        for slot in sorted(name for name, uses in _most_uses(template.expr).items() if uses > 1):
            yield (
                f"skill {skill.name!r}: template {template.text!r} of intent {intent!r} in {file} has "
                f"{{{slot}}} twice in one sentence, so it matches only a caller who says it twice; use "
                f"{{{slot}}} once on every path, writing the alternatives out."
            )


def _dialog_context(context: Mapping[str, Any]) -> list[str]:
    """The flows a block's ``requires_context`` names under ``dialog``, in any form the matcher reads
    (one, a list, ``{value: ...}``; none where any flow will do)."""
    return [str(value) for value in allowed_values(context.get("dialog")) or ()]


def _most_uses(expr: Expr) -> Counter[str]:
    """Slot -> the most times one path through the template fills it (rules are not followed)."""
    if isinstance(expr, ListRef):
        return Counter() if expr.capture else Counter({expr.slot_name: 1})
    if isinstance(expr, Alt):
        return reduce(operator.or_, map(_most_uses, expr.items), Counter())  # the most of any branch
    if isinstance(expr, Seq | Perm):
        return sum(map(_most_uses, expr.items), Counter())
    return Counter()


def _knowledge_problems(skill: Skill) -> Iterator[SkillError]:
    """Content the dialog would load (``knowledge/<lang>/``, a folder of at most three letters) that
    cannot be read, or is in a language the engine has no lexicon for. Reads the files only: no index."""
    folder = skill.root / "knowledge"
    if not folder.is_dir():
        return
    from .knowledge.content import check_language, load_content

    for content in sorted(path for path in folder.iterdir() if path.is_dir() and len(path.name) <= 3):
        try:
            check_language(content.name)
        except VoiceError as exc:
            yield SkillError.said("knowledge_folder", skill=repr(skill.name), folder=content, problem=exc)
            continue
        try:
            load_content(content)
        except VoiceError as exc:  # it names the file and the fix
            yield _of_skill(skill, exc)


def _of_skill(skill: Skill, problem: VoiceError | str) -> SkillError:
    """``problem`` (an error, told in the team's words where it has them) as the named skill's."""
    return SkillError.said("skill_problem", skill=repr(skill.name), problem=problem)


def _data_problems(skill: Skill) -> list[SkillError]:
    """The skill's own data that a turn would fail on, as it says (``Skill.data_problems``)."""
    said = skill.data_problems() if skill.data_problems else []
    return [_of_skill(skill, problem) for problem in said]


def _info_problems(skill: Skill) -> Iterator[SkillError]:
    """A ``locales/<lang>/skill.yaml`` that the exports could not read (they are its only readers)."""
    for language in skill.languages:
        try:
            skill.info(language)
        except SkillError as exc:  # it names the file and the key
            yield _of_skill(skill, exc)


def _label_problems(skill: Skill) -> Iterator[str]:
    """A label of ``flow_labels`` or ``slot_labels`` in ``skill.yaml`` that names no flow, or no slot of a
    flow: a typo the dashboard would silently pass over, showing the raw name instead. A ``skill.yaml``
    that does not read is ``_info_problems``'."""
    slots = {slot.name for flow in skill.flows.values() for slot in flow.slots}
    kinds = (
        ("flow_labels", "flow", set(skill.flows), "the skill has no flow of that name"),
        ("slot_labels", "slot", slots, "no flow of the skill asks for a slot of that name"),
    )
    for language in skill.languages:
        try:
            info = skill.info(language)
        except SkillError:
            continue
        for key, what, known, missing in kinds:
            for name in getattr(info, key):
                if name not in known:
                    yield (
                        f"skill {skill.name!r}: {info.source} labels {what} {name!r} in {key}, but {missing}"
                        f"{did_you_mean(name, known)}; fix the name or remove the label."
                    )


def _framework_intents() -> set[str]:
    """Intents a skill may handle without templates: the launch and the built-ins."""
    return {LAUNCH} | {name for lang in builtin_languages() for name in builtin_intents(lang).intents}
