"""``voice data``: the conversation data the store keeps, with GDPR care (retention, access, erasure)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

import click

from ..analytics.review import forget_reviews, reviews_of
from ..config import Config, store_url
from ..dialog import QueueFileSink
from ..errors import VoiceError
from ..store import Store, StoreError, open_store
from ..store.copy import BATCH_ROWS, copy_store
from ..store.sqlite_files import file_problems
from ..store.url import POSTGRES_SCHEMES
from .context import CliContext, config_option, pass_context


@click.group()
def data() -> None:
    """Keep conversation data only as long as needed."""


@data.command()
@config_option
@pass_context
def purge(context: CliContext) -> None:
    """Delete expired sessions, and conversation-log rows (their signals and the reviews too) and records
    of the [handoff] queue file older than the configured retention_days."""
    config = context.config
    with open_store(store_url(config)) as store:
        sessions = store.purge_expired()
        rows = store.purge_log(config.retention_days)
    click.echo(
        f"deleted {sessions} expired sessions and {rows} log rows older than {config.retention_days} days"
    )
    queue = _handoff_queue(config)
    if queue is not None:
        before = dt.datetime.now(dt.UTC) - dt.timedelta(days=config.retention_days)
        with _queue_access(queue, "rewrite", "write that file and its folder"):
            queued = queue.purge(before)
        click.echo(
            f"deleted {queued} handoff records older than {config.retention_days} days "
            f"from the queue file {queue.path}"
        )


@data.command()
@config_option
@pass_context
def migrate(context: CliContext) -> None:
    """Bring the store's tables to this program's schema version, keeping every record (SQLite or
    PostgreSQL); run it before starting a new version of the program on several hosts."""
    url = store_url(context.config)
    before, after = migrate_store(url)
    if before == after:
        click.echo(f"the store is at schema version {after} already; nothing to do")
    else:
        click.echo(f"upgraded the store from schema version {before} to {after}")


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


def _existing_source(url: str) -> None:
    """A copy reads its source: an SQLite file that is not there is a typo, not an empty store to create."""
    scheme, _, location = url.partition("://")
    if scheme.lower() == "sqlite" and location and location != ":memory:" and not Path(location).is_file():
        raise StoreError(
            f"the source store {location} does not exist; check the path (sqlite:///path/to/sessions.db)."
        )


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
def copy_data(source_url: str, target_url: str, batch_rows: int, restart: bool) -> None:
    """Copy every table of the store at SOURCE_URL into the one at TARGET_URL (SQLite to PostgreSQL
    and back), then compare row counts and checksums per table; exit 1 on a difference. Stop the
    application first. An interrupted copy continues where it stopped when run again."""

    def told(table: str, rows: int) -> None:
        click.echo(f"{table}: {rows} rows copied", err=True)

    _existing_source(source_url)
    report = copy_store(source_url, target_url, batch_rows=batch_rows, restart=restart, progress=told)
    click.echo(f"{'table':<16} {'copied':>9} {'source rows':>12} {'target rows':>12}  checksums")
    for result in report.tables:
        same = "ok" if result.ok else "DIFFERENT"
        click.echo(
            f"{result.table:<16} {result.copied:>9} {result.source.rows:>12} {result.target.rows:>12}  "
            f"{result.source.checksum} {result.target.checksum} {same}"
        )
    if not report.ok:
        click.echo("error: the target differs from the source; see the tables marked DIFFERENT.", err=True)
        raise SystemExit(1)
    click.echo(f"copied and verified {len(report.tables)} tables")


@data.command()
@click.argument("user_id")
@config_option
@pass_context
def forget(context: CliContext, user_id: str) -> None:
    """Erase everything kept about USER_ID: sessions, remembered attributes, the conversation log and
    its per-turn signals, the reviews of their words, and their handoff records in the store and in the
    [handoff] queue file."""
    with open_store(store_url(context.config)) as store:
        count = forget_reviews(store, user_id) + store.delete_user(
            user_id
        )  # reviews first: see forget_reviews
    click.echo(f"erased {count} records of user {user_id}")
    queue = _handoff_queue(context.config)
    if queue is not None:
        with _queue_access(queue, "rewrite", "write that file and its folder"):
            queued = queue.forget(user_id)
        click.echo(f"erased {queued} handoff records of user {user_id} from the queue file {queue.path}")
    if context.config.handoff.get("url"):
        click.echo(
            f"handoff records sent to {context.config.handoff['url']} are kept by its receiver: "
            "erase them there too"
        )


@data.command(name="export")
@click.argument("user_id")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file instead of standard output.",
)
@config_option
@pass_context
def export_user(context: CliContext, user_id: str, output: Path | None) -> None:
    """Everything kept about USER_ID as JSON (remembered attributes, sessions, conversation log and its
    per-turn signals, the reviews of their words, handoff records, those in the [handoff] queue file
    too), for an access request; ``forget`` erases the same records."""
    with open_store(store_url(context.config)) as store:
        found = user_data(store, user_id)
    queue = _handoff_queue(context.config)
    if queue is not None:
        with _queue_access(queue, "read", "read that file"):
            found["handoff_queue"] = queue.records_of(user_id)
    text = json.dumps(found, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise VoiceError(
                f"cannot write {output}: {exc.strerror or exc}; check that its folder exists and is writable."
            ) from exc
        click.echo(f"wrote everything kept about user {user_id} to {output}")


@data.command()
@config_option
@pass_context
def check(context: CliContext) -> None:
    """Run the database's full consistency check (SQLite: PRAGMA integrity_check); exit 1 on a problem.
    An SQLite file too damaged to open is checked read-only, so its problems are listed too."""
    url = store_url(context.config)
    try:
        store = open_store(url)
    except StoreError:
        problems = file_problems(url.partition("://")[2]) if url.lower().startswith("sqlite:") else []
        if not problems:
            raise
        _list_problems(problems, "damaged; the store cannot be opened: restore it from a backup")
    with store:
        problems = store.check()
        pending = store.outbox_counts()["pending"]
    waiting = f"{pending} handoff records waiting to be delivered"
    if problems:
        _list_problems(problems, f"damaged; {waiting}")
    click.echo(f"ok; {waiting}")


def _list_problems(problems: list[str], verdict: str) -> NoReturn:
    for problem in problems:
        click.echo(f"problem: {problem}")
    click.echo(verdict)
    raise SystemExit(1)


def _handoff_queue(config: Config) -> QueueFileSink | None:
    """The queue file of ``[handoff]``, where this host writes handoff records, if there is one."""
    return QueueFileSink(str(config.handoff["queue"])) if config.handoff.get("queue") else None


@contextlib.contextmanager
def _queue_access(queue: QueueFileSink, doing: str, may: str) -> Iterator[None]:
    """One sentence instead of a traceback when the queue file cannot be read or written."""
    try:
        yield
    except OSError as exc:
        raise VoiceError(
            f"cannot {doing} the handoff queue {queue.path}: {exc.strerror or exc}; run the command again "
            f"as a user that may {may}."
        ) from exc


def user_data(store: Store, user_id: str) -> dict[str, Any]:
    """The records of one user, as JSON-ready values."""
    return {
        "user_id": user_id,
        "attributes": store.get_user(user_id),
        "sessions": [session.to_dict() for session in store.sessions_of(user_id)],
        "log": [
            asdict(entry) | {"speaker": entry.speaker.value} for entry in store.read_log(user_id=user_id)
        ],
        "replies": [
            {"request_id": request_id, "reply": reply} for request_id, reply in store.answers_of(user_id)
        ],
        "outbox": [asdict(item) for item in store.outbox_of(user_id)],
        "signals": list(store.signals_of(user_id)),
        "reviews": reviews_of(store, user_id),
    }
