"""A server that answers every path with its home page: the soft-404 probe
matches the home page itself, and must not condemn the site's own 首页 link
(nor the configured home and disclosure entry), while a page that does not
exist is still a soft 404."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from zwgk.dnsserver import DNSServer

REPO = Path(__file__).resolve().parents[2]
SITE = "www.s.gov.test"
HOME = (
    "<html><head><meta charset='utf-8'><title>乙县人民政府</title></head><body>"
    "<a href='/'>首页</a><a href='/index.html'>网站首页</a><a href='/zwgk/'>政府信息公开</a>"
    "<a href='/tzgg/deleted.html'>已删除的通知</a>"
    "<p>欢迎访问乙县人民政府门户网站，这里发布本县政务信息、政策文件和办事指南。</p></body></html>"
).encode()


def test_home_link_is_not_a_soft_404_on_a_catch_all_server(tmp_path: Path) -> None:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)  # every path: the home page
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(HOME)))
            self.end_headers()
            self.wfile.write(HOME)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    root = f"http://{SITE}:{port}"
    try:
        with DNSServer({SITE: ["127.0.0.1"]}) as dns:
            cfg = tmp_path / "sites.yaml"
            cfg.write_text(
                yaml.safe_dump(
                    {
                        "evaluation": {"as_of": "2026-11-30"},
                        "crawl": {"delay_s": 0, "obey_robots": False},
                        "ipv6": {"enabled": False},
                        "dns": {"nameservers": [dns.address]},
                        "sites": [
                            {
                                "id": "s",
                                "name": "乙县人民政府",
                                "home": f"{root}/index.html",
                                "disclosure": [f"{root}/zwgk/"],
                            }
                        ],
                    },
                    allow_unicode=True,
                ),
                encoding="utf-8",
            )
            out = tmp_path / "out"
            r = subprocess.run(
                [sys.executable, "-m", "zwgk", "run", "--config", str(cfg),
                 "--db", str(tmp_path / "z.db"), "--out", str(out), "--no-progress"],
                capture_output=True, text=True, timeout=300, cwd=REPO,
            )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert r.returncode == 0, r.stderr
    findings = json.loads((out / "2026-11" / "findings.json").read_text(encoding="utf-8"))
    soft = {f["url"] for f in findings if f["rule"] == "soft_404"}
    # The host root, the configured home and the entry are spared ...
    assert not soft & {f"{root}/", f"{root}/index.html", f"{root}/zwgk/"}
    # ... a page that cannot exist but answers with the home page is not.
    assert f"{root}/tzgg/deleted.html" in soft
