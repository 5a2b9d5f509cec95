"""Ratings per second through gunicorn on PostgreSQL: the code holder's POST to /rate/ (the code in the
body, issue 16), beside a minimal view (/healthz) and a bare view that writes the same two rows (the
participation ballot, one ciphertext of the real size) in one transaction (mounted only with
BENCH_ENDPOINTS=true). Every request uses a different, unused code; every one rates the same secretary
(the "hot secretary": all connections at once on one target's rows).

    .venv/bin/python bench/ratings.py                    # sync and gthread×4 workers, 16 connections, 10 s a line
    .venv/bin/python bench/ratings.py --threads 4 --seconds 20 --connections 32

Set-up (untimed): the demo database ``portal_bench6`` (bench/loadlib.py), a campaign whose scope is one
branch (one secretary, four dimensions, so one rating = claiming the code + sealing the choice + one
ballot + one ciphertext), published in trustee custody (the shares are dropped: a bench) and enough fresh
codes. After the runs the rows are counted: every used code must have exactly one ballot and the box one
ciphertext per ballot (zero lost, zero duplicated). Exit status 0 when the goals hold: ≥ 500 ratings/s and ≥ 50 % of
the bare writer, no errors, nothing lost or duplicated.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadlib import demo_database, django_setup, row, served, wrk  # noqa: E402

REDIS = "redis://127.0.0.1:6379/15"
ENV = {
    "BENCH_ENDPOINTS": "true",
    # wrk comes from one address: lift the per-address limit so the throttle is paid (three Redis calls
    # per request) but never trips.
    "RATING_SUBMITS_PER_IP": "100000000",
    "RATING_CODE_FAILURES_PER_IP": "100000000",
}

LUA = """
local items = {}
local i = 0
local body = "%(body)s"
local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
init = function(args)
  for line in io.lines("%(file)s") do items[#items + 1] = line end
end
request = function()
  i = i + 1
  local item = items[i]
  if item == nil then item = "EXHAUSTED" end
  if %(in_body)s then
    return wrk.format("POST", "%(prefix)s", headers, "code=" .. item .. "&step=rate&" .. body)
  end
  return wrk.format("POST", "%(prefix)s" .. item .. "%(suffix)s", headers, body)
end
"""


def _lua(*, path: Path, prefix: str, suffix: str = "", body: str, in_body: bool = False) -> str:
    return LUA % {
        "file": str(path),
        "prefix": prefix,
        "suffix": suffix,
        "body": body,
        "in_body": "true" if in_body else "false",
    }


def prepare(count: int):
    """A bench campaign over one branch and ``count`` fresh codes for the rating and ``count`` for the
    bare writer (plain codes for /rate/, code ids for the bare view)."""
    import datetime
    import secrets

    from django.utils import timezone

    from assessments.models import RatingCampaign, RatingCode
    from assessments.models.ratings import CODE_ALPHABET, CODE_LENGTH, code_digest
    from assessments.services.ratings import campaign_create, campaign_publish
    from branches.models import Organization, Role

    role = (
        Role.objects.current()
        .filter(kind=Role.Kind.SECRETARY, organization__kind=Organization.Kind.BRANCH)
        .select_related("organization")
        .order_by("organization__path")
        .first()
    )
    now = timezone.now()
    RatingCampaign.objects.filter(name="bench").delete()  # an earlier run's campaign, codes and rows
    campaign = campaign_create(
        scope=role.organization,
        name="bench",
        year=now.year,
        by=None,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
    )
    campaign_publish(campaign=campaign, by=None)  # a key pair; the trustees' shares are not needed here
    campaign.refresh_from_db()
    target = campaign.targets.get()
    dimensions = list(campaign.dimensions.all())
    body = "&".join(f"t{target.pk}-d{d.pk}=good" for d in dimensions)
    plain = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]
    RatingCode.objects.bulk_create(
        [RatingCode(campaign=campaign, unit=role.organization, digest=code_digest(c)) for c in plain],
        batch_size=5000,
    )
    bare = RatingCode.objects.bulk_create(
        [
            RatingCode(campaign=campaign, unit=role.organization, digest=secrets.token_hex(32))
            for _ in range(count)
        ],
        batch_size=5000,
    )
    return campaign, target, body, plain, [c.pk for c in bare]


def verify(campaign_id: int) -> dict[str, int]:
    from django.db.models import Count

    from assessments.models import Ballot, RatingCampaign, RatingCode, SealedBallot

    ballots = Ballot.objects.filter(campaign_id=campaign_id)
    box_id = RatingCampaign.objects.values_list("box_id", flat=True).get(pk=campaign_id)
    return {
        "codes used": RatingCode.objects.filter(campaign_id=campaign_id, used=True).count(),
        "ballots (rating)": ballots.filter(code__used=True).count(),
        "ballots (bare)": ballots.filter(code__used=False).count(),
        "scores": SealedBallot.objects.filter(box_id=box_id).count(),
        "duplicated codes": ballots.values("code_id").annotate(n=Count("pk")).filter(n__gt=1).count(),
    }


def _files(work: Path, label: str, items: list, warm: int) -> tuple[Path, Path]:
    """Separate files for the warm-up and the measured run: an item is never offered twice."""
    warm_file, run_file = work / f"{label}-warm.txt", work / f"{label}-run.txt"
    warm_file.write_text("\n".join(map(str, items[:warm])) + "\n")
    run_file.write_text("\n".join(map(str, items[warm:])) + "\n")
    return warm_file, run_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 4],
        help="gunicorn threads per worker, one set of lines each (1: sync workers; more: gthread)",
    )
    parser.add_argument(
        "--codes", type=int, default=15000, help="codes per measured line (more than it can use)"
    )
    args = parser.parse_args()

    warm = 3000
    per_line = warm + args.codes
    url = demo_database("portal_bench6", scale=1)
    django_setup(database_url=url, redis_url=REDIS, env=ENV)
    started = time.perf_counter()
    campaign, target, body, plain, bare_ids = prepare(per_line * len(args.threads))
    print(
        f"set-up: campaign {campaign.pk}, {len(plain)} + {len(bare_ids)} codes in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    from django.db import connections

    connections.close_all()

    work = Path(tempfile.mkdtemp(prefix="bench-ratings-"))
    bare_suffix = f"/?campaign={campaign.pk}&target={target.pk}&box={campaign.box_id}"
    lines = []
    goals = True
    total_requests = 0
    for index, threads in enumerate(args.threads):
        chunk = slice(index * per_line, (index + 1) * per_line)
        bare_warm, bare_run = _files(work, f"bare{index}", bare_ids[chunk], warm)
        rate_warm, rate_run = _files(work, f"rate{index}", plain[chunk], warm)
        with served(
            database_url=url, redis_url=REDIS, workers=args.workers, threads=threads, env=ENV
        ) as base:
            run = {"connections": args.connections, "seconds": args.seconds, "warmup": 0}
            minimal = wrk(base + "/healthz", connections=args.connections, seconds=args.seconds)
            wrk(
                base + "/",
                connections=args.connections,
                seconds=1,
                warmup=0,
                lua=_lua(path=bare_warm, prefix="/bench/rate-bare/", suffix=bare_suffix, body=body),
            )
            bare = wrk(
                base + "/",
                **run,
                lua=_lua(path=bare_run, prefix="/bench/rate-bare/", suffix=bare_suffix, body=body),
            )
            wrk(
                base + "/",
                connections=args.connections,
                seconds=1,
                warmup=0,
                lua=_lua(path=rate_warm, prefix="/rate/", body=body, in_body=True),
            )
            rating = wrk(base + "/", **run, lua=_lua(path=rate_run, prefix="/rate/", body=body, in_body=True))
            time.sleep(1)  # let the last in-flight requests finish before counting
        kind = "sync" if threads == 1 else f"gthread × {threads}"
        share = rating["rps"] / bare["rps"]
        lines.append((kind, minimal, bare, rating, share))
        total_requests += rating["requests"]
        goals &= rating["rps"] >= 500 and share >= 0.5 and rating["errors"] == 0 and rating["non_2xx"] == 0
    counts = verify(campaign.pk)

    print(
        f"ratings bench: {args.workers} gunicorn workers, wrk {args.connections} connections × {args.seconds} s "
        f"per line, PostgreSQL + Redis, one (hot) secretary per code (the claim + a ballot + a sealed choice)"
    )
    for kind, minimal, bare, rating, share in lines:
        print(f"-- {args.workers} workers, {kind}")
        print(row("minimal view (/healthz)", minimal))
        print(row("bare two-row writer", bare, minimal))
        print(row("rating with a code", rating, minimal))
        print(f"{'rating / bare writer':<28} {100 * share:9.1f} %")
    for label, value in counts.items():
        print(f"  {label:<18} {value}")
    lost = (
        counts["codes used"] != counts["ballots (rating)"]
        or counts["ballots (rating)"] + counts["ballots (bare)"] != counts["scores"]
        or counts["ballots (rating)"] < total_requests
    )
    print("lost: none" if not lost else "lost: SOME", "· duplicated:", counts["duplicated codes"])
    ok = goals and not lost and counts["duplicated codes"] == 0
    print(
        "goals (≥ 500 ratings/s, ≥ 50 % of the bare writer, nothing lost or duplicated) on every line:",
        "met" if ok else "NOT met",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
