"""Crawl benchmark: zwgk's full pipeline against a bare Scrapy spider,
LinkChecker and linkinator, on one generated site, in one session.

    python3 bench/run.py [--rounds 3] [--details 5000] [--concurrency 16] [--no-profile]
                         [--tools bare-scrapy,zwgk,…] [--baseline-tree OTHER_CHECKOUT]

Installs what it needs (nginx and GNU time from Debian when missing,
LinkChecker into bench/.venv-linkchecker, linkinator into bench/node_modules,
the project's .venv via ``make install``), generates the site into
bench/site (seeded), serves it with nginx bound to 127.0.0.1 on a free port
(configuration, pid and logs in a temporary directory, stopped at the end;
its workers run as the user running this script), checks through it that
the site is served as generated (preflight), then runs every tool
``--rounds`` times, interleaved (round 1: all tools, round 2: all tools, …),
each under ``/usr/bin/time -v``. Results go to bench/results/STAMP/: every
run's output, ``runs.json`` and ``summary.md``. Nothing but 127.0.0.1 is
contacted once the tools are installed.

It refuses to report (exit 1, no summary; ``runs.json`` then holds the runs
so far and the reasons under ``refused``) when a tool fetched another number
of HTML pages than the site has, zwgk's broken link targets are not exactly
the planted ones, the bare spider or zwgk exited non-zero, or zwgk's log has
no stage lines.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import grp
import hashlib
import io
import json
import os
import platform
import pstats
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = REPO / ".venv" / "bin"
LC_VENV = BENCH / ".venv-linkchecker"
NODE_DIR = BENCH / "node_modules"
SITE = BENCH / "site"
RESULTS = BENCH / "results"

TOOLS = ("bare-scrapy", "zwgk", "zwgk-baseline", "linkchecker", "linkinator")


def sh(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- installation ------------------------------------------------------------


def ensure_tools(tools: list[str]) -> None:
    """What the chosen tools need (LinkChecker and linkinator only when asked for)."""
    missing = [p for p, b in (("nginx-light", "nginx"), ("time", "/usr/bin/time")) if not _has(b)]
    if missing:
        if os.geteuid() != 0:
            sys.exit(f"need Debian packages {missing}: apt-get install -y {' '.join(missing)}")
        log(f"apt-get install {missing}")
        sh(["apt-get", "update", "-qq"])
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
    if not (VENV_BIN / "zwgk").exists():
        log("make install (project venv)")
        subprocess.run(["make", "-C", str(REPO), "install"], check=True)
    if "linkchecker" in tools and not (LC_VENV / "bin" / "linkchecker").exists():
        log(f"LinkChecker (bench/requirements-linkchecker.txt) into {LC_VENV}")
        sh([sys.executable, "-m", "venv", str(LC_VENV)])
        sh(
            [
                str(LC_VENV / "bin/pip"),
                "install",
                "-q",
                "-r",
                str(BENCH / "requirements-linkchecker.txt"),
            ]
        )
    if "linkinator" in tools and not (NODE_DIR / ".bin" / "linkinator").exists():
        log(f"linkinator (bench/package-lock.json) into {NODE_DIR}")
        sh(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=BENCH)


def _has(binary: str) -> bool:
    return Path(binary).exists() if binary.startswith("/") else shutil.which(binary) is not None


def versions() -> dict[str, str]:
    def out(cmd: list[str]) -> str:
        try:
            r = subprocess.run(cmd, text=True, capture_output=True, timeout=60)
        except OSError as exc:
            return f"? ({exc})"
        return (r.stdout + r.stderr).strip()

    py = str(VENV_BIN / "python")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lc = out([str(LC_VENV / "bin/linkchecker"), "--version"])
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "nproc": out(["nproc"]),
        "memory": out(["free", "-h"]).splitlines()[1].split()[1],
        "kernel": platform.release(),
        "python": out([py, "-c", "import sys; print(sys.version.split()[0])"]),
        "scrapy": out([py, "-c", "import scrapy; print(scrapy.__version__)"]),
        "lxml": out([py, "-c", "import lxml.etree as e; print(e.__version__)"]),
        "nginx": out(["nginx", "-v"]).replace("nginx version: ", ""),
        "linkchecker": next((x for x in lc.splitlines() if x.startswith("LinkChecker")), lc),
        "linkinator": out([str(NODE_DIR / ".bin/linkinator"), "--version"]),
        "node": out(["node", "--version"]),
    }


# -- the site and its server ---------------------------------------------------


def generate_site(seed: int, details: int) -> dict[str, Any]:
    truth_file = SITE / "truth.json"
    if truth_file.exists() and (SITE / "www" / "index.html").exists():
        truth = json.loads(truth_file.read_text())
        if truth.get("seed") == seed and truth.get("details") == details:
            return truth
    log(f"generating the site (seed {seed}, {details} detail pages)")
    t0 = time.monotonic()
    gen = subprocess.run(
        [
            str(VENV_BIN / "python"),
            str(BENCH / "gensite.py"),
            str(SITE),
            "--seed",
            str(seed),
            "--details",
            str(details),
        ],
        text=True,
        capture_output=True,
    )
    if gen.returncode != 0:
        last = (gen.stderr.strip().splitlines() or [f"exit code {gen.returncode}"])[-1]
        sys.exit(f"bench: bench/gensite.py failed: {last}")
    log(f"  generated in {time.monotonic() - t0:.1f} s")
    truth = json.loads(truth_file.read_text())
    truth["details"] = details
    truth_file.write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    return truth


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
{user}pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
# linkinator opens a connection per request (no keep-alive): thousands of
# sockets within a minute would exhaust nginx's default 1024.
worker_rlimit_nofile 65536;
events {{ worker_connections 16384; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{
        text/html html; text/css css; application/javascript js; text/plain txt;
        image/png png; image/jpeg jpg; application/pdf pdf; application/msword doc;
        application/vnd.openxmlformats-officedocument.wordprocessingml.document docx;
        application/vnd.ms-excel xls;
    }}
    default_type application/octet-stream;
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        # LinkChecker paces itself to ~3 requests/s per host unless the server
        # answers with this header; then its configured maxrequestspersecond
        # applies (set to its maximum, 1000, in its config file).
        add_header LinkChecker allow;
    }}
}}
"""


