"""A province's universities after the second, copied from the second in SQL (issue 17.3).

Drawing a university takes 10–15 s of Python (people, meetings, ballots…), so a province of 100 took over half an
hour. The first two universities are drawn as before (the first is the showcase with its assessment cycle,
commendations and campaigns; the second is a plain one); every further university is a copy of the second with
its own number: its units' codes, paths and names, its logins (``u003_zb001``), its people's ID numbers and
campus numbers, and every row that belongs to it, written by one ``INSERT … SELECT`` per table for all copies.

Which rows belong to the second university is found from the foreign keys, not from a list kept by hand: its
units (the subtree under it), then every row with a key to a row that belongs to it, until nothing is added;
the logins of its people and of its roles and the rows held by a one-to-one key (a 民主评议's ballot box) belong
to it too; a history row belongs to it when the object it records does. Rows that belong to nobody (the province,
the rules, the programmes' guides) are shared: the copies point at the same ones. In a copy every key to a
row that belongs to the second university points at the copy's own row (its id shifted by a multiple of the
table's largest id), every other key stays. A unique column the copy cannot make unique stops the load with its
name (a new kind of row needs a rule here), and a table whose text holds ids (the to-dos' keys) registers a
rewrite (``register_copy_rewrite``) from its own app's demo module.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction

from branches.models import Organization, Role
from members.models import Member
from members.resources import ID_CHECK, ID_WEIGHTS

# The regions of the drawn ID numbers all have 01 as their middle digits (members/demo.py REGIONS): a copy's
# people have the copy's own middle digits (02 for the first copy …), so no two people share a number.
MAX_COPIES = 98

# table → fn(row, shift) for rows whose text holds ids: row maps column → value (the keys already shifted),
# shift(model_label, id) gives the copy's id of a row that belongs to the template, any other id unchanged.
Shift = Callable[[str, int], int]
_REWRITES: dict[str, Callable[[dict, Shift], None]] = {}


def register_copy_rewrite(model: type[models.Model], rewrite: Callable[[dict, Shift], None]) -> None:
    _REWRITES[model._meta.db_table] = rewrite


@dataclass(frozen=True)
class Copy:
    index: int  # 1 for the first copy: ids are shifted by index × the table's largest id
    number: int  # the university's number (3 for the first copy)
    name: str  # 江城第3大学

    @property
    def code(self) -> str:
        return f"U{self.number:03d}"

    @property
    def prefix(self) -> str:
        return f"u{self.number:03d}_"

    @property
    def middle(self) -> str:
        return f"{self.index + 1:02d}"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables() -> list[type[models.Model]]:
    """Every concrete table of the project (many-to-many tables included), each once."""
    seen, found = set(), []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        found.append(model)
    return found


def _integer_pk(model) -> bool:
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField) and not (
        model._meta.pk.is_relation
    )


def _history_of(model):
    """The model a simple-history table records, or None."""
    return getattr(model, "instance_type", None) if hasattr(model, "history_id") else None


class _Owned:
    """The ids of the rows that belong to the template university, per table, in temporary tables."""

    def __init__(self, cursor, template: Organization, name: str, *, kind: str = "TEMPORARY") -> None:
        self.cursor = cursor
        self.kind = kind
        self.name = name
        self.tables: dict[str, str] = {}  # db_table → temporary table of its owned ids
        self.counts: dict[str, int] = {}
        self.template = template

    def _create(self, model) -> str:
        table = model._meta.db_table
        own = f"demo_own_{self.name}_{len(self.tables)}"
        pk = _q(model._meta.pk.column)
        self.cursor.execute(f"DROP TABLE IF EXISTS {own}")
        self.cursor.execute(
            f"CREATE {self.kind} TABLE {own} AS SELECT {pk} AS id FROM {_q(table)} WHERE 1 = 0"
        )
        self.cursor.execute(f"CREATE UNIQUE INDEX {own}_id ON {own} (id)")
        self.tables[table] = own
        self.counts[table] = 0
        return own

    def _add(self, model, where: str, params=()) -> int:
        table = model._meta.db_table
        own = self.tables.get(table) or self._create(model)
        pk = _q(model._meta.pk.column)
        self.cursor.execute(
            f"INSERT INTO {own} (id) SELECT t.{pk} FROM {_q(table)} t WHERE ({where}) "
            f"AND NOT EXISTS (SELECT 1 FROM {own} o WHERE o.id = t.{pk})",
            params,
        )
        added = max(self.cursor.rowcount, 0)
        self.counts[table] += added
        return added

    def _in(self, target, column: str) -> str | None:
        own = self.tables.get(target._meta.db_table)
        return f"t.{_q(column)} IN (SELECT id FROM {own})" if own else None

    def find(self, tables) -> None:
        User = get_user_model()
        self._add(Organization, "t.path LIKE %s", [self.template.path + "%"])
        plain = [m for m in tables if _history_of(m) is None and m is not Organization]
        changed = True
        while changed:
            changed = False
            for model in plain:
                if self._add_by_keys(model, plain, User):
                    changed = True

    def histories(self, tables) -> None:
        """A history row belongs with the object it records (after ``find`` and ``subtract``)."""
        for model in [m for m in tables if _history_of(m) is not None]:
            original = _history_of(model)
            own = self.tables.get(original._meta.db_table)
            if own:
                self._add(model, f"t.{_q(original._meta.pk.column)} IN (SELECT id FROM {own})")

    def subtract(self, other: _Owned) -> None:
        """Rows that belong to another university too (a transfer from it) are not copied: a copy would be a second
        transfer of the other university's member."""
        for table, own in self.tables.items():
            theirs = other.tables.get(table)
            if theirs:
                self.cursor.execute(f"DELETE FROM {own} WHERE id IN (SELECT id FROM {theirs})")
                self.counts[table] -= max(self.cursor.rowcount, 0)

    def _add_by_keys(self, model, plain, User) -> int:
        if model is User:
            # A login belongs to the university through its person or its roles, never through a row that
            # merely names it (a to-do of the province's officer about one of the university's units).
            tests = [self._sub(Member, "user_id", "t.id"), self._sub(Role, "user_id", "t.id")]
        else:
            keys = [f for f in model._meta.local_fields if f.is_relation and (f.many_to_one or f.one_to_one)]
            # A key to a login decides only where there is no key to a unit (a person's notification settings,
            # a digest); a to-do names both its login and its unit, and the unit decides.
            by_unit = any(f.related_model is Organization for f in keys)
            tests = [
                self._in(f.related_model, f.column)
                for f in keys
                if f.related_model is not User or not by_unit
            ]
            tests += self._held_by_one_to_one(model, plain)
        tests = [t for t in tests if t]
        return self._add(model, " OR ".join(tests)) if tests else 0

    def _sub(self, model, column: str, outer: str) -> str | None:
        own = self.tables.get(model._meta.db_table)
        if not own:
            return None
        return (
            f"{outer} IN (SELECT s.{_q(column)} FROM {_q(model._meta.db_table)} s "
            f"WHERE s.{_q(model._meta.pk.column)} IN (SELECT id FROM {own}))"
        )

    def _held_by_one_to_one(self, model, plain) -> list[str]:
        """A row another owned row holds by a one-to-one key (a ballot box) belongs with it."""
        tests = []
        for other in plain:
            for field in other._meta.local_fields:
                if field.one_to_one and field.related_model is model and model is not Organization:
                    if test := self._sub(other, field.column, f"t.{_q(model._meta.pk.column)}"):
                        tests.append(test)
        return tests

    def drop(self) -> None:
        for own in self.tables.values():
            self.cursor.execute(f"DROP TABLE IF EXISTS {own}")


