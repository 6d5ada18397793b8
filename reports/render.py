"""Scorecards and exports, from what checks and scoring stored.

Nothing here judges a site: it arranges stored findings, results and scores
for people (HTML, Chinese; Excel and CSV: ``exports``) and for programs (JSON).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from zwgk.checks import COMMON_EVIDENCE_LABELS, COMMON_VALUE_LABELS, registry
from zwgk.config.schema import SiteKind, infer_kind
from zwgk.reports.exports import write_exports
from zwgk.reports.remedies import load_remedies
from zwgk.scoring import Rubric, Verdict, build_check, load_rubric
from zwgk.store import Store
from zwgk.vocab import format_bytes, safe_path_name

# A coded value (``no_limit``, ``soft_404``) that a check's value_labels name.
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
SEVERITY_LABEL = {"fail": "不合格", "warn": "需关注", "info": "提示"}
STATUS_LABEL = {
    "pass": "通过",
    "warn": "需关注",
    "fail": "不合格",
    "error": "检查出错",
    "skipped": "未检查",
}


def _csp_hash(source: str) -> str:
    """The Content-Security-Policy hash (``sha256-…``) that lets exactly this
    inline script run."""
    digest = hashlib.sha256(str(source).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("zwgk.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        severity_label=SEVERITY_LABEL,
        status_label=STATUS_LABEL,
        evidence_label=COMMON_EVIDENCE_LABELS,
        value_label=COMMON_VALUE_LABELS,
    )
    env.filters["is_code"] = lambda v: bool(CODE.match(v))
    env.filters["is_url"] = lambda v: isinstance(v, str) and v.startswith(("http://", "https://"))
    env.filters["csp_hash"] = _csp_hash
    env.filters["bytes"] = format_bytes
    return env


def check_catalogue(rubric: Rubric) -> dict[str, dict[str, Any]]:
    """What the scorecard says of each check: labels, and the explanation with
    the parameters the rubric applies filled in."""
    catalogue: dict[str, dict[str, Any]] = {}
    for cid, cls in registry().items():
        explanation = (
            build_check(rubric, cid).describe() if rubric.enabled(cid) else cls.explanation
        )
        catalogue[cid] = {
            "label": cls.label,
            "explanation": explanation,
            "version": cls.version,
            "rules": cls.rules,
            # Nested metrics reuse the evidence keys (column, url …).
            "metric_labels": {**cls.all_evidence_labels(), **cls.metric_labels},
            "evidence_labels": cls.all_evidence_labels(),
            "value_labels": cls.all_value_labels(),
            "hidden": sorted(cls.technical_evidence),
        }
    return catalogue


def finding_key(f: Any) -> tuple[str, str, str]:
    """What makes two months' findings the same problem: the rule and where."""
    get = f.get if isinstance(f, dict) else lambda k: getattr(f, k)
    where = get("url") or get("source_url") or get("message") or ""
    return (str(get("check")), str(get("rule")), str(where))


def trend_svg_points(scores: list[float | None], width: int = 240, height: int = 48) -> str:
    """Polyline points (0–100 % of the maximum, left to right) for the inline trend."""
    pts = [s for s in scores if s is not None]
    if len(pts) < 2:
        return ""
    step = width / (len(pts) - 1)
    return " ".join(f"{i * step:.1f},{height - (p / 100) * height:.1f}" for i, p in enumerate(pts))


def _site_facts(run: Any) -> dict[str, dict[str, Any]]:
    """Kind and region of each site, from the config the run was made with."""
    out: dict[str, dict[str, Any]] = {}
    for s in (run.config or {}).get("sites", []):
        kind = SiteKind(s["kind"]) if s.get("kind") else infer_kind(s.get("name", ""))
        out[s["id"]] = {"kind": kind.value, "kind_label": kind.label, "region": s.get("region")}
    return out


