"""The dashboard's figures: what every app counts per unit, summed up the tree and kept in a snapshot table.

Apps register *blocks* here in ``AppConfig.ready`` (``branches`` imports no other app, so the registry lives
at the bottom, like ``members.panels``). A block's ``collect(root, today)`` yields ``(organization id,
{metric: value})`` for the units where a figure originates — usually branches — with a fixed number of
grouped queries over ``root``'s subtree. ``figures_compute`` adds every unit's values to the unit itself and
to each of its ancestors (numbers are summed; ISO date strings keep the latest), so each unit ends up with
its whole subtree's figures. Money is counted in fen (integers), so sums are exact.

``figures_refresh`` writes the result to ``UnitFigures``: one row per unit, which also keeps the figures as
the week began (``previous``, rolled over by the week's first refresh) for "what moved". The dashboard reads the unit's
row and its children's rows, one query whatever the size of the tree (DESIGN §7: dashboards read snapshot
tables, never raw scans). Refreshes come from the beat schedule (every ``FIGURES_REFRESH_MINUTES``) and from
``figures_changed``, which apps call after a relevant write: on commit it queues one refresh of the unit's
university a few seconds later, so a burst of writes costs one refresh.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from branches.dates import week_start
from branches.models import Organization, UnitFigures

logger = logging.getLogger(__name__)

Figures = dict[str, int | float | str]
Collect = Callable[[Organization, datetime.date], Iterable[tuple[int, Figures]]]
Derive = Callable[[Figures, datetime.date], Figures]


@dataclass(frozen=True)
class Column:
    """One figure as a table column. ``kind``: count, money (stored in fen), percent (a 0–1 share,
    usually derived), date (ISO string), text."""

    key: str
    label: str
    kind: str = "count"


@dataclass(frozen=True)
class Block:
    """One block of the dashboard: where its figures come from and how they are shown.

    ``columns`` are the table's columns (and the xlsx's); ``chart`` is "bar" (the ``chart_keys`` columns as
    bars per child unit, ``stacked`` or side by side) or "heatmap" (children × every column, values 0–1); ``derive`` adds shares
    and other non-additive values from the stored sums when the block is shown.
    """

    key: str
    title: str
    collect: Collect
    columns: tuple[Column, ...]
    chart: str = "bar"
    chart_keys: tuple[str, ...] = ()  # column keys
    stacked: bool = True
    derive: Derive | None = None
    order: int = 100
    note: str = ""

    def values(self, stored: Figures | None, as_of: datetime.date) -> Figures:
        values = dict(stored or {})
        if self.derive:
            values.update(self.derive(values, as_of))
        return values


_BLOCKS: dict[str, Block] = {}


def register_block(block: Block) -> Block:
    _BLOCKS[block.key] = block
    return block


def blocks() -> list[Block]:
    return sorted(_BLOCKS.values(), key=lambda block: (block.order, block.key))


def block(key: str) -> Block | None:
    return _BLOCKS.get(key)


# --- computing -------------------------------------------------------------------------------------------------


def _add(target: Figures, values: Figures) -> None:
    for key, value in values.items():
        if isinstance(value, str):
            if value > target.get(key, ""):
                target[key] = value
        else:
            target[key] = target.get(key, 0) + value


def figures_compute(
    *, root: Organization, today: datetime.date | None = None
) -> tuple[dict[int, dict[str, Figures]], dict[int, dict[str, Figures]]]:
    """Every unit of ``root``'s subtree (party groups excluded) with its subtree's figures, per block.

    Returns ``(data, own)``: ``own`` holds, for provinces only, the figures of the unit itself (see
    ``UnitFigures.own``). One query for the tree plus each block's queries, whatever the size of the tree.
    """
    today = today or timezone.localdate()
    # Deepest paths first: rows are then written (and locked) in descending path order, the order in which a
    # partial refresh writes a university and then its province, so two refreshes never deadlock.
    nodes = list(
        Organization.objects.filter(path__startswith=root.path)
        .order_by("-path")
        .values_list("pk", "path", "kind")
    )
    id_by_path = {path: pk for pk, path, _kind in nodes}
    step = Organization.steplen
    start = len(root.path)
    chain: dict[int, list[int]] = {}
    data: dict[int, dict[str, Figures]] = {}
    own: dict[int, dict[str, Figures]] = {}
    for pk, path, kind in nodes:
        # The unit itself (unless a party group: groups have no dashboard) and its ancestors up to root.
        ids = [id_by_path[path[:n]] for n in range(start, len(path), step)]
        if kind != Organization.Kind.GROUP:
            ids.append(pk)
            data[pk] = {}
        chain[pk] = ids
        if kind == Organization.Kind.PROVINCE:
            own[pk] = {}
    for registered in blocks():
        for figures in data.values():
            figures[registered.key] = {}
        for org_id, values in registered.collect(root, today):
            ids = chain.get(org_id)
            if ids is None:
                continue
            for target in ids:
                _add(data[target][registered.key], values)
            if org_id in own:
                _add(own[org_id].setdefault(registered.key, {}), values)
    return data, own


ROLL_CHUNK = 500  # organisation ids per UPDATE (SQLite's bound-parameter limit is far above)


def _roll_over(ids: list[int], today: datetime.date) -> None:
    """Keep the figures as the week began: on a week's first refresh of a unit, its stored figures (the last
    ones of the week before) become ``previous`` before the new ones are written. An UPDATE in the database
    (no figures travel through Python); rows already refreshed this week match nothing and are not locked."""
    monday = week_start(today)
    for start in range(0, len(ids), ROLL_CHUNK):
        UnitFigures.objects.filter(
            organization_id__in=ids[start : start + ROLL_CHUNK], as_of__lt=monday
        ).update(previous=F("data"), previous_as_of=F("as_of"))


def _write(
    data: dict[int, dict[str, Figures]],
    own: dict[int, dict[str, Figures]],
    today: datetime.date,
    now: datetime.datetime,
) -> None:
    _roll_over(list(data), today)
    rows = [
        UnitFigures(organization_id=pk, data=figures, own=own.get(pk, {}), as_of=today, computed_at=now)
        for pk, figures in data.items()
    ]
    UnitFigures.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["organization"],
        update_fields=["data", "own", "as_of", "computed_at"],
    )


def _partition(unit: Organization) -> Organization:
    """The subtree a write's refresh recomputes: the unit's university, or its tree's root when there is none."""
    above = list(Organization.objects.filter(path__in=unit.ancestor_paths()).order_by("depth"))
    university = next((node for node in above if node.kind == Organization.Kind.UNIVERSITY), None)
    return university or above[0]