def copies_in_parallel() -> bool:
    """Whether the copies can be written by two connections at once: PostgreSQL, outside any transaction (a test's
    database is one transaction, and the second connection could not see its rows)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def university_copies(
    *,
    template: Organization,
    copies: list[Copy],
    template_name: str,
    verbose: bool = False,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> dict[str, int]:
    """Write the copies; returns the rows written per table (for the report).

    With ``workers`` > 1 (``copies_in_parallel``: the drawn universities already committed) the work tables are
    plain (unlogged) tables rather than temporary ones, so that each worker's connection reads them, and each
    worker writes every ``workers``-th copy in a transaction of its own; the workers commit together once all are
    done, or all roll back."""
    if len(copies) > MAX_COPIES:
        raise ValueError(f"at most {MAX_COPIES} copies")
    User = get_user_model()
    tables = _tables()
    kind = "TEMPORARY" if workers == 1 else "UNLOGGED"
    work: list[str] = []  # the work tables, dropped at the end
    with connection.cursor() as cursor:
        with transaction.atomic():
            owned = _Owned(cursor, template, "t", kind=kind)
            owned.find(tables)
            for university in Organization.objects.filter(
                kind=Organization.Kind.UNIVERSITY, path__lt=template.path
            ):
                other = _Owned(cursor, university, f"o{university.pk}", kind=kind)
                other.find(tables)
                owned.subtract(other)
                other.drop()
            owned.histories(tables)
            work += owned.tables.values()
            largest: dict[str, int] = {}
            for model in tables:
                if model._meta.db_table in owned.tables and _integer_pk(model):
                    cursor.execute(f"SELECT MAX({_q(model._meta.pk.column)}) FROM {_q(model._meta.db_table)}")
                    largest[model._meta.db_table] = cursor.fetchone()[0] or 0
            _copies_table(cursor, copies, kind)
            work.append("demo_copies")
            plan: list[tuple[str, str | _PythonCopy]] = []
            for model in tables:
                table = model._meta.db_table
                if not owned.counts.get(table) or table == "branches_unitfigures":
                    continue  # the snapshots are computed for every unit after the copies (load_demo)
                if table in _REWRITES:
                    plan.append((table, _PythonCopy(cursor, model, owned, largest)))
                    continue
                columns, values = _copy_columns(model, owned, largest, template, template_name, User)
                # The template's rows set apart once: each copy then reads these, not the table that grows with
                # every copy (read from the table, the hundredth copy's statements scanned fifty times as much).
                rows = f"demo_tpl_{len(plan)}"
                cursor.execute(f"DROP TABLE IF EXISTS {rows}")
                cursor.execute(
                    f"CREATE {kind} TABLE {rows} AS SELECT t.* FROM {_q(table)} t "
                    f"JOIN {owned.tables[table]} o ON o.id = t.{_q(model._meta.pk.column)} "
                    f"ORDER BY t.{_q(model._meta.pk.column)}"
                )
                work.append(rows)
                plan.append(
                    (
                        table,
                        f"INSERT INTO {_q(table)} ({', '.join(columns)}) SELECT {', '.join(values)} "
                        f"FROM {rows} t CROSS JOIN demo_copies p WHERE p.idx = ",
                    )
                )
        written = dict.fromkeys((table for table, _step in plan), 0)
        finished = [0]

        def tick() -> None:  # a copy is written (called from the workers' threads too: += on a list item is
            with lock:  # not atomic)
                finished[0] += 1
                if progress is not None:
                    progress(finished[0], len(copies))

        lock = threading.Lock()
        try:
            if workers == 1:
                with transaction.atomic():
                    _write_copies(cursor, plan, copies, written, tick)
            else:
                _write_copies_in_parallel(plan, copies, written, tick, workers)
        finally:
            with transaction.atomic():
                for name in work:
                    cursor.execute(f"DROP TABLE IF EXISTS {name}")
        if verbose:
            for table, count in sorted(owned.counts.items()):
                print(f"{table}: {count} owned, {written.get(table, 0)} written")
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [m for m in tables if m._meta.db_table in written]
        ):
            cursor.execute(sql)
    return written


def _write_copies(
    cursor, plan, copies: list[Copy], written: dict[str, int], tick: Callable[[], None]
) -> None:
    """One university after the other, so each one's rows lie together on disk, in the template's order."""
    with _foreign_keys_unchecked(cursor):
        for copy in copies:
            for table, step in plan:
                if isinstance(step, _PythonCopy):
                    count = step.write(copy, cursor)
                else:
                    cursor.execute(step + str(copy.index))
                    count = cursor.rowcount
                written[table] += count
            tick()


def _write_copies_in_parallel(plan, copies: list[Copy], written: dict[str, int], tick, workers: int) -> None:
    lock = threading.Lock()
    together = threading.Barrier(workers)
    failures: list[BaseException] = []

    def work(share: list[Copy]) -> None:
        mine = dict.fromkeys(written, 0)
        try:  # each thread has a connection of its own (Django's are per thread)
            with transaction.atomic(), connection.cursor() as cursor:
                _write_copies(cursor, plan, share, mine, tick)
                together.wait()  # no worker commits before every worker has written its share
            with lock:
                for table, count in mine.items():
                    written[table] += count
        except BaseException as error:  # handed to the main thread, which raises it
            failures.append(error)
            together.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(copies[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        real = [f for f in failures if not isinstance(f, threading.BrokenBarrierError)]
        raise (real or failures)[0]


def _copies_table(cursor, copies: list[Copy], kind: str) -> None:
    cursor.execute("DROP TABLE IF EXISTS demo_copies")
    cursor.execute(
        f"CREATE {kind} TABLE demo_copies (idx integer PRIMARY KEY, code varchar(10), prefix varchar(10), "
        "name varchar(100), middle varchar(2), path varchar(255))"
    )
    step = Organization.steplen
    for copy in copies:
        path = Organization._get_path(_province_path(), 2, copy.number)
        assert len(path) == 2 * step
        cursor.execute(
            "INSERT INTO demo_copies VALUES (%s, %s, %s, %s, %s, %s)",
            [copy.index, copy.code, copy.prefix, copy.name, copy.middle, path],
        )


def _province_path() -> str:
    return Organization.objects.get(kind=Organization.Kind.PROVINCE).path


def _shift(field, owned: _Owned, largest: dict[str, int]) -> str:
    column = f"t.{_q(field.column)}"
    target = field.related_model._meta.db_table
    own = owned.tables.get(target)
    if not own or target not in largest:
        return column
    return f"CASE WHEN {column} IN (SELECT id FROM {own}) THEN {column} + p.idx * {largest[target]} ELSE {column} END"


def _new_uuid() -> str:
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return "lower(hex(randomblob(16)))"


def _id_number(column: str) -> str:
    """The copy's ID number: the middle digits of the region replaced by the copy's, the check recomputed."""
    digits = [f"substr({column}, {i}, 1)" for i in (1, 2)] + [
        "substr(p.middle, 1, 1)",
        "substr(p.middle, 2, 1)",
    ]
    digits += [f"substr({column}, {i}, 1)" for i in range(5, 18)]
    total = " + ".join(f"CAST({d} AS INTEGER) * {w}" for d, w in zip(digits, ID_WEIGHTS, strict=True))
    body = f"substr({column}, 1, 2) || p.middle || substr({column}, 5, 13)"
    return (
        f"CASE WHEN length({column}) = 18 THEN {body} || substr('{ID_CHECK}', (({total}) % 11) + 1, 1) "
        f"ELSE {column} END"
    )


def _copy_columns(model, owned, largest, template, template_name, User) -> tuple[list[str], list[str]]:
    meta = model._meta
    table = meta.db_table
    original = _history_of(model)
    member_table = Member._meta.db_table
    columns, values = [], []
    for field in meta.local_fields:
        column = f"t.{_q(field.column)}"
        if field.primary_key and not field.is_relation:
            value = f"{column} + p.idx * {largest[table]}" if _integer_pk(model) else _new_uuid()
        elif field.is_relation:
            value = _shift(field, owned, largest)
        elif original is not None and field.column == original._meta.pk.column:
            value = f"{column} + p.idx * {largest[original._meta.db_table]}"
        elif original in (Organization,) or model is Organization:
            value = _organization_value(field, column, template, template_name)
        elif (original or model) is Member and field.column == "id_number":
            value = _id_number(column)
        elif (original or model) is Member and field.column == "campus_number":
            pk = "t.id" if original is None else f"t.{_q(original._meta.pk.column)}"
            value = f"CASE WHEN {column} = '' THEN '' ELSE 'D' || CAST({pk} + p.idx * {largest[member_table]} AS TEXT) END"
        elif (original or model) is User and field.column == "username":
            length = len(f"u{2:03d}_")
            value = (  # no parameters are passed with the statement: a single % is a LIKE wildcard
                f"CASE WHEN substr({column}, 1, {length}) = '{template.code.lower()}_' "
                f"THEN p.prefix || substr({column}, {length + 1}) "
                f"WHEN {column} LIKE 'demo-c%' THEN 'demo-c' || "
                f"CAST(CAST(substr({column}, 7) AS INTEGER) + p.idx * {largest[member_table]} AS TEXT) "
                f"ELSE {column} END"
            )
        elif (original or model) is User and field.column == "first_name":
            value = f"replace({column}, '{template_name}', p.name)"
        else:
            if field.unique and original is None:
                raise ValueError(
                    f"{table}.{field.column} is unique: the demo cannot copy it (members/demo_copy.py)"
                )
            value = column
        columns.append(_q(field.column))
        values.append(value)
    return columns, values


def _organization_value(field, column: str, template: Organization, template_name: str) -> str:
    if field.column == "path":
        return f"p.path || substr({column}, {len(template.path) + 1})"
    if field.column == "code":
        return f"p.code || substr({column}, {len(template.code) + 1})"
    if field.column in ("name", "short_name"):
        return f"replace({column}, '{template_name}', p.name)"
    return column


@contextmanager
def _foreign_keys_unchecked(cursor):
    """PostgreSQL checks each deferred foreign key of the transaction's rows at its commit: for the forty million rows
    of a province's copies that took four minutes. The copies' keys are the template's, each shifted exactly when
    its row is copied too, so they hold by construction; where the login may (a superuser: the demo's own
    database), the checks are switched off for the copies, and back on after them. SQLite's are cheap."""
    unchecked = False
    if connection.vendor == "postgresql":
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        unchecked = bool(cursor.fetchone()[0])
    if unchecked:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        if unchecked:
            cursor.execute("SET LOCAL session_replication_role = origin")