# The error log of each nginx started here, by port (for the preflight's message).
NGINX_ERROR_LOGS: dict[int, Path] = {}


def nginx_user() -> str:
    """nginx's ``user`` directive: its workers run as whoever runs the
    benchmark. Started by root, nginx would otherwise switch its workers to
    ``nobody``, who cannot read the site when a folder above it is not
    world-executable (every page then answers 403). Started by anyone
    else, nginx cannot switch and the directive is left out."""
    if os.geteuid() != 0:
        return ""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"


@contextlib.contextmanager
def nginx(root: Path) -> Iterator[int]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-nginx-") as tmp:
        os.chmod(tmp, 0o755)
        user = nginx_user()
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=root, user=user))
        proc = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", tmp, "-e", f"{tmp}/error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), timeout=0.2),
                ):
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {Path(tmp, 'error.log').read_text()}")
                time.sleep(0.05)
            log(f"nginx (pid {proc.pid}) serving {root} on 127.0.0.1:{port}")
            NGINX_ERROR_LOGS[port] = Path(tmp) / "error.log"
            yield port
        finally:
            NGINX_ERROR_LOGS.pop(port, None)
            proc.send_signal(signal.SIGQUIT)  # graceful stop of the one we started
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log("nginx stopped")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def preflight(root: Path, port: int, truth: dict[str, Any]) -> None:
    """Before any tool runs: the site on disk is the one truth.json
    describes, and nginx serves it (the home page and a detail page answer
    200 with the bytes on disk, a planted broken page 404). Exits with one
    line naming what is wrong otherwise."""
    html = sum(1 for _, _, files in os.walk(root) for f in files if f.endswith(".html"))
    if html != truth["html_pages"]:
        sys.exit(
            f"bench: preflight: {root} holds {html} HTML files, truth.json says "
            f"{truth['html_pages']}: delete {SITE} to generate the site again"
        )
    detail = next(iter(sorted((root / "xwzx" / "cjyw").glob("*/t*.html"))), None)
    if detail is None:
        sys.exit(f"bench: preflight: no detail page under {root / 'xwzx/cjyw'}")
    dead = next(p for p in truth["broken"] if p.endswith(".html"))
    base = f"http://127.0.0.1:{port}"
    expected = [
        ("/", 200, (root / "index.html").read_bytes()),
        ("/" + detail.relative_to(root).as_posix(), 200, detail.read_bytes()),
        (dead, 404, None),
    ]
    for path, want, body in expected:
        status, got = _get(base + path)
        if status == want and (body is None or got == body):
            continue
        why = f"answered {status}" if status != want else f"sent {len(got)} bytes, not the file's"
        err = NGINX_ERROR_LOGS.get(port)
        last = err.read_text(errors="replace").strip().splitlines()[-1:] if err else []
        sys.exit(
            f"bench: preflight: GET {base}{path} through nginx {why} (expected {want}"
            + (f" with the {len(body)} bytes of the file" if body is not None else "")
            + ")"
            + (f"; nginx error log: {last[0]}" if last else "")
        )
    log(f"preflight: nginx serves the site ({html} HTML pages on disk as truth.json says)")


