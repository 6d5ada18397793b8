"""Site jobs share link verification: a target linked from two sites whose
jobs run at the same time, in two processes, is fetched once; each site's
own targets are verified by its job; no claim is left behind."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.conftest import link, page
from tests.crawler.test_crawl import REPO
from zwgk.config import load_config
from zwgk.store import Store

RUN = "2026-11"


class Counted(ThreadingHTTPServer):
    hits: Counter[str]


class Handler(BaseHTTPRequestHandler):
    server: Counted

    def _answer(self, body: bool) -> None:
        self.server.hits[self.path] += 1
        ok = self.path.startswith(("/shared", "/only-"))
        data = (
            "<html><head><title>文件</title></head>"
            "<body><p>正文内容足够长的一段文字。</p></body></html>"
        )
        raw = data.encode() if ok else b"<html><title>404</title><body>nope</body></html>"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if body:
            self.wfile.write(raw)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Counted]:
    srv = Counted(("127.0.0.1", 0), Handler)
    srv.hits = Counter()
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


JOB = """
import sys
from zwgk.config import load_config
from zwgk.runner import Share, crawl
from zwgk.store import Store
cfg, store = load_config(sys.argv[1]), Store(sys.argv[2])
out = crawl(cfg, store, "2026-11", [sys.argv[3]], share=Share(owner=sys.argv[3], poll_s=0.1))
sys.exit(0 if all(o.status.ok for o in out) else 1)
"""


def test_a_target_two_site_jobs_share_is_fetched_once(tmp_path: Path, server: Counted) -> None:
    port = server.server_address[1]
    base = f"http://127.0.0.1:{port}"
    sites = [{"id": s, "name": f"{s}市人民政府", "home": f"http://www.{s}.gov.test/"} for s in "ab"]
    cfg_file = tmp_path / "sites.yaml"
    cfg_file.write_text(
        yaml.safe_dump(
            {
                "evaluation": {"as_of": "2026-11-30"},
                "network": {"allow_hosts": ["127.0.0.1"]},
                "links": {"cache_days": 0, "retries": 0},
                "ipv6": {"enabled": False},
                "sites": sites,
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    cfg = load_config(cfg_file)
    db = f"sqlite:///{tmp_path / 'z.db'}"
    store = Store(db)
    store.ensure_run(RUN, cfg.evaluation.as_of, cfg.evaluation.start, cfg.model_dump(mode="json"))
    targets = [f"{base}/shared/{i}.html" for i in range(30)]
    for s in "ab":
        home = f"http://www.{s}.gov.test/"
        links = [link(u, "共用") for u in targets] + [link(f"{base}/only-{s}.html", "本站")]
        gen, _ = store.begin_site_crawl(RUN, s, f"{s}市人民政府", home, resume=False)
        store.add_pages(RUN, s, gen, [page(home, is_home=True, depth=0, links=links)])
        store.finish_site_crawl(RUN, s, gen, {})
    jobs = [
        subprocess.Popen(
            [sys.executable, "-c", JOB, str(cfg_file), db, s],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s in "ab"
    ]
    for j in jobs:
        _, err = j.communicate(timeout=120)
        assert j.returncode == 0, err
    checks = store.url_checks(RUN)
    assert set(targets) | {f"{base}/only-a.html", f"{base}/only-b.html"} <= set(checks)
    assert all(checks[u].outcome == "ok" for u in targets)
    for u in targets:
        path = u[len(base) :]
        assert server.hits[path] == 1, (path, server.hits[path])
    assert server.hits["/only-a.html"] == server.hits["/only-b.html"] == 1
    assert store.claims(RUN, "linkcheck") == {}
    store.dispose()