class _PythonCopy:
    """A table whose text holds ids (the to-dos' keys): the template's rows read once, each copy's written with the
    keys shifted and the text rewritten by the rule its app registered."""

    def __init__(self, cursor, model, owned: _Owned, largest: dict[str, int]) -> None:
        meta = model._meta
        self.cursor, self.table, self.largest = cursor, meta.db_table, largest
        self.fields = meta.local_fields
        cursor.execute(
            f"SELECT {', '.join('t.' + _q(f.column) for f in self.fields)} FROM {_q(self.table)} t "
            f"JOIN {owned.tables[self.table]} o ON o.id = t.{_q(meta.pk.column)} ORDER BY t.{_q(meta.pk.column)}"
        )
        self.rows = cursor.fetchall()
        self.owned = owned
        self.owned_ids: dict[str, set[int]] = {}
        for field in self.fields:
            if field.is_relation and field.related_model._meta.db_table in owned.tables:
                self.owned_ids[field.column] = self._ids(field.related_model._meta.db_table)
        self.by_label: dict[str, tuple[set[int], int]] = {}

    def _ids(self, table: str, cursor=None) -> set[int]:
        own = self.owned.tables.get(table)
        if not own:
            return set()
        cursor = cursor or self.cursor
        cursor.execute(f"SELECT id FROM {own}")
        return {r[0] for r in cursor.fetchall()}

    def _of(self, label: str, cursor) -> tuple[set[int], int]:
        if label not in self.by_label:
            table = apps.get_model(label)._meta.db_table
            self.by_label[label] = (self._ids(table, cursor), self.largest.get(table, 0))
        return self.by_label[label]

    def write(self, copy: Copy, cursor) -> int:
        def shift(label: str, pk: int) -> int:
            found, span = self._of(label, cursor)
            return pk + copy.index * span if pk in found else pk

        columns = [f.column for f in self.fields]
        rewrite = _REWRITES[self.table]
        out = []
        for row in self.rows:
            new = list(row)
            for i, field in enumerate(self.fields):
                if field.primary_key:
                    new[i] = row[i] + copy.index * self.largest[self.table]
                elif field.column in self.owned_ids and row[i] in self.owned_ids[field.column]:
                    new[i] = row[i] + copy.index * self.largest[field.related_model._meta.db_table]
            values = dict(zip(columns, new, strict=True))
            rewrite(values, shift)
            out.append([values[c] for c in columns])
        width = len(columns)
        chunk = max(1, 900 // width)  # SQLite's limit of 999 parameters a statement
        names = ", ".join(_q(c) for c in columns)
        for start in range(0, len(out), chunk):
            part = out[start : start + chunk]
            marks = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in part)
            cursor.execute(
                f"INSERT INTO {_q(self.table)} ({names}) VALUES {marks}", [v for r in part for v in r]
            )
        return len(out)


def province_copy(builder, progress: Callable[[int, int], None] | None = None) -> str:
    """The province's universities after the drawn ones, copied from the last drawn (load_demo's step): by two
    connections at once where ``copies_in_parallel`` (load_demo then calls it after committing the rest)."""
    from members.demo import university_name

    drawn = builder.drawn
    template = Organization.objects.get(kind=Organization.Kind.UNIVERSITY, code=f"U{drawn:03d}")
    copies = [
        Copy(index=i, number=drawn + i, name=university_name(drawn + i))
        for i in range(1, builder.scale - drawn + 1)
    ]
    written = university_copies(
        template=template,
        copies=copies,
        template_name=university_name(drawn),
        verbose=bool(os.environ.get("DEMO_COPY_VERBOSE")),
        progress=progress,
        workers=2 if copies_in_parallel() else 1,
    )
    Organization.objects.filter(kind=Organization.Kind.PROVINCE).update(numchild=builder.scale)
    return (
        f"{len(copies)} universities copied from {template.code}: "
        f"{sum(written.values())} rows in {len(written)} tables"
    )