# -- running and measuring -------------------------------------------------------


@dataclass
class Run:
    tool: str
    round: int
    command: list[str]
    exit_code: int
    wall_s: float
    max_rss_kb: int
    cpu_percent: str
    pages: int  # distinct HTML pages fetched with status 200
    broken_reported: int  # distinct broken link targets reported
    broken_found: int  # of which planted
    broken_false: int  # reported but not planted
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0


def timed(cmd: list[str], out: Path, cwd: Path) -> tuple[int, float, int, str]:
    """Run ``cmd`` under GNU time; returns (exit, wall s, max RSS kB, CPU %)."""
    tv = out.with_suffix(".time")
    t0 = time.monotonic()
    with open(out.with_suffix(".out"), "w") as so, open(out.with_suffix(".err"), "w") as se:
        rc = subprocess.run(
            ["/usr/bin/time", "-v", "-o", str(tv), *cmd], stdout=so, stderr=se, cwd=cwd
        ).returncode
    wall = time.monotonic() - t0
    text = tv.read_text()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))  # type: ignore[union-attr]
    cpu = re.search(r"Percent of CPU this job got: (\S+)", text)
    return rc, wall, rss, cpu.group(1) if cpu else "?"


class Site:
    def __init__(self, truth: dict[str, Any], port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.home = self.base + "/"
        self.broken = {self.base + p for p in truth["broken"]}
        self.html_pages = truth["html_pages"]

    def path(self, url: str) -> str | None:
        return url[len(self.base) :] if url.startswith(self.base) else None

    def is_html(self, url: str) -> bool:
        p = (self.path(url) or "").split("?", 1)[0].split("#", 1)[0]
        return p.endswith(("/", ".html")) or p == ""

    def judge(self, reported: set[str]) -> tuple[int, int, int]:
        return len(reported), len(reported & self.broken), len(reported - self.broken)


def run_bare(site: Site, work: Path, conc: int, rnd: int) -> Run:
    stats = work / f"bare-scrapy-{rnd}.json"
    cmd = [
        str(VENV_BIN / "python"),
        str(BENCH / "bare_spider.py"),
        site.home,
        "--concurrency",
        str(conc),
        "--stats",
        str(stats),
    ]
    rc, wall, rss, cpu = timed(cmd, work / f"bare-scrapy-{rnd}", work)
    st = json.loads(stats.read_text()) if stats.exists() else {}
    return Run(
        "bare-scrapy",
        rnd,
        cmd,
        rc,
        wall,
        rss,
        cpu,
        st.get("pages", 0),
        0,
        0,
        0,
        {"requests": st.get("requests"), "http_404_responses": st.get("status_404")},
    )


ZWGK_CONFIG = """\
# Generated by bench/run.py: the benchmark site, crawled as fast as zwgk allows.
evaluation: {{as_of: 2026-11-30}}
crawl: {{max_depth: 50, max_pages: 1000000, concurrency_per_host: {conc}, delay_s: 0,
        timeout_s: 20, obey_robots: true}}
links: {{concurrency_per_host: {conc}, cache_days: 0}}
# The site is on 127.0.0.1 only (no AAAA record): an IPv6 probe would time
# only its own failures, a fixed cost per site that no other tool pays.
ipv6: {{enabled: false}}
sites:
  - id: bench
    name: 澄江市人民政府
    home: {home}
"""


def run_zwgk(
    site: Site, work: Path, conc: int, rnd: int, tool: str = "zwgk", tree: Path | None = None
) -> Run:
    """zwgk's full pipeline; with ``tree``, the zwgk of another checkout
    (run as ``python -m zwgk`` from there, with this venv's packages)."""
    cfg = work / "zwgk.yaml"
    cfg.write_text(ZWGK_CONFIG.format(conc=conc, home=site.home))
    db, out = work / f"{tool}-{rnd}.db", work / f"{tool}-{rnd}-out"
    entry = [str(VENV_BIN / "zwgk")] if tree is None else [str(VENV_BIN / "python"), "-m", "zwgk"]
    cmd = [
        *entry,
        "run",
        "--config",
        str(cfg),
        "--db",
        str(db),
        "--out",
        str(out),
        "--no-progress",
    ]
    rc, wall, rss, cpu = timed(cmd, work / f"{tool}-{rnd}", tree or REPO)
    con = sqlite3.connect(db)
    pages = con.execute(
        "select count(distinct url) from pages"
        " where status = 200 and content_type like 'text/html%'"
    ).fetchone()[0]
    broken = {
        u
        for (u,) in con.execute(
            "select url from url_checks where outcome not in ('ok', 'blocked', 'not_http')"
        )
    }
    log_text = (out / "2026-11" / "crawl.log").read_text() if (out / "2026-11").exists() else ""
    # Scrapy's own time of each crawl, in order: the portal crawl first, link
    # verification (the per-run collector) last; the IPv6 probe, where the
    # tree has one, runs between them.
    elapsed = [
        round(float(x), 2) for x in re.findall(r"'elapsed_time_seconds': ([\d.]+)", log_text)
    ]
    phases: dict[str, Any] = {"scrapy_elapsed_s": elapsed}
    if elapsed:
        phases["crawl_s"] = elapsed[0]
    if len(elapsed) > 1:
        phases["linkcheck_s"] = elapsed[-1]
    requests = [int(x) for x in re.findall(r"'downloader/request_count': (\d+)", log_text)]
    stages = parse_stages(log_text)
    extra: dict[str, Any] = {**phases, "requests": sum(requests), "stages": stages}
    # zwgk resets the kernel's peak-RSS mark at each stage (zwgk.stages), so
    # GNU time sees only the peak since the last reset; zwgk logs its own.
    peak = re.search(r"INFO: process peak RSS (\d+) MB$", log_text, re.M)
    if peak:
        extra["time_max_rss_kb"] = rss
        extra["process_peak_rss_mb"] = int(peak.group(1))
        rss = max(rss, int(peak.group(1)) * 1024)
    extra["findings_sha256"], extra["findings"] = findings_fingerprint(con)
    extra["broken_missed_examples"] = sorted(site.broken - broken)[:5]
    extra["broken_false_examples"] = sorted(broken - site.broken)[:5]
    con.close()
    if log_text:
        (work / f"{tool}-{rnd}.crawl.log").write_text(log_text)
    for p in work.glob(f"{tool}-{rnd}.db*"):
        p.unlink()
    shutil.rmtree(out, ignore_errors=True)
    return Run(tool, rnd, cmd, rc, wall, rss, cpu, pages, *site.judge(broken), extra)


# Evidence that names when, not what: left out of the findings fingerprint.
VOLATILE_EVIDENCE = ("checked_at",)


def findings_fingerprint(con: sqlite3.Connection) -> tuple[str, int]:
    """SHA-256 of every finding (check, rule, severity, URLs, message and
    evidence, timestamps left out), in a fixed order; and how many there
    are. Two runs of one site by two trees agree when their findings do."""
    rows = []
    for check, rule, severity, url, source_url, message, evidence in con.execute(
        'select "check", rule, severity, url, source_url, message, evidence from findings'
    ):
        ev = json.loads(evidence or "{}")
        for key in VOLATILE_EVIDENCE:
            ev.pop(key, None)
        rows.append(
            json.dumps(
                [check, rule, severity, url, source_url, message, ev],
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    rows.sort()
    return hashlib.sha256("\n".join(rows).encode()).hexdigest(), len(rows)


STAGE_LINE = re.compile(
    r"INFO: stage (?P<name>.+?): (?P<s>\d+(?:\.\d+)?) s, peak RSS (?P<mb>\d+) MB"
    r"(?: \((?P<note>.*)\))?$",
    re.M,
)


def parse_stages(log_text: str) -> dict[str, dict[str, Any]]:
    """zwgk's stage lines (zwgk.stages) in its crawl.log: name -> seconds,
    peak RSS (MB) and the line's note (e.g. overlapping stages), in order."""
    out: dict[str, dict[str, Any]] = {}
    for m in STAGE_LINE.finditer(log_text):
        out[m["name"]] = {
            "s": float(m["s"]),
            "peak_rss_mb": int(m["mb"]),
            **({"note": m["note"]} if m["note"] else {}),
        }
    return out


def run_linkchecker(site: Site, work: Path, conc: int, rnd: int) -> Run:
    rc_file = work / "linkcheckerrc"
    rc_file.write_text(f"[checking]\nthreads={conc}\nmaxrequestspersecond=1000\n")
    rc_file.chmod(0o644)
    cmd = [
        str(LC_VENV / "bin/linkchecker"),
        "-f",
        str(rc_file),
        "-t",
        str(conc),
        "-r",
        "-1",
        "--no-status",
        "--no-warnings",
        "-v",
        "-o",
        "csv",
        site.home,
    ]
    out = work / f"linkchecker-{rnd}"
    # LinkChecker, run as root, drops to "nobody": the work dir must be enterable.
    rc, wall, rss, cpu = timed(cmd, out, work)
    text = out.with_suffix(".out").read_text(errors="replace")
    rows = list(
        csv.reader(
            io.StringIO(
                "\n".join(line for line in text.splitlines() if line and not line.startswith("#"))
            ),
            delimiter=";",
        )
    )
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    ok_html, broken, checked = set(), set(), set()
    for r in body:
        if len(r) <= max(col["url"], col["valid"], col["result"]):
            continue  # the start URL's row has fewer trailing fields
        url = r[col["url"]]
        checked.add(url)
        if r[col["valid"]] == "True":
            if site.is_html(url) and "200" in r[col["result"]]:
                ok_html.add(url)
        else:
            broken.add(url)
    return Run(
        "linkchecker",
        rnd,
        cmd,
        rc,
        wall,
        rss,
        cpu,
        len(ok_html),
        *site.judge(broken),
        {"urls_checked": len(checked)},
    )


def run_linkinator(site: Site, work: Path, conc: int, rnd: int) -> Run:
    cmd = [
        str(NODE_DIR / ".bin/linkinator"),
        site.home,
        "--recurse",
        "--concurrency",
        str(conc),
        "--format",
        "json",
        "--timeout",
        "20000",
    ]
    out = work / f"linkinator-{rnd}"
    rc, wall, rss, cpu = timed(cmd, out, work)
    data = json.loads(out.with_suffix(".out").read_text() or "{}")
    links = data.get("links", [])
    ok_html = {
        x["url"]
        for x in links
        if x.get("state") == "OK" and x.get("status") == 200 and site.is_html(x["url"])
    }
    broken = {x["url"] for x in links if x.get("state") == "BROKEN"}
    return Run(
        "linkinator",
        rnd,
        cmd,
        rc,
        wall,
        rss,
        cpu,
        len(ok_html),
        *site.judge(broken),
        {"links_reported": len(links), "urls_checked": len({x["url"] for x in links})},
    )


BASELINE_TREE: list[Path] = []  # --baseline-tree


def run_zwgk_baseline(site: Site, work: Path, conc: int, rnd: int) -> Run:
    return run_zwgk(site, work, conc, rnd, tool="zwgk-baseline", tree=BASELINE_TREE[0])


RUNNERS = {
    "bare-scrapy": run_bare,
    "zwgk": run_zwgk,
    "zwgk-baseline": run_zwgk_baseline,
    "linkchecker": run_linkchecker,
    "linkinator": run_linkinator,
}


# -- is the run worth reporting? ----------------------------------------------------


def problems(r: Run, site: Site, earlier: list[Run]) -> list[str]:
    """Why ``r`` must not be reported (empty: it may); ``earlier``: the runs
    before it in this session, whose zwgk findings it must repeat."""
    who = f"{r.tool} round {r.round}"
    out = []
    if r.pages != site.html_pages:
        out.append(
            f"{who}: fetched {r.pages} HTML pages, the site has {site.html_pages}"
            f" ({'fewer' if r.pages < site.html_pages else 'more'}: the run did not"
            " crawl the site as generated)"
        )
    if r.tool in ("bare-scrapy", "zwgk", "zwgk-baseline") and r.exit_code != 0:
        out.append(f"{who}: exit code {r.exit_code} (see {r.tool}-{r.round}.err)")
    if r.tool in ("zwgk", "zwgk-baseline"):
        planted = len(site.broken)
        if r.broken_found != planted or r.broken_false:
            missed, false = (
                r.extra.get("broken_missed_examples"),
                r.extra.get("broken_false_examples"),
            )
            out.append(
                f"{who}: reported {r.broken_reported} broken link targets, "
                f"{r.broken_found} of the {planted} planted and {r.broken_false} not planted"
                + (f"; missed e.g. {missed}" if missed else "")
                + (f"; not planted e.g. {false}" if false else "")
            )
    if r.tool in ("zwgk", "zwgk-baseline"):
        first = next(
            (x for x in earlier if x.tool in ("zwgk", "zwgk-baseline") and x is not r), None
        )
        if first is not None and first.extra.get("findings_sha256") != r.extra.get(
            "findings_sha256"
        ):
            out.append(
                f"{who}: its {r.extra.get('findings')} findings differ from those of"
                f" {first.tool} round {first.round} ({first.extra.get('findings')}):"
                " the same site must give the same findings"
            )
    if r.tool == "zwgk" and not r.extra.get("stages"):
        out.append(f"{who}: no stage lines (zwgk.stages) in its crawl.log")
    return out


def refuse(reasons: list[str], result: dict[str, Any], work: Path) -> None:
    result["refused"] = reasons
    (work / "runs.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    for line in reasons:
        print(f"bench: REFUSED: {line}", file=sys.stderr)
    print(
        f"bench: no summary written; the runs so far and the reasons are in {work / 'runs.json'}",
        file=sys.stderr,
    )
    sys.exit(1)


# -- profile -------------------------------------------------------------------------

# Where zwgk's time goes: cProfile's cumulative time of the pipeline's entry
# points (they do not overlap; the rest is Scrapy's engine, Twisted's HTTP
# client and the asyncio loop that drive both crawls).
ENTRY_POINTS = (
    (
        "portal crawl: PortalSpider.parse (decode + crawler.extract + _follow)",
        r"crawler/spiders/portal\.py:\d+\(parse\)$",
    ),
    ("  of which crawler.extract.parse_html", r"crawler/extract/page\.py:\d+\(parse_html\)$"),
    (
        "store pipelines: Store.add_pages, Store.add_url_checks",
        r"crawler/pipelines\.py:\d+\(_flush\)$",
    ),
    (
        "Scrapy: CONCURRENT_ITEMS tasks started per callback",
        r"scrapy/utils/asyncio\.py:\d+\(<listcomp>\)$",
    ),
    (
        "link verification: LinkCheckSpider.start (store reads)",
        r"crawler/spiders/linkcheck\.py:\d+\(start\)$",
    ),
    ("checks (zwgk.runner.check)", r"zwgk/runner\.py:\d+\(check\)$"),
    (
        "  of which Store.links() (ORM objects for every link)",
        r"zwgk/store/results\.py:\d+\(links\)$",
    ),
    ("reports (reports.render.write_reports)", r"reports/render\.py:\d+\(write_reports\)$"),
    ("whole run (zwgk.cli)", r"zwgk/cli\.py:\d+\(_do_run\)$"),
)


def profile_zwgk(site: Site, work: Path, conc: int) -> dict[str, Any]:
    cfg = work / "zwgk.yaml"
    cfg.write_text(ZWGK_CONFIG.format(conc=conc, home=site.home))
    prof = work / "zwgk.prof"
    db, out = work / "profile.db", work / "profile-out"
    cmd = [
        str(VENV_BIN / "python"),
        "-m",
        "cProfile",
        "-o",
        str(prof),
        "-m",
        "zwgk",
        "run",
        "--config",
        str(cfg),
        "--db",
        str(db),
        "--out",
        str(out),
        "--no-progress",
    ]
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stats: Any = pstats.Stats(str(prof)).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values())
    entries = {}
    for label, pattern in ENTRY_POINTS:
        cum = sum(
            v[3] for (f, line, fn), v in stats.items() if re.search(pattern, f"{f}:{line}({fn})")
        )
        entries[label] = {"cumtime_s": round(cum, 2), "share": round(100 * cum / total, 1)}
    top = sorted(
        ((v[2], v[3], f"{f}:{line}({fn})") for (f, line, fn), v in stats.items()), reverse=True
    )
    for p in work.glob("profile.db*"):
        p.unlink()
    shutil.rmtree(out, ignore_errors=True)
    strip = r".*site-packages/|.*/lib/python3\.\d+/|" + re.escape(str(REPO)) + "/"
    return {
        "command": cmd,
        "total_s": round(total, 2),
        "entry_points": entries,
        "top_tottime": [
            {"tottime": round(tt, 2), "cumtime": round(ct, 2), "where": re.sub(strip, "", w)}
            for tt, ct, w in top[:30]
        ],
    }


# -- report ---------------------------------------------------------------------------


def summarise(runs: list[Run], truth: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tool in TOOLS:
        rs = [r for r in runs if r.tool == tool]
        if not rs:
            continue
        walls = [r.wall_s for r in rs]
        pps = [r.pages_per_s for r in rs]
        out[tool] = {
            "runs": len(rs),
            "wall_median_s": round(statistics.median(walls), 2),
            "wall_min_s": round(min(walls), 2),
            "wall_max_s": round(max(walls), 2),
            "pages": sorted({r.pages for r in rs}),
            "pages_per_s_median": round(statistics.median(pps), 1),
            "pages_per_s_min": round(min(pps), 1),
            "pages_per_s_max": round(max(pps), 1),
            "max_rss_mb_median": round(statistics.median(r.max_rss_kb for r in rs) / 1024, 1),
            "broken_reported": sorted({r.broken_reported for r in rs}),
            "broken_found": sorted({r.broken_found for r in rs}),
            "broken_false": sorted({r.broken_false for r in rs}),
            "exit_codes": sorted({r.exit_code for r in rs}),
        }
        stages = summarise_stages(rs)
        if stages:
            out[tool]["stages"] = stages
    base = out.get("bare-scrapy", {}).get("pages_per_s_median")
    bare_by_round = {r.round: r.pages_per_s for r in runs if r.tool == "bare-scrapy"}
    for tool, v in out.items():
        v["ratio_vs_bare"] = round(v["pages_per_s_median"] / base, 2) if base else None
        # paired: each run against the bare spider's run of the same round
        paired = [
            r.pages_per_s / bare_by_round[r.round]
            for r in runs
            if r.tool == tool and bare_by_round.get(r.round)
        ]
        v["ratio_per_round"] = [round(x, 2) for x in paired]
    out["_planted"] = {"html_pages": truth["html_pages"], "broken": truth["broken_targets"]}
    return out


def summarise_stages(rs: list[Run]) -> dict[str, Any]:
    """zwgk's stages over its runs, in the order of its log: seconds and peak RSS."""
    per: dict[str, list[dict[str, Any]]] = {}
    for r in rs:
        for name, st in r.extra.get("stages", {}).items():
            per.setdefault(name, []).append(st)
    out = {}
    for name, sts in per.items():
        secs, peaks = [st["s"] for st in sts], [st["peak_rss_mb"] for st in sts]
        out[name] = {
            "runs": len(sts),
            "s_median": round(statistics.median(secs), 1),
            "s_min": min(secs),
            "s_max": max(secs),
            "peak_rss_mb_median": round(statistics.median(peaks)),
            "peak_rss_mb_max": max(peaks),
            "notes": sorted({st["note"] for st in sts if "note" in st}),
        }
    return out


def table(summary: dict[str, Any]) -> str:
    planted = summary["_planted"]
    lines = [
        "| tool | pages/s (median) | spread (min–max) | × bare Scrapy (median; per round) "
        "| wall s (median) | peak RSS MB | peak RSS MB by stage (median) | HTML pages "
        "| broken reported (planted found / false) |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for tool in TOOLS:
        s = summary.get(tool)
        if not s:
            continue
        broken = (
            "— (does not check)"
            if tool == "bare-scrapy"
            else f"{'/'.join(map(str, s['broken_reported']))} "
            f"({'/'.join(map(str, s['broken_found']))} / {'/'.join(map(str, s['broken_false']))})"
        )
        by_stage = (
            ", ".join(f"{n} {v['peak_rss_mb_median']}" for n, v in s["stages"].items())
            if s.get("stages")
            else "—"
        )
        lines.append(
            f"| {tool} | {s['pages_per_s_median']} | {s['pages_per_s_min']}–{s['pages_per_s_max']}"
            f" | {s['ratio_vs_bare']} ({', '.join(map(str, s['ratio_per_round']))})"
            f" | {s['wall_median_s']} | {s['max_rss_mb_median']} | {by_stage}"
            f" | {'/'.join(map(str, s['pages']))} | {broken} |"
        )
    lines.append(
        f"\nPlanted: {planted['html_pages']} HTML pages, {planted['broken']} broken link targets."
    )
    staged = [(t, summary[t]["stages"]) for t in TOOLS if summary.get(t, {}).get("stages")]
    if staged:
        lines += [
            "\nzwgk's stages, from its crawl.log (zwgk.stages; peak RSS reset at each stage):\n",
            "| tool | stage | s (median) | s (min–max) | peak RSS MB (median) "
            "| peak RSS MB (max) |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for tool, st in staged:
            for n, v in st.items():
                note = f" ({'; '.join(v['notes'])})" if v["notes"] else ""
                lines.append(
                    f"| {tool} | {n}{note} | {v['s_median']} | {v['s_min']}–{v['s_max']}"
                    f" | {v['peak_rss_mb_median']} | {v['peak_rss_mb_max']} |"
                )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--details", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--tools", default="bare-scrapy,zwgk,linkchecker,linkinator")
    ap.add_argument(
        "--baseline-tree",
        type=Path,
        help="another checkout of zwgk (e.g. before an optimisation) to time as zwgk-baseline",
    )
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    if args.baseline_tree:
        BASELINE_TREE.append(args.baseline_tree.resolve())
        if "zwgk-baseline" not in tools:
            tools.insert(tools.index("zwgk") + 1 if "zwgk" in tools else 0, "zwgk-baseline")
    unknown = [t for t in tools if t not in RUNNERS]
    if unknown:
        ap.error(f"unknown tools {unknown}; choose from {', '.join(TOOLS)}")
    ensure_tools(tools)
    info = versions()
    truth = generate_site(args.seed, args.details)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work = RESULTS / stamp
    work.mkdir(parents=True)
    os.chmod(work, 0o777)  # LinkChecker run as root drops to nobody
    runs: list[Run] = []
    profile = None
    result: dict[str, Any] = {
        "machine": info,
        "site": {k: v for k, v in truth.items() if k != "broken"},
        "concurrency": args.concurrency,
    }
    with nginx(SITE / "www") as port:
        try:
            preflight(SITE / "www", port, truth)
        except SystemExit:
            work.rmdir()  # nothing was run
            raise
        site = Site(truth, port)
        for rnd in range(1, args.rounds + 1):
            for tool in tools:
                log(f"round {rnd}: {tool}")
                r = RUNNERS[tool](site, work, args.concurrency, rnd)
                runs.append(r)
                log(
                    f"  {r.wall_s:.2f} s, {r.pages} pages, {r.pages_per_s:.1f} pages/s, "
                    f"{r.max_rss_kb // 1024} MB, broken {r.broken_reported} "
                    f"({r.broken_found} planted, {r.broken_false} not), exit {r.exit_code}"
                )
                for name, st in r.extra.get("stages", {}).items():
                    log(f"    stage {name}: {st['s']} s, peak RSS {st['peak_rss_mb']} MB")
                bad = problems(r, site, runs)
                if bad:
                    result["runs"] = [
                        {**asdict(x), "pages_per_s": round(x.pages_per_s, 1)} for x in runs
                    ]
                    refuse(bad, result, work)
        if not args.no_profile and "zwgk" in tools:
            log("profiling one more zwgk run (cProfile; not timed)")
            profile = profile_zwgk(site, work, args.concurrency)
    summary = summarise(runs, truth)
    result = {
        **result,
        "summary": summary,
        "runs": [{**asdict(r), "pages_per_s": round(r.pages_per_s, 1)} for r in runs],
        "profile": profile,
    }
    (work / "runs.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    md = table(summary)
    (work / "summary.md").write_text(md + "\n")
    print(json.dumps(info, ensure_ascii=False, indent=1))
    print(md)
    if profile:
        print(f"\nzwgk under cProfile: {profile['total_s']} s; cumulative time of entry points:")
        for k, v in profile["entry_points"].items():
            print(f"  {v['share']:5.1f}%  {v['cumtime_s']:6.2f} s  {k}")
    log(f"results in {work}")


if __name__ == "__main__":
    main()
