"""``voice data``: the conversation data the store keeps, with GDPR care (retention, access, erasure)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import click

from ..analytics.review import forget_reviews
from ..analytics.team import Texts, texts
from ..channels.dialogflow import is_withheld
from ..config import Config, business_zone, store_url
from ..dialog import QueueFileSink
from ..errors import ConfigError, VoiceError
from ..store import Store, StoreError, open_store
from ..store.base import REQUEST_MEMORY_S
from ..store.copy import BATCH_ROWS, CopyReport, copy_store
from ..store.sqlite_files import file_problems
from ..store.url import POSTGRES_SCHEMES
from .context import CliContext, config_option, marked, pass_context
from .insights import LANG_OPTION, command_texts
from .user_records import user_data


@click.group()
def data() -> None:
    """Keep conversation data only as long as needed."""


@data.command()
@LANG_OPTION
@config_option
@pass_context
def purge(context: CliContext, lang: str | None) -> None:
    """Delete expired sessions, and conversation-log rows (their signals and the reviews too) and records
    of the [handoff] queue file older than the configured retention_days, and the attributes remembered
    about users not seen for as long."""
    config, say = context.config, command_texts(context, lang)
    with open_store(store_url(config)) as store:
        expired = store.purge_expired_rows()
        old = store.purge_log_rows(config.retention_days)
    days = config.retention_days
    sessions, replies = (
        say("count_expired_session", count=expired["sessions"]),
        say("count_reply", count=expired["answers"]),
    )
    outbox = say("count_outbox_record", count=expired["outbox"])
    hours = f"{REQUEST_MEMORY_S / 3600:g}"
    click.echo(say("purged_expired", sessions=sessions, replies=replies, outbox=outbox, hours=hours))
    counts = {key: say(f"count_{noun}", count=old[key]) for key, noun in _PURGED.items()}
    click.echo(say("purged_old", days=days, **counts))
    queue = _handoff_queue(config)
    if queue is not None:
        before = dt.datetime.now(dt.UTC) - dt.timedelta(days=config.retention_days)
        with _queue_access(queue, say, "queue_unwritable"):
            queued = say("count_handoff_record", count=queue.purge(before))
        click.echo(say("purged_queue", queued=queued, days=days, path=queue.path))


_PURGED = {"log": "log_row", "signals": "turn_signal", "reviews": "review", "users": "user"}
"""The counts of ``purge_log_rows`` -> the noun they count."""


@data.command()
@LANG_OPTION
@config_option
@pass_context
def migrate(context: CliContext, lang: str | None) -> None:
    """Bring the store's tables to this program's schema version, keeping every record (SQLite or
    PostgreSQL); run it before starting a new version of the program on several hosts."""
    say = command_texts(context, lang)  # first: the store's errors are told in its words too
    before, after = migrate_store(store_url(context.config))
    click.echo(
        say("migrated_already", version=after)
        if before == after
        else say("migrated", before=before, after=after)
    )


def migrate_store(url: str) -> tuple[int, int]:
    """Apply the store's pending schema versions; return (version before, version after)."""
    if url.partition("://")[0].lower() in POSTGRES_SCHEMES:
        from ..store.postgres_lock import PostgresConnections

        return PostgresConnections(url).migrate()
    path = url.partition("://")[2]
    try:
        before = _sqlite_version(path)
    except sqlite3.DatabaseError as exc:
        open_store(url).close()  # the store's own sentence for a damaged file ("... is damaged ...")
        raise StoreError(
            f"cannot read the session database {path} ({exc}); restore it from a backup."
        ) from exc
    open_store(url).close()  # opening a SQLite store applies its pending versions
    return before, _sqlite_version(path)


def _sqlite_version(path: str) -> int:
    """PRAGMA user_version of an SQLite file; 0 when there is no file yet (or it is in memory)."""
    if path == ":memory:" or not Path(path).is_file():
        return 0
    with contextlib.closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def _existing_source(url: str, say: Texts) -> None:
    """A copy reads its source: an SQLite file that is not there is a typo, not an empty store to create."""
    scheme, _, location = url.partition("://")
    if scheme.lower() == "sqlite" and location and location != ":memory:" and not Path(location).is_file():
        raise StoreError(say("no_source_store", path=location))


