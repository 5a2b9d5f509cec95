"""Backups of the portal's database (``manage.py backup`` / ``manage.py restore``; README "Backups").

* SQLite (the embedded default): the online backup API (``sqlite3.Connection.backup``) copies the pages
  under SQLite's own locking, so the copy is one consistent state even while the web server and the worker
  write. A plain ``cp`` of a live WAL database is not: the main file lacks what is still in ``-wal``, and a
  copy taken mid-checkpoint can be corrupt. The copy is checked with ``pragma integrity_check`` on a plain
  connection (no Django functions registered), as the ``sqlite3`` shell would run it.
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot by the server's MVCC) and ``pg_restore``;
  the connection settings go to them as ``PG*`` environment variables, never on the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path


class BackupError(Exception):
    pass


# --- SQLite ---------------------------------------------------------------------------------------------


def sqlite_integrity(path: Path) -> str:
    """``pragma integrity_check`` of the file on a plain connection: ``"ok"`` or SQLite's findings."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("pragma integrity_check").fetchall()
    except sqlite3.Error as exc:  # e.g. "unknown function" in a CHECK constraint
        return str(exc)
    finally:
        connection.close()
    return "\n".join(row[0] for row in rows)


def sqlite_backup(*, source: Path, target: Path) -> Path:
    """Copy the live database ``source`` to ``target`` with the online backup API, as a self-contained
    file (rollback journal, not WAL), checked before it takes its name. Returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        live.backup(copy)  # all pages in one step: one consistent state, whatever writes around it
        copy.execute("pragma journal_mode=DELETE")  # one file: no -wal beside it to lose
    finally:
        copy.close()
        live.close()
    verdict = sqlite_integrity(partial)
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed pragma integrity_check: {verdict}")
    os.replace(partial, target)
    return target


def sqlite_restore(*, backup: Path, target: Path) -> None:
    """Write the backup's pages over the live database ``target``, under SQLite's locking (the WAL and
    every open connection see the restored state; no stale ``-wal`` file survives as a copy would leave).
    The backup is checked first; stop the web server and the workers before restoring."""
    verdict = sqlite_integrity(backup)
    if verdict != "ok":
        raise BackupError(f"{backup} fails pragma integrity_check, not restored: {verdict}")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    live = sqlite3.connect(target, timeout=30)
    try:
        source.backup(live)
    finally:
        live.close()
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------------------


def pg_environment(db: dict) -> dict[str, str]:
    """The ``PG*`` variables that point pg_dump / pg_restore at Django's database (no password in argv)."""
    env = {
        "PGDATABASE": db["NAME"],
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
    }
    return {name: value for name, value in env.items() if value}


def pg_dump_command(target: Path) -> list[str]:
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]


def pg_restore_command(backup: Path, database: str) -> list[str]:
    # --clean --if-exists: drop what the dump recreates; --single-transaction: all of it or nothing.
    return [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={database}",
        str(backup),
    ]


def _run(command: list[str], db: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, env=os.environ | pg_environment(db), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def pg_backup(*, db: dict, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _run(pg_dump_command(partial), db)
    os.replace(partial, target)
    return target


def pg_restore(*, db: dict, backup: Path) -> None:
    _run(pg_restore_command(backup, db["NAME"]), db)
