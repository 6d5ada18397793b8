"""Revisit benchmark: the bytes of a second visit of an unchanged site.

    PYTHONPATH=. .venv/bin/python bench/revisit.py [--keep DIR]

Serves the bundled sample province on loopback (``zwgk.sample``, which
answers conditional requests as nginx does), runs ``zwgk run`` on it as run
2026-11 (the first visit) and then as run 2026-12 on the same store, the site
unchanged and the same ``evaluation.as_of`` (every check judges time against
it, so the findings must be identical). It refuses to report, and exits 1,
if the first visit stored fewer pages than the sample sites have, if the
second stored a different set of pages, or if the findings (site, check,
rule, URL) or scores differ. Otherwise it prints, per site and in total, the
bytes received by the portal crawl (``site_runs.bytes_received``: response
headers and bodies as received, robots.txt, redirects and list data
included), its responses and its 304s, and the ratio visit 2 / visit 1.
Nothing but loopback is contacted.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from zwgk.sample import SamplePortal  # noqa: E402
from zwgk.store import Store  # noqa: E402
from zwgk.vocab import canonical_url  # noqa: E402

RUNS = ("2026-11", "2026-12")


def zwgk_run(cfg: Path, db: Path, out: Path, run_id: str) -> float:
    t0 = time.monotonic()
    r = subprocess.run(
        [
            *(sys.executable, "-m", "zwgk", "run", "--config", str(cfg), "--db", str(db)),
            *("--out", str(out), "--run", run_id, "--no-progress"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if r.returncode != 0:
        sys.exit(f"zwgk run {run_id} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    print(r.stdout.strip().splitlines()[0])
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="zwgk-revisit-"))
    tmp.mkdir(parents=True, exist_ok=True)
    with SamplePortal() as portal:
        data = portal.config_dict()
        data["rubric"] = str(REPO / "config" / "rubric.yaml")
        cfg = tmp / "sites.yaml"
        cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        db, out = tmp / "z.db", tmp / "out"
        seconds = [zwgk_run(cfg, db, out, run_id) for run_id in RUNS]
        counts = [len(portal.served)]
        served = list(portal.served)
        sites = [s["id"] for s in data["sites"]]
        expected = {s: portal.expected_pages(s) for s in sites}

    store = Store(str(db))
    problems: list[str] = []
    rows = []
    for site in sites:
        stored = []
        for run_id in RUNS:
            pages = store.pages(run_id, site)
            ok = {canonical_url(p.url) for p in pages if p.fetch_status == "ok" and p.status == 200}
            missing = expected[site] - ok
            if missing:
                problems.append(
                    f"{run_id} {site}: {len(missing)} pages not stored, e.g. {min(missing)}"
                )
            links = sorted(
                (lk.source_url, lk.url or "", lk.element) for lk in store.links(run_id, site)
            )
            items = sorted(
                (i.page_url, i.position, i.title, i.url) for i in store.list_items(run_id, site)
            )
            stored.append(
                (
                    {(p.url, p.status, p.title, p.text_hash, len(p.fragment_ids)) for p in pages},
                    links,
                    items,
                )
            )
        if stored[0] != stored[1]:
            problems.append(
                f"{site}: the revisit stored other pages ({len(stored[0] ^ stored[1])} differ)"
            )
        srs = [store.site_run(r, site) for r in RUNS]
        if any(sr is None or sr.bytes_received is None for sr in srs):
            problems.append(f"{site}: no bytes recorded")
            continue
        rows.append((site, len(expected[site]), *srs))
    findings = [{(f.site_id, f.check, f.rule, f.url) for f in store.findings(r)} for r in RUNS]
    if findings[0] != findings[1]:
        problems.append(f"findings differ: {sorted(findings[0] ^ findings[1])[:5]}")
    scores = [{(s.site_id, s.score, s.verdict) for s in store.scores(r)} for r in RUNS]
    if scores[0] != scores[1]:
        problems.append(f"scores differ: {scores}")
    if problems:
        print("refusing to report:", *problems, sep="\n  ")
        return 1

    print(
        f"\nmachine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; work dir {tmp}"
    )
    print(
        f"runs: {seconds[0]:.1f} s, {seconds[1]:.1f} s (zwgk run, whole pipeline); "
        f"{counts[0]} requests served in all, "
        f"{sum(1 for s in served if s.conditional)} conditional, "
        f"{sum(1 for s in served if s.status == 304)} answered 304"
    )
    print(f"findings: {len(findings[0])} in each run, identical; scores identical\n")
    print("| site | pages | visit 1 bytes | responses | visit 2 bytes | responses | 304 | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    t1 = t2 = 0
    for site, n, a, b in rows:
        t1 += a.bytes_received
        t2 += b.bytes_received
        print(
            f"| {site} | {n} | {a.bytes_received:,} | {a.responses} | {b.bytes_received:,} | "
            f"{b.responses} | {b.not_modified} | {b.bytes_received / a.bytes_received:.1%} |"
        )
    print(f"| total | {sum(r[1] for r in rows)} | {t1:,} | | {t2:,} | | | {t2 / t1:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