@data.command(name="copy")
@click.argument("source_url")
@click.argument("target_url")
@click.option(
    "--batch-rows",
    type=click.IntRange(1),
    default=BATCH_ROWS,
    show_default=True,
    help="Rows per batch (one transaction in the target).",
)
@click.option(
    "--restart", is_flag=True, help="Copy every row again instead of continuing after the target's last."
)
@LANG_OPTION
@config_option
@pass_context
def copy_data(
    context: CliContext, source_url: str, target_url: str, batch_rows: int, restart: bool, lang: str | None
) -> None:
    """Copy every table of the store at SOURCE_URL into the one at TARGET_URL (SQLite to PostgreSQL
    and back), then compare row counts and checksums per table; exit 1 on a difference. Stop the
    application first. An interrupted copy continues where it stopped when run again."""

    say = _copy_words(context, lang)

    def told(table: str, rows: int) -> None:
        click.echo(say("copied_rows", table=table, rows=say("count_row", count=rows)), err=True)

    _existing_source(source_url, say)
    report = copy_store(source_url, target_url, batch_rows=batch_rows, restart=restart, progress=told)
    _tell_copy(report, say)
    if not report.ok:
        click.echo(marked(say, "error", say("copy_differs", different=say("copy_different"))), err=True)
        raise SystemExit(1)
    click.echo(say("copied", tables=say("count_table", count=len(report.tables))))


def _copy_words(context: CliContext, lang: str | None) -> Texts:
    """The copy's words: it moves a store to another host, where the config may be gone or not yet
    written; its language then is English (``--lang`` chooses another), as before it read the config."""
    try:
        return command_texts(context, lang)
    except ConfigError:
        return texts("en", "commands")


def _tell_copy(report: CopyReport, say: Texts) -> None:
    """The copy's table: per table the rows copied, counted in source and target, and their checksums."""
    table, copied, source, target, sums = (
        say(key)
        for key in ("copy_table", "copy_copied", "copy_source_rows", "copy_target_rows", "copy_checksums")
    )
    width = max(len(table), *(len(result.table) for result in report.tables))
    click.echo(f"{table:<{width}} {copied:>9} {source:>12} {target:>12}  {sums}")
    for result in report.tables:
        same = say("copy_same" if result.ok else "copy_different")
        click.echo(
            f"{result.table:<{width}} {result.copied:>9} {result.source.rows:>12} {result.target.rows:>12}  "
            f"{result.source.checksum} {result.target.checksum} {same}"
        )


@data.command()
@click.argument("user_id")
@click.option(
    "--shared",
    is_flag=True,
    help="USER_ID is one that withheld callers share (anonymous, restricted ...): erase what an older "
    "version kept under it, every such caller's.",
)
@LANG_OPTION
@config_option
@pass_context
def forget(context: CliContext, user_id: str, shared: bool, lang: str | None) -> None:
    """Erase everything kept about USER_ID: sessions, remembered attributes, the conversation log and
    its per-turn signals, the reviews of their words, and their handoff records in the store and in the
    [handoff] queue file."""
    say = command_texts(context, lang)
    if not (shared and user_id.strip()):
        _one_caller(user_id, "forget", say)
    with open_store(store_url(context.config)) as store:
        count = forget_reviews(store, user_id) + store.delete_user(user_id)  # reviews first: see there
        stored = _stored_forms(store, user_id) if not count else []
    queue = _handoff_queue(context.config)
    queued = 0
    if queue is not None:
        with _queue_access(queue, say, "queue_unwritable"):
            queued = queue.forget(user_id)
    receiver = context.config.handoff.get("url")
    if not count and not queued:  # one sentence, not "erased 0 ..." lines before an error
        nothing = say("nothing_erased", receiver=receiver)
        raise VoiceError(
            say("nothing_kept", user=repr(user_id), outcome=nothing, stored=stored, command="forget")
        )
    if count:
        click.echo(say("erased", records=say("count_record", count=count), user=user_id))
    if queue is not None:
        records = say("count_handoff_record", count=queued)
        click.echo(say("erased_queue", records=records, user=user_id, path=queue.path))
    if receiver:
        click.echo(say("kept_by_receiver", receiver=receiver))


