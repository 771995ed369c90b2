"""What the ``voice`` commands share: the config, read once, and the assistant built from it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from ..analytics.team import Texts, marked, texts
from ..assistant import Assistant, build_assistant
from ..config import LOCALE_DEFAULT, Config, default_locale, load_config
from ..errors import VoiceError

__all__ = [
    "CliContext",
    "HeldLog",
    "config_option",
    "given_or_default_locale",
    "held_log",
    "home_assistant_option",
    "list_option",
    "locale_option",
    "marked",
    "pass_context",
    "read_lists",
    "require_language",
    "warn",
]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliContext:
    """The group's object: ``--config`` (on the group or any command) and what is built from it."""

    config_path: Path | None = None
    _config: Config | None = field(default=None, repr=False)
    said: Texts | None = field(default=None, repr=False)
    """The words the command chose (``command_texts``): its error line is in them too."""

    @property
    def words(self) -> Texts:
        """The words the command chose, else (before it chose, or a command that has none) English."""
        return self.said or texts("en", "commands")

    @property
    def config(self) -> Config:
        """The config file, read on first use."""
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def assistant(
        self,
        *,
        memory: bool = False,
        home_assistant: Iterable[str] = (),
        lists: Mapping[str, Iterable[Any]] | None = None,
    ) -> Assistant:
        """The assistant of the config; ``memory`` keeps its conversations in memory only."""
        from ..assistant import MEMORY_STORE

        store = MEMORY_STORE if memory else None
        return build_assistant(self.config, store=store, home_assistant=home_assistant, lists=lists)


def require_language(assistant: Assistant, language: str) -> None:
    """Refuse at the start, as ``voice parse`` does, a language no loaded skill speaks: "no skill speaks 'fr'"
    (a conversation would otherwise start and answer every line with the unsupported-language reply)."""
    assistant.router.matcher(language)


pass_context = click.make_pass_decorator(CliContext, ensure=True)


def _remember_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(CliContext).config_path = value


def given_or_default_locale(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    """The locale option's callback: the value given, else ``default_locale`` of the command's config."""
    return value or default_locale(ctx.ensure_object(CliContext).config)


def locale_option(*names: str, what: str = "The language") -> Callable[[F], F]:
    """A locale option (``-l/--locale`` unless ``names`` say otherwise) whose default is ``default_locale``
    of the config, read after ``--config`` wherever that is given."""
    return click.option(
        *(names or ("-l", "--locale")),
        default=None,
        callback=given_or_default_locale,
        help=f"{what}, like nl or en-GB; {LOCALE_DEFAULT}.",
    )


def config_option(command: F) -> F:
    """``--config FILE``, accepted by the group and by every command that reads the config."""
    option = click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file (TOML); default: $VOICE_CONFIG, else ./voice.toml.",
        callback=_remember_config,
        expose_value=False,
        is_eager=True,
    )
    return option(command)


home_assistant_option = click.option(
    "--home-assistant", "ha", is_flag=True, help="Also load Home Assistant's intents."
)
list_option = click.option(
    "--list",
    "list_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="A list value, e.g. area=keuken (repeatable).",
)


def read_lists(values: tuple[str, ...]) -> dict[str, list[str]]:
    """The values of ``--list NAME=VALUE`` options, by list name."""
    lists: dict[str, list[str]] = defaultdict(list)
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise VoiceError(f"--list {item!r} is not NAME=VALUE; write it like --list area=keuken.")
        lists[name.strip()].append(value.strip())
    return dict(lists)


def warn(say: Texts, line: str) -> None:
    """Print a warning (on stderr) marked in the words of ``say``."""
    click.echo(marked(say, "warning", line), err=True)


def counted(count: int, noun: str, plural: str = "") -> str:
    """``count`` and ``noun`` in the number it needs: "1 log row", "2 log rows", "0 replies"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


class HeldLog(logging.Handler):
    """The warnings logged while a conversation runs (a booking API that refused), held out of it: bare
    on the terminal, between the replies, a Dutch chat or ``voice run`` showed them in English as if said
    to the caller. ``tell`` prints them after it (``voice chat --debug``, ``voice run``: after each turn's
    reply), each marked as the log's in the team's words ``say``."""

    def __init__(self, say: Texts) -> None:
        super().__init__(logging.WARNING)
        self.say = say
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def tell(self) -> None:
        for line in self.lines:
            click.echo(marked(self.say, "log", line), err=True)
        self.lines.clear()


@contextmanager
def held_log(say: Texts) -> Iterator[HeldLog]:
    """Hold what is logged until the conversation (or its turn) is over; logging the application
    configured itself still goes where it sends it."""
    held = HeldLog(say)
    logging.getLogger().addHandler(held)
    try:
        yield held
    finally:
        logging.getLogger().removeHandler(held)
        held.tell()