def _history(store: Store, site_id: str, run: Any) -> dict[str, Any]:
    """The site's previous scored run before this one, and its score trend."""
    past = [
        (r, sc) for r, sc in store.site_history(site_id) if (r.as_of, r.id) <= (run.as_of, run.id)
    ]
    trend = [
        {
            "run": r.id,
            "score": sc.score,
            "percent": round(sc.score / sc.max_score * 100, 1) if sc.max_score else None,
        }
        for r, sc in past
    ]
    before = [(r, sc) for r, sc in past if r.id != run.id]
    prev = before[-1] if before else None
    return {"trend": trend, "previous": prev}


def build_view(
    store: Store,
    run_id: str,
    rubric: Rubric | None = None,
    remedies: dict[str, str] | None = None,
) -> dict[str, Any]:
    run = store.get_run(run_id)
    if run is None:
        raise KeyError(f"no run {run_id!r} in the store")
    catalogue = check_catalogue(rubric if rubric is not None else load_rubric())
    remedies = remedies if remedies is not None else load_remedies()
    facts = _site_facts(run)
    site_runs = {sr.site_id: sr for sr in store.site_runs(run_id)}
    scores = {s.site_id: s for s in store.scores(run_id)}
    findings_by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    findings_json = []
    for f in store.findings(run_id):
        sr = site_runs.get(f.site_id)
        row = {
            "site": f.site_id,
            "site_name": sr.name if sr else f.site_id,
            "check": f.check,
            "check_label": catalogue.get(f.check, {}).get("label", f.check),
            "rule": f.rule,
            "rule_label": catalogue.get(f.check, {}).get("rules", {}).get(f.rule, f.rule),
            "severity": f.severity,
            "url": f.url,
            "source_url": f.source_url,
            "message": f.message,
            "evidence": f.evidence,
            "remedy": remedies.get(f"{f.check}.{f.rule}"),
        }
        findings_json.append(row)
        findings_by_site[f.site_id].append(row)
    order = {"fail": 0, "warn": 1, "info": 2}
    sites = []
    for site_id, sr in site_runs.items():
        sc = scores.get(site_id)
        hist = _history(store, site_id, run)
        prev = hist["previous"]
        current = findings_by_site.get(site_id, [])
        failing = [r for r in current if r["severity"] != "info"]
        changes: dict[str, Any] = {"previous_run": None, "delta": None, "new": [], "fixed": []}
        if prev is not None and sc is not None:
            prev_run, prev_score = prev
            before = [f for f in store.findings(prev_run.id, site_id) if f.severity != "info"]
            before_keys = {finding_key(f) for f in before}
            now_keys = {finding_key(r) for r in failing}
            changes = {
                "previous_run": prev_run.id,
                "delta": round(sc.score - prev_score.score, 2),
                "new": [r for r in failing if finding_key(r) not in before_keys],
                "fixed": [
                    {
                        "check_label": catalogue.get(f.check, {}).get("label", f.check),
                        "rule_label": catalogue.get(f.check, {})
                        .get("rules", {})
                        .get(f.rule, f.rule),
                        "message": f.message,
                        "url": f.url,
                    }
                    for f in before
                    if finding_key(f) not in now_keys
                ],
            }
        verdict = Verdict(sc.verdict) if sc is not None and sc.verdict else None
        site_facts = facts.get(site_id) or {
            # A run stored without its config: the kind from the site's name.
            "kind": infer_kind(sr.name).value,
            "kind_label": infer_kind(sr.name).label,
            "region": None,
        }
        sites.append(
            {
                **site_facts,
                "kind_label": site_facts.get("kind_label"),
                "region": site_facts.get("region"),
                "verdict_code": verdict.value if verdict else None,
                "verdict": verdict.label if verdict else None,
                "vetoed_labels": [
                    catalogue.get(v.partition(".")[0], {})
                    .get("rules", {})
                    .get(v.partition(".")[2], v)
                    for v in (sc.vetoed if sc else [])
                ],
                "groups": sc.groups if sc else {},
                "rubric_version": sc.rubric_version if sc else None,
                **changes,
                "trend": hist["trend"],
                "trend_points": trend_svg_points([t["percent"] for t in hist["trend"]]),
                "site": site_id,
                "name": sr.name,
                "home": sr.home,
                "status": sr.status,
                "pages": sr.pages,
                "crawl_error": sr.error,
                "crawl_stats": sr.stats,
                # What the crawl downloaded, as stored with the site's run.
                "transfer": (
                    {
                        "bytes_received": sr.bytes_received,
                        "responses": sr.responses,
                        "not_modified": sr.not_modified,
                    }
                    if sr.bytes_received is not None
                    else None
                ),
                "score": sc.score if sc else None,
                "max_score": sc.max_score if sc else None,
                "vetoed": sc.vetoed if sc else [],
                "checks": sc.checks if sc else {},
                "findings": sorted(
                    findings_by_site.get(site_id, []),
                    key=lambda r: (order.get(r["severity"], 3), r["check"], r["rule"]),
                ),
            }
        )

    # Rank by score ratio so sites scored on different check sets compare fairly.
    def ratio(s: dict[str, Any]) -> float:
        return (s["score"] or 0) / s["max_score"] if s["max_score"] else -1.0

    sites.sort(key=lambda s: (-ratio(s), s["site"]))
    rank = 0
    last: float | None = None
    for i, s in enumerate(sites, 1):
        r = ratio(s)
        if r != last:
            rank, last = i, r
        s["rank"] = rank if s["score"] is not None else None
    return {
        "run": {
            "id": run.id,
            "as_of": run.as_of.isoformat(),
            "period_start": run.period_start.isoformat(),
            "status": run.status,
        },
        "catalogue": catalogue,
        "sites": sites,
        "findings": findings_json,
    }


