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
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models

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

    def __init__(self, cursor, template: Organization, name: str) -> None:
        self.cursor = cursor
        self.name = name
        self.tables: dict[str, str] = {}  # db_table → temporary table of its owned ids
        self.counts: dict[str, int] = {}
        self.template = template

    def _create(self, model) -> str:
        table = model._meta.db_table
        own = f"demo_own_{self.name}_{len(self.tables)}"
        pk = _q(model._meta.pk.column)
        self.cursor.execute(f"DROP TABLE IF EXISTS {own}")
        self.cursor.execute(f"CREATE TEMPORARY TABLE {own} AS SELECT {pk} AS id FROM {_q(table)} WHERE 1 = 0")
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


def university_copies(
    *, template: Organization, copies: list[Copy], template_name: str, verbose: bool = False
) -> dict[str, int]:
    """Write the copies; returns the rows written per table (for the report)."""
    if len(copies) > MAX_COPIES:
        raise ValueError(f"at most {MAX_COPIES} copies")
    User = get_user_model()
    tables = _tables()
    with connection.cursor() as cursor:
        owned = _Owned(cursor, template, "t")
        owned.find(tables)
        for university in Organization.objects.filter(
            kind=Organization.Kind.UNIVERSITY, path__lt=template.path
        ):
            other = _Owned(cursor, university, f"o{university.pk}")
            other.find(tables)
            owned.subtract(other)
            other.drop()
        owned.histories(tables)
        largest: dict[str, int] = {}
        for model in tables:
            if model._meta.db_table in owned.tables and _integer_pk(model):
                cursor.execute(f"SELECT MAX({_q(model._meta.pk.column)}) FROM {_q(model._meta.db_table)}")
                largest[model._meta.db_table] = cursor.fetchone()[0] or 0
        _copies_table(cursor, copies)
        written: dict[str, int] = {}
        for model in tables:
            table = model._meta.db_table
            if not owned.counts.get(table) or table == "branches_unitfigures":
                continue  # the snapshots are computed for every unit after the copies (load_demo)
            if table in _REWRITES:
                written[table] = _copy_in_python(cursor, model, owned, largest, copies)
                continue
            columns, values = _copy_columns(model, owned, largest, template, template_name, User)
            cursor.execute(
                f"INSERT INTO {_q(table)} ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM {_q(table)} t JOIN {owned.tables[table]} o ON o.id = t.{_q(model._meta.pk.column)} "
                f"CROSS JOIN demo_copies p ORDER BY p.idx, t.{_q(model._meta.pk.column)}"
            )
            written[table] = cursor.rowcount
        if verbose:
            for table, count in sorted(owned.counts.items()):
                print(f"{table}: {count} owned, {written.get(table, 0)} written")
        owned.drop()
        cursor.execute("DROP TABLE IF EXISTS demo_copies")
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [m for m in tables if m._meta.db_table in written]
        ):
            cursor.execute(sql)
    return written


def _copies_table(cursor, copies: list[Copy]) -> None:
    cursor.execute("DROP TABLE IF EXISTS demo_copies")
    cursor.execute(
        "CREATE TEMPORARY TABLE demo_copies (idx integer PRIMARY KEY, code varchar(10), prefix varchar(10), "
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


def _copy_in_python(cursor, model, owned: _Owned, largest, copies: list[Copy]) -> int:
    """Tables whose text holds ids: read the template's rows once, write each copy's with the text rewritten."""
    meta = model._meta
    table = meta.db_table
    fields = meta.local_fields
    cursor.execute(
        f"SELECT {', '.join('t.' + _q(f.column) for f in fields)} FROM {_q(table)} t "
        f"JOIN {owned.tables[table]} o ON o.id = t.{_q(meta.pk.column)} ORDER BY t.{_q(meta.pk.column)}"
    )
    rows = cursor.fetchall()
    owned_ids: dict[str, set[int]] = {}
    for field in fields:
        if field.is_relation and (own := owned.tables.get(field.related_model._meta.db_table)):
            cursor.execute(f"SELECT id FROM {own}")
            owned_ids[field.column] = {r[0] for r in cursor.fetchall()}
    by_label: dict[str, tuple[set[int], int]] = {}

    def ids_of(label: str) -> tuple[set[int], int]:
        if label not in by_label:
            target = apps.get_model(label)._meta.db_table
            own = owned.tables.get(target)
            found: set[int] = set()
            if own:
                cursor.execute(f"SELECT id FROM {own}")
                found = {r[0] for r in cursor.fetchall()}
            by_label[label] = (found, largest.get(target, 0))
        return by_label[label]

    rewrite = _REWRITES[table]
    names = [_q(f.column) for f in fields]
    columns = [f.column for f in fields]
    width = len(fields)
    chunk = max(1, 900 // width)
    written = 0
    for copy in copies:

        def shift(label: str, pk: int, index=copy.index) -> int:
            found, span = ids_of(label)
            return pk + index * span if pk in found else pk

        out = []
        for row in rows:
            new = list(row)
            for i, field in enumerate(fields):
                if field.primary_key:
                    new[i] = row[i] + copy.index * largest[table]
                elif field.column in owned_ids and row[i] in owned_ids[field.column]:
                    new[i] = row[i] + copy.index * largest[field.related_model._meta.db_table]
            values = dict(zip(columns, new, strict=True))
            rewrite(values, shift)
            out.append([values[c] for c in columns])
        for start in range(0, len(out), chunk):
            part = out[start : start + chunk]
            marks = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in part)
            cursor.execute(
                f"INSERT INTO {_q(table)} ({', '.join(names)}) VALUES {marks}", [v for r in part for v in r]
            )
        written += len(out)
    return written


def province_copy(builder) -> str:
    """The province's universities after the drawn ones, copied from the last drawn (load_demo's step)."""
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
    )
    Organization.objects.filter(kind=Organization.Kind.PROVINCE).update(numchild=builder.scale)
    return (
        f"{len(copies)} universities copied from {template.code}: "
        f"{sum(written.values())} rows in {len(written)} tables"
    )