@data.command(name="export")
@click.argument("user_id")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file instead of standard output.",
)
@LANG_OPTION
@config_option
@pass_context
def export_user(context: CliContext, user_id: str, output: Path | None, lang: str | None) -> None:
    """Everything kept about USER_ID as JSON (remembered attributes, sessions, conversation log and its
    per-turn signals, the reviews of their words, handoff records, those in the [handoff] queue file
    too), for an access request; ``forget`` erases the same records."""
    say = command_texts(context, lang)
    _one_caller(user_id, "export", say)
    with open_store(store_url(context.config)) as store:
        found = user_data(store, user_id, business_zone(context.config))
        kept = any(found[key] for key in _RECORDS)
        stored = [] if kept else _stored_forms(store, user_id)
    queue = _handoff_queue(context.config)
    if queue is not None:
        with _queue_access(queue, say, "queue_unreadable"):
            found["handoff_queue"] = queue.records_of(user_id)
    if not kept and not found.get("handoff_queue"):
        empty = say(
            "nothing_kept", user=repr(user_id), outcome=say("export_empty"), stored=stored, command="export"
        )
        click.echo(marked(say, "note", empty), err=True)
    text = json.dumps(found, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise VoiceError(say("export_unwritable", path=output, reason=exc.strerror or exc)) from exc
        click.echo(say("exported", user=user_id, path=output))


@data.command()
@LANG_OPTION
@config_option
@pass_context
def check(context: CliContext, lang: str | None) -> None:
    """Run the database's full consistency check (SQLite: PRAGMA integrity_check); exit 1 on a problem.
    An SQLite file too damaged to open is checked read-only, so its problems are listed too."""
    url, say = store_url(context.config), command_texts(context, lang)
    try:
        store = open_store(url)
    except StoreError:
        problems = file_problems(url.partition("://")[2]) if url.lower().startswith("sqlite:") else []
        if not problems:
            raise
        _list_problems(problems, say("check_unopenable"), say)
    with store:
        problems = store.check()
        pending = store.outbox_counts()["pending"]
    if problems:
        _list_problems(problems, say("check_damaged", count=pending), say)
    click.echo(say("check_ok", count=pending))


def _list_problems(problems: list[str], verdict: str, say: Texts) -> NoReturn:
    for problem in problems:
        click.echo(marked(say, "damage", problem))
    click.echo(verdict)
    raise SystemExit(1)


def _handoff_queue(config: Config) -> QueueFileSink | None:
    """The queue file of ``[handoff]``, where this host writes handoff records, if there is one."""
    return QueueFileSink(str(config.handoff["queue"])) if config.handoff.get("queue") else None


@contextlib.contextmanager
def _queue_access(queue: QueueFileSink, say: Texts, problem: str) -> Iterator[None]:
    """One sentence (``problem``: ``queue_unreadable`` or ``queue_unwritable``) instead of a traceback
    when the queue file cannot be read or written."""
    try:
        yield
    except OSError as exc:
        raise VoiceError(say(problem, path=queue.path, reason=exc.strerror or exc)) from exc


_RECORDS = ("attributes", "sessions", "log", "replies", "outbox", "signals", "reviews")
"""The keys of ``user_data`` that hold a user's records."""
_SEPARATORS = re.compile(r"[\s().-]+")
"""What people write inside a phone number (06-12345001, 06 1234 5001, (020) 123 4567)."""


def _one_caller(user_id: str, command: str, say: Texts) -> None:
    """Refuse an id that many callers share: sessions of callers who withheld their number (or gave no
    id) are kept without one, and an export or erasure must not reach unrelated callers."""
    if not user_id.strip():
        raise VoiceError(say("empty_user_id", command=command))
    if is_withheld(user_id):
        raise VoiceError(say("withheld_user_id", user=repr(user_id), command=command))


def _stored_forms(store: Store, user_id: str) -> list[str]:
    """The international forms the store keeps of a phone number written another way (``+31612345001``
    for ``06-12345001``, ``0031 6 1234 5001`` or ``+31 6 12345001``): only ids that are there, the same
    digits, or a national number's behind a country code of one to three digits."""
    international, national = _phone_digits(user_id)
    tail = international or national
    if not tail:
        return []
    rows = store.select(
        "SELECT user_id FROM sessions WHERE user_id LIKE ? UNION SELECT user_id FROM log "
        "WHERE user_id LIKE ? UNION SELECT id FROM users WHERE id LIKE ?",
        (f"%{tail[-6:]}",) * 3,
    )

    def same(form: str) -> bool:
        digits = _phone_digits(form)[0]
        if not digits or form == user_id:
            return False
        if international:
            return digits == international
        return 1 <= len(digits) - len(national) <= 3 and digits.endswith(national)  # behind a country code

    return sorted({row[0] for row in rows if same(row[0])})[:3]


def _phone_digits(written: str) -> tuple[str, str]:
    """A phone number's digits after the country's prefix (``31612345001`` for ``+31612345001`` or
    ``0031612345001``), or its national digits after the leading 0 (``612345001`` for ``06-12345001``);
    empty for what is no phone number (too short, letters, no leading 0 or +)."""
    text = _SEPARATORS.sub("", written)
    digits = text.removeprefix("+")
    if not digits.isdigit() or len(digits) < 8:
        return "", ""
    if text.startswith("+"):
        return digits, ""
    if digits.startswith("00"):
        return digits[2:], ""
    return ("", digits[1:]) if digits.startswith("0") else ("", "")