def write_reports(
    store: Store,
    run_id: str,
    out_dir: str | Path,
    rubric: Rubric | None = None,
    remedies: dict[str, str] | None = None,
) -> list[Path]:
    """Scorecards and exports of a stored run. ``rubric``: the one the run was
    checked with (its explanations are shown); the shipped one if None.

    The newest run's files are also copied to ``OUT/latest/``, a path that
    stays the same from month to month."""
    # Ids come from the store, which an older or foreign tool may have
    # written: every one that becomes a path is checked before any write.
    safe_path_name(run_id, "run id")
    view = build_view(store, run_id, rubric, remedies)
    for site in view["sites"]:
        safe_path_name(site["site"], "site id")
    root = Path(out_dir) / run_id
    (root / "sites").mkdir(parents=True, exist_ok=True)
    env = _env()
    written = []
    for site in view["sites"]:
        p = root / "sites" / f"{site['site']}.html"
        p.write_text(
            env.get_template("site.html").render(
                run=view["run"], site=site, catalogue=view["catalogue"]
            ),
            encoding="utf-8",
        )
        written.append(p)
    index = root / "index.html"
    index.write_text(
        env.get_template("index.html").render(
            run=view["run"], sites=view["sites"], catalogue=view["catalogue"]
        ),
        encoding="utf-8",
    )
    written.append(index)
    findings = [
        {
            k: f[k]
            for k in (
                "site",
                "check",
                "rule",
                "severity",
                "url",
                "source_url",
                "message",
                "evidence",
                "rule_label",
                "remedy",
            )
        }
        for f in view["findings"]
    ]
    scores = [
        {
            "site": s["site"],
            "name": s["name"],
            "rank": s["rank"],
            "score": s["score"],
            "max_score": s["max_score"],
            "vetoed": s["vetoed"],
            "verdict": s["verdict_code"],
            "kind": s.get("kind"),
            "region": s.get("region"),
            "previous_run": s["previous_run"],
            "delta": s["delta"],
            "new_findings": len(s["new"]),
            "fixed_findings": len(s["fixed"]),
            "groups": s["groups"],
            "rubric_version": s["rubric_version"],
            "pages": s["pages"],
            "transfer": s["transfer"],
            "checks": s["checks"],
        }
        for s in view["sites"]
    ]
    for name, data in (("findings.json", findings), ("scores.json", scores)):
        p = root / name
        p.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(p)
    written.extend(write_exports(view, root))
    if store.latest_run_id() == run_id:
        latest = Path(out_dir) / "latest"
        if latest.exists():
            shutil.rmtree(latest)
        shutil.copytree(root, latest, ignore=shutil.ignore_patterns("crawl.log"))
    return written