@dataclass
class Refresh:
    roots: list[str]
    units: int
    seconds: float


def figures_refresh(*, unit: Organization | None = None, today: datetime.date | None = None) -> Refresh:
    """Recompute and store the figures. With ``unit``: its partition (its university, or its tree when there
    is no university level), then each ancestor above the partition as its own figures plus its children's.
    Without: every tree in full. Each partition is written in one transaction."""
    today = today or timezone.localdate()
    started = time.perf_counter()
    if unit is None:
        roots = list(Organization.objects.get_root_nodes())
        units = 0
        for root in roots:
            data, own = figures_compute(root=root, today=today)
            with transaction.atomic():
                _write(data, own, today, timezone.now())
            units += len(data)
        return Refresh([root.code for root in roots], units, time.perf_counter() - started)

    partition = _partition(unit)
    data, own = figures_compute(root=partition, today=today)
    with transaction.atomic():
        now = timezone.now()
        _write(data, own, today, now)
        ancestors = list(
            Organization.objects.filter(path__in=partition.ancestor_paths()[:-1]).order_by("-depth")
        )
        for ancestor in ancestors:
            children = (
                UnitFigures.objects.filter(
                    organization__path__startswith=ancestor.path,
                    organization__depth=ancestor.depth + 1,
                )
                .exclude(organization__kind=Organization.Kind.GROUP)
                .values_list("data", flat=True)
            )
            stored = (
                UnitFigures.objects.filter(organization=ancestor).values_list("own", flat=True).first() or {}
            )
            total: dict[str, Figures] = {}
            for figures in [stored, *children]:
                for key, values in figures.items():
                    _add(total.setdefault(key, {}), values)
            _write({ancestor.pk: total}, {ancestor.pk: stored} if stored else {}, today, now)
    return Refresh([partition.code], len(data) + len(ancestors), time.perf_counter() - started)


def figures_changed(organization: Organization | int | None) -> None:
    """Call after a write that changes a dashboard figure of ``organization``'s subtree.

    On commit, queues one refresh of its partition ``FIGURES_DEBOUNCE_SECONDS`` later; further calls for the
    same partition within that window are folded into it (a cache key set with ``add``).
    """
    if organization is None:
        return
    org_id = organization if isinstance(organization, int) else organization.pk
    path = None if isinstance(organization, int) else organization.path

    def queue() -> None:
        from branches.tasks import figures_refresh_unit

        delay = settings.FIGURES_DEBOUNCE_SECONDS
        # Coarse but query-free: units under the same two top levels share one pending refresh.
        key = f"figures:pending:{path[: Organization.steplen * 2] if path else org_id}"
        if delay and not cache.add(key, 1, timeout=delay):
            return
        try:
            figures_refresh_unit.apply_async(args=[org_id], countdown=delay)
        except Exception:  # a broker outage must not fail the write; the periodic refresh catches up
            logger.exception("could not queue the dashboard refresh of organization %s", org_id)

    transaction.on_commit(queue)


def watch(model, organization_of: Callable[[object], Organization | int | None]) -> None:
    """Refresh the figures after every save or delete of ``model`` (``organization_of(instance)`` says whose).
    Bulk writes send no signals: their services call ``figures_changed`` themselves."""
    from django.db.models.signals import post_delete, post_save

    def changed(sender, instance, **kwargs) -> None:
        if kwargs.get("raw"):
            return
        figures_changed(organization_of(instance))

    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"figures:{model._meta.label}:save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"figures:{model._meta.label}:delete")
