"""The bundled sample province (zwgk.sample): server, DNS, pages and planted defects.

Every request goes to 127.0.0.1 or ::1 with an explicit Host header and
every name is resolved through the portal's own DNS server; nothing here
consults the system resolver or leaves the machine.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import dns.nameserver
import dns.resolver
import pytest
import yaml

from zwgk.sample import PLANTED_FILE, SamplePortal
from zwgk.sample import catalog as C
from zwgk.sample.server import SITES_DIR

SITE_IDS = ("hanshan", "qinghe", "lanhai")
ALL_HOSTS = set(C.SERVED_HOSTS)


# -- plumbing -------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# No ProxyHandler from the environment: requests go straight to loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


@dataclass
class Resp:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def ctype(self) -> str:
        return self.headers.get("Content-Type", "")


def fetch(
    portal: SamplePortal,
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    addr: str = "127.0.0.1",
    host: str | None = None,
) -> Resp:
    """Request ``url`` from ``addr``, naming its host only in the Host header."""
    parts = urlsplit(url)
    assert parts.hostname in ALL_HOSTS or host is not None, url
    where = f"[{addr}]" if ":" in addr else addr
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    req = urllib.request.Request(
        f"http://{where}:{portal.port}{target}",
        data=data,
        method=method,
        headers={"Host": host if host is not None else parts.netloc},
    )
    try:
        with OPENER.open(req, timeout=10) as r:
            return Resp(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, dict(e.headers), e.read())


def follow(portal: SamplePortal, url: str, hops: int = 5) -> tuple[Resp, str, list[int]]:
    chain: list[int] = []
    for _ in range(hops):
        r = fetch(portal, url)
        if r.status not in (301, 302, 303, 307, 308):
            return r, url, chain
        chain.append(r.status)
        url = urljoin(url, r.headers["Location"])
    raise AssertionError(f"redirect loop at {url}")


def charset_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return "gbk" if C.HOSTS[host].charset.lower() == "gbk" else "utf-8"


def resolver(portal: SamplePortal) -> dns.resolver.Resolver:
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", portal.dns.port)]
    r.lifetime = 5
    return r


def planted() -> dict[str, list[dict[str, str]]]:
    data = yaml.safe_load(PLANTED_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def sub_port(url: str, portal: SamplePortal) -> str:
    return url.replace("{port}", str(portal.port))


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal() as p:
        yield p


# -- a small reference crawler ----------------------------------------------------


class LinkParser(HTMLParser):
    """Links as a browser-less crawler sees them: comments and scripts are not markup."""

    NAV: ClassVar[dict[str, str]] = {"a": "href", "area": "href", "iframe": "src", "frame": "src"}
    RES: ClassVar[dict[str, str]] = {"img": "src", "script": "src", "link": "href"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nav: list[tuple[str, str]] = []  # (href, anchor text)
        self.res: list[str] = []
        self._anchor: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        if tag in self.NAV and self.NAV[tag] in a:
            if tag == "a":
                self._anchor, self._href = [], a["href"]
            else:
                self.nav.append((a[self.NAV[tag]], ""))
        elif tag in self.RES and self.RES[tag] in a:
            self.res.append(a[self.RES[tag]])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            self.nav.append((self._href, "".join(self._anchor).strip()))
            self._anchor = None

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor.append(data)


def parse_links(html: str) -> LinkParser:
    p = LinkParser()
    p.feed(html)
    p.close()
    return p


TRS_CALL = re.compile(r'createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"(\w+)"\s*,\s*"(\w+)"\s*\)')
JPAGE_CALL = re.compile(r'\$\("#(\d+)"\)\.jpage\((\{.*?\})\);', re.S)
RECORD = re.compile(r"<record><!\[CDATA\[(.*?)\]\]></record>", re.S)
PUBDATE = re.compile(r'<meta name="PubDate" content="(\d{4}-\d{2}-\d{2})')
LIST_DATE = (
    re.compile(r'<span[^>]*>(\d{4}-\d{2}-\d{2})</span><a href="([^"]+)"'),
    re.compile(
        r'<a href="([^"]+)"[^>]*>[^<]*</a>\s*(?:<em[^>]*></em>\s*)?'
        r"<span[^>]*>(\d{4}-\d{2}-\d{2})</span>"
    ),
)


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # url -> decoded HTML (200, text/html)
    depth: dict[str, int] = field(default_factory=dict)
    nav: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # url -> (abs url, text)
    res: dict[str, list[str]] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    list_dates: list[tuple[str, str, str]] = field(default_factory=list)  # (list, target, date)
    proxy_only: set[str] = field(default_factory=set)


def crawl_site(portal: SamplePortal, site_id: str, max_depth: int) -> Crawl:
    spec = C.SITES[site_id]
    hosts = {h.name for h in spec.hosts}
    robots: dict[str, RobotFileParser] = {}
    for h in hosts:
        rp = RobotFileParser()
        rp.parse(fetch(portal, portal.url(h, "/robots.txt")).body.decode().splitlines())
        robots[h] = rp
    c = Crawl()
    queue: deque[tuple[str, int]] = deque()
    seen: set[str] = set()

    def push(url: str, depth: int) -> None:
        url = urldefrag(url)[0]
        host = urlsplit(url).hostname
        if host not in hosts or url in seen or depth > max_depth:
            return
        if not robots[host].can_fetch("*", url):
            return
        seen.add(url)
        queue.append((url, depth))

    push(portal.base_url(site_id), 0)
    for u in portal.disclosure_urls(site_id):
        push(u, 0)
    while queue:
        url, depth = queue.popleft()
        r = fetch(portal, url)
        c.status[url] = r.status
        if r.status in (301, 302):
            target = urljoin(url, r.headers["Location"])
            c.redirects[url] = target
            push(target, depth)
            continue
        if r.status != 200 or not r.ctype.startswith("text/html"):
            continue
        html = r.body.decode(charset_of(url), "replace")
        c.pages[url] = html
        c.depth[url] = depth
        links = parse_links(html)
        c.nav[url] = [(urljoin(url, h.strip()), t) for h, t in links.nav if _is_http(h)]
        c.res[url] = [urljoin(url, h.strip()) for h in links.res if _is_http(h)]
        for m in LIST_DATE[0].finditer(html):
            c.list_dates.append((url, urljoin(url, m.group(2)), m.group(1)))
        for m in LIST_DATE[1].finditer(html):
            c.list_dates.append((url, urljoin(url, m.group(1)), m.group(2)))
        for target, _ in c.nav[url]:
            push(target, depth + 1)
        for m in TRS_CALL.finditer(html):
            total, prefix, ext = int(m.group(1)), m.group(3), m.group(4)
            for i in range(total):
                name = f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}"
                push(urljoin(url, name), depth + 1)
        for m in JPAGE_CALL.finditer(html):
            for href in jpage_records(portal, url, json.loads(m.group(2))):
                target = urljoin(url, href)
                if href not in html:
                    c.proxy_only.add(target)
                c.nav[url].append((target, ""))
                push(target, depth + 1)
        for record in RECORD.findall(html):
            for h, t in parse_links(record).nav:
                c.nav[url].append((urljoin(url, h), t))
                push(urljoin(url, h), depth + 1)
    return c


def _is_http(href: str) -> bool:
    h = href.strip().lower()
    return bool(h) and not h.startswith(("javascript:", "#", "mailto:", "tel:"))


JPAGE_LOCAL = ("totalRecord", "perPage", "groupSize", "barPosition", "proxyUrl")


def jpage_records(portal: SamplePortal, page_url: str, cfg: dict[str, object]) -> list[str]:
    """Page through a jpage list the way jpage.js does: POSTs of three pages each."""
    total, per = int(str(cfg["totalRecord"])), int(str(cfg["perPage"]))
    form = urlencode({k: v for k, v in cfg.items() if k not in JPAGE_LOCAL}).encode()
    proxy = urljoin(page_url, str(cfg["proxyUrl"]))
    hrefs: list[str] = []
    for start in range(1, total + 1, per * 3):
        q = urlencode({"startrecord": start, "endrecord": start + per * 3 - 1, "perpage": per})
        r = fetch(portal, f"{proxy}?{q}", method="POST", data=form)
        assert r.status == 200, r
        for record in RECORD.findall(r.body.decode("utf-8")):
            hrefs += [h for h, _ in parse_links(record).nav]
    assert len(hrefs) == total
    return hrefs


@pytest.fixture(scope="module")
def crawls(portal: SamplePortal) -> dict[str, Crawl]:
    return {s: crawl_site(portal, s, int(C.CRAWL["max_depth"])) for s in SITE_IDS}


def alias(url: str) -> str:
    """TRS pagination names the first page ``index.html``; the site links ``./``."""
    host = urlsplit(url).hostname or ""
    if url.endswith("/index.html") and C.HOSTS[host].index_links == "dir":
        return url[: -len("index.html")]
    return url


# -- server basics ---------------------------------------------------------------------


def test_virtual_hosting(portal: SamplePortal) -> None:
    titles = {}
    for site in SITE_IDS:
        r = fetch(portal, portal.base_url(site))
        assert r.status == 200
        html = r.body.decode(charset_of(portal.base_url(site)))
        titles[site] = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
    assert titles == {
        "hanshan": "寒山市人民政府",
        "qinghe": "清河县人民政府",
        "lanhai": "岚海区人民政府",
    }
    xxgk = fetch(portal, portal.url(C.QINGHE_XXGK, "/")).body.decode()
    assert "<title>政府信息公开 清河县人民政府</title>" in xxgk
    for unknown in ("127.0.0.1", "www.example.gov.test", "oa.lanhai.gov.test"):
        r = fetch(portal, portal.base_url("hanshan"), host=f"{unknown}:{portal.port}")
        assert r.status == 404


def test_ipv6_loopback_serves_same_port(portal: SamplePortal) -> None:
    if not portal.ipv6:
        pytest.skip("no IPv6 loopback on this machine")
    r = fetch(portal, portal.base_url("lanhai"), addr="::1")
    assert r.status == 200
    assert "岚海区人民政府" in r.body.decode()


def test_dns_zone(portal: SamplePortal) -> None:
    res = resolver(portal)
    for host, spec in C.HOSTS.items():
        assert [a.to_text() for a in res.resolve(host, "A")] == ["127.0.0.1"]
        if spec.v4only or not portal.ipv6:
            with pytest.raises(dns.resolver.NoAnswer):
                res.resolve(host, "AAAA")
        else:
            assert [a.to_text() for a in res.resolve(host, "AAAA")] == ["::1"]
    assert [a.to_text() for a in res.resolve("oa.lanhai.gov.test", "A")] == ["127.0.0.2"]
    with pytest.raises(dns.resolver.NXDOMAIN):
        res.resolve("www.closed-dept.gov.test", "A")


def test_config_dict(portal: SamplePortal) -> None:
    cfg = portal.config_dict()
    assert cfg["evaluation"] == {"as_of": "2026-11-30", "period_start": "2026-01-01"}
    assert cfg["dns"] == {"nameservers": [f"127.0.0.1:{portal.dns.port}"]}
    assert cfg["network"] == {"allow_private": False, "allow_hosts": [C.ZWFW_LANHAI]}
    assert [s["id"] for s in cfg["sites"]] == list(SITE_IDS)
    qinghe = cfg["sites"][1]
    assert qinghe["home"] == f"http://www.qinghe.gov.test:{portal.port}/"
    assert qinghe["disclosure"] == [f"http://xxgk.qinghe.gov.test:{portal.port}/"]
    assert qinghe["hosts"] == ["www.qinghe.gov.test", "xxgk.qinghe.gov.test"]
    assert cfg["sites"][0]["disclosure"] == [f"http://www.hanshan.gov.test:{portal.port}/zwgk/"]
    config = pytest.importorskip("zwgk.config")
    parsed = config.parse_config(portal.config_yaml(), "sample")
    assert parsed.site("qinghe").all_hosts == ["www.qinghe.gov.test", "xxgk.qinghe.gov.test"]


def test_requests_are_logged(portal: SamplePortal) -> None:
    fetch(portal, portal.url(C.LANHAI, "/zwgk/yw/?from=test"))
    assert ("GET", C.LANHAI, "/zwgk/yw/?from=test") in portal.requests


def test_head_and_directory_redirect(portal: SamplePortal) -> None:
    url = portal.url(C.HANSHAN, "/zwgk/")
    get, head = fetch(portal, url), fetch(portal, url, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(get.body))
    r = fetch(portal, portal.url(C.HANSHAN, "/zwgk"))
    assert r.status == 301 and r.headers["Location"] == "/zwgk/"
    assert fetch(portal, url, method="POST", data=b"x=1").status == 405


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/zwgk/..%2f..%2f..%2fcatalog.py",
        "/images/%2E%2E/%2E%2E/%2E%2E/server.py",
        "/..%5c..%5cserver.py",
        "/./robots.txt",
        "/_jpage.json",
        "/../_jpage.json",
    ],
)
def test_path_traversal_refused(portal: SamplePortal, path: str) -> None:
    r = fetch(portal, f"http://{C.HANSHAN}:{portal.port}{path}")
    assert r.status in (400, 404)
    assert b"root:" not in r.body and b"import" not in r.body and b"records" not in r.body


def test_gbk_pages(portal: SamplePortal) -> None:
    url = portal.url(C.HANSHAN, "/zwgk/xxgknb/")
    r = fetch(portal, url)
    assert r.ctype == "text/html; charset=GBK"
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")
    html = r.body.decode("gbk")
    assert 'charset=gb2312"' in html
    assert "寒山市人民政府2025年政府信息公开工作年度报告" in html
    r.body.decode("gb2312")  # the declared charset decodes the bytes too


def test_wrong_charset_page(portal: SamplePortal) -> None:
    (entry,) = planted()["wrong_charset"]
    r = fetch(portal, sub_port(entry["url"], portal))
    assert r.status == 200
    assert r.ctype == "text/html; charset=utf-8"
    assert "寒山市入选省级数字乡村建设试点" in r.body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")


def test_absolute_links_get_the_port(portal: SamplePortal) -> None:
    html = fetch(portal, portal.base_url("qinghe")).body.decode()
    assert f'href="http://xxgk.qinghe.gov.test:{portal.port}/"' in html
    assert 'href="http://www.closed-dept.gov.test/"' in html  # not a sample host: untouched


# -- CMS behaviour -----------------------------------------------------------------------


def test_trs_pagination_only_in_script(portal: SamplePortal) -> None:
    first = fetch(portal, portal.url(C.HANSHAN, "/xwzx/hsyw/")).body.decode("gbk")
    assert 'createPageHTML(3, 0, "index", "html");' in first
    assert "index_1.html" not in first
    second = fetch(portal, portal.url(C.HANSHAN, "/xwzx/hsyw/index_1.html"))
    assert second.status == 200
    assert 'createPageHTML(3, 1, "index", "html");' in second.body.decode("gbk")
    for path in SITES_DIR.joinpath(C.HANSHAN).rglob("*.html"):
        assert b"index_1.html" not in path.read_bytes(), path


def jpage_form(columnid: int, unitid: int) -> bytes:
    return urlencode(
        {
            "col": 1,
            "appid": 1,
            "webid": 2,
            "path": "/",
            "columnid": columnid,
            "sourceContentType": 1,
            "unitid": unitid,
            "webname": "清河县人民政府",
            "permissiontype": 0,
        }
    ).encode()


def test_hanweb_dataproxy_window(portal: SamplePortal) -> None:
    data = json.loads((SITES_DIR / "_jpage.json").read_text(encoding="utf-8"))
    records = data[C.QINGHE_XXGK]["1234"]["records"]
    assert len(records) == 18
    proxy = portal.url(C.QINGHE_XXGK, C.DATAPROXY_PATH)
    r = fetch(
        portal,
        f"{proxy}?startrecord=9&endrecord=16&perpage=8",
        method="POST",
        data=jpage_form(1234, 3456),
    )
    assert r.status == 200 and r.ctype.startswith("text/xml")
    xml = r.body.decode("utf-8")
    assert xml.startswith("<datastore>\n<totalrecord>18</totalrecord>")
    got = [s.strip() for s in RECORD.findall(xml)]
    assert got == records[8:16]
    static = fetch(portal, portal.url(C.QINGHE_XXGK, "/col/col1234/index.html")).body.decode()
    assert '"totalRecord": 18' in static and '"perPage": 8' in static
    assert [s.strip() for s in RECORD.findall(static)] == records[:8]
    for rec in got:
        href = re.search(r'href="([^"]+)"', rec).group(1)  # type: ignore[union-attr]
        assert href not in static
        assert fetch(portal, portal.url(C.QINGHE_XXGK, href)).status == 200
    # The window the brief's example asks for runs past the end: the last three.
    tail = fetch(
        portal,
        f"{proxy}?startrecord=16&endrecord=30&perpage=15",
        method="POST",
        data=jpage_form(1234, 3456),
    )
    assert [s.strip() for s in RECORD.findall(tail.body.decode())] == records[15:]
    # GET with the same parameters in the query works too; unknown columns are empty.
    q = jpage_form(1234, 3456).decode() + "&startrecord=9&endrecord=16&perpage=8"
    assert [s.strip() for s in RECORD.findall(fetch(portal, f"{proxy}?{q}").body.decode())] == got
    empty = fetch(
        portal, f"{proxy}?startrecord=1&endrecord=15", method="POST", data=jpage_form(9, 9)
    )
    assert "<totalrecord>0</totalrecord>" in empty.body.decode()
    assert fetch(portal, portal.url(C.HANSHAN, C.DATAPROXY_PATH)).status == 404


def test_robots_and_admin(portal: SamplePortal) -> None:
    for host in ALL_HOSTS:
        robots = fetch(portal, portal.url(host, "/robots.txt"))
        assert robots.status == 200
        assert "Disallow: /admin/" in robots.body.decode().splitlines()
    for site in SITE_IDS:
        host = C.SITES[site].home[0]
        admin = portal.url(host, "/admin/login.html")
        assert fetch(portal, admin).status == 200
        assert admin not in portal.expected_pages(site)


# -- expected pages vs. a reference crawl ------------------------------------------------


def test_expected_pages(portal: SamplePortal) -> None:
    pages = {s: portal.expected_pages(s) for s in SITE_IDS}
    for site, urls in pages.items():
        assert 25 <= len(urls) <= 60, (site, len(urls))
        assert portal.base_url(site) in urls
        assert set(portal.disclosure_urls(site)) <= urls
    assert portal.url(C.HANSHAN, "/xwzx/hsyw/index_1.html") in pages["hanshan"]
    assert portal.url(C.HANSHAN, "/xwzx/hsyw/index_2.html") in pages["hanshan"]
    assert portal.url(C.HANSHAN, "/zwgk/") in pages["hanshan"]
    assert portal.url(C.HANSHAN, "/zwgk/index.html") not in pages["hanshan"]
    assert portal.url(C.QINGHE_XXGK, "/col/col1234/index.html") in pages["qinghe"]
    assert portal.url(C.QINGHE, "/col/col1105/index.html") in pages["qinghe"]  # behind redirects
    assert portal.url(C.LANHAI, "/zwgk/ztzl/乡村振兴/") in pages["lanhai"]
    assert "%E4%B9%A1%E6%9D%91" in portal.url(C.LANHAI, "/zwgk/ztzl/乡村振兴/")
    # A record only the dataproxy lists, and no static page links.
    data = json.loads((SITES_DIR / "_jpage.json").read_text(encoding="utf-8"))
    rec = data[C.QINGHE_XXGK]["1234"]["records"][12]
    href = re.search(r'href="([^"]+)"', rec).group(1)  # type: ignore[union-attr]
    assert portal.url(C.QINGHE_XXGK, href) in pages["qinghe"]
    own = SITES_DIR / C.QINGHE_XXGK / href.lstrip("/")
    for f in SITES_DIR.rglob("*.html"):
        if f != own:  # a page names itself in <meta name="Url">
            assert href.encode() not in f.read_bytes(), f


@pytest.mark.parametrize("site", SITE_IDS)
def test_reference_crawl_reaches_exactly_the_expected_pages(
    portal: SamplePortal, crawls: dict[str, Crawl], site: str
) -> None:
    c = crawls[site]
    reached = {alias(u) for u in c.pages}
    expected = portal.expected_pages(site)
    assert expected - reached == set()
    soft = {portal.url(h, p) for h, p in C.SOFT_404}
    assert reached - expected <= soft
    assert max(c.depth.values()) <= int(C.CRAWL["max_depth"])
    if site == "qinghe":  # records 9.. of each jpage list come only from the data proxy
        assert len(c.proxy_only) == (12 - 8) + (18 - 8)
        assert c.proxy_only <= expected


@pytest.mark.parametrize("site", SITE_IDS)
def test_no_unplanned_broken_links(
    portal: SamplePortal, crawls: dict[str, Crawl], site: str
) -> None:
    data = planted()
    broken = {
        sub_port(e["url"], portal)
        for e in data["defects"] + data["traps"]
        if e["expect"] in ("404", "soft404")
    }
    external = {
        sub_port(e["url"], portal)
        for e in data["defects"]
        if e["expect"] in ("nxdomain", "private")
    }
    c = crawls[site]
    targets = {u for links in c.nav.values() for u, _ in links}
    targets |= {u for r in c.res.values() for u in r}
    for url in sorted(targets):
        host = urlsplit(url).hostname
        if host not in ALL_HOSTS:
            assert url in external, f"unplanned external link {url}"
            continue
        if urlsplit(url).path.startswith("/admin/"):
            continue  # robots.txt keeps crawlers out; existence is tested above
        r, final, _ = follow(portal, url)
        if url in broken:
            assert r.status == 404 or "页面不存在" in r.body.decode(charset_of(url), "replace")
        else:
            assert r.status == 200, f"unplanned broken link {url} -> {final} ({r.status})"


@pytest.mark.parametrize("site", SITE_IDS)
def test_dates_agree(portal: SamplePortal, crawls: dict[str, Crawl], site: str) -> None:
    c = crawls[site]
    pubdate = {}
    for url, html in c.pages.items():
        m = PUBDATE.search(html)
        if m:
            pubdate[url] = m.group(1)
            table = re.findall(r"(?:发布日期|生成日期)：</td><td>(\d{4}-\d{2}-\d{2})", html)
            assert all(d == m.group(1) for d in table), url
            shown = re.findall(r"(?:发布时间|发布日期|时间)：(?:<!--.*?-->)?(\d{4}-[\d-]{5})", html)
            assert all(d == m.group(1) for d in shown), url
    checked = 0
    for list_url, target, date in c.list_dates:
        if target in pubdate:
            assert pubdate[target] == date, (list_url, target)
            checked += 1
    assert checked >= 10


# -- content invariants the checks rely on -------------------------------------------------


def anchors_under(c: Crawl, prefix: str) -> list[str]:
    return [t for u, links in c.nav.items() if u.startswith(prefix) for _, t in links]


def test_disclosure_sections(portal: SamplePortal, crawls: dict[str, Crawl]) -> None:
    needed = {
        "指南": "信息公开指南",
        "制度": "公开制度",
        "法定": "法定主动公开",
        "年报": "信息公开年报",
    }
    for site in SITE_IDS:
        (prefix,) = portal.disclosure_urls(site)
        texts = anchors_under(crawls[site], prefix)
        found = {k for k, pat in needed.items() if any(pat in t for t in texts)}
        assert found == (set(needed) - {"制度"} if site == "lanhai" else set(needed)), site
    # 寒山's 制度 section is linked but unreachable.
    r = fetch(portal, portal.url(C.HANSHAN, "/zwgk/xxgkzd/"))
    assert r.status == 404


def test_annual_reports(crawls: dict[str, Crawl]) -> None:
    years = {}
    for site in SITE_IDS:
        titles = [
            m.group(1)
            for h in crawls[site].pages.values()
            if (m := re.search(r"<title>(.*?)</title>", h))
        ]
        years[site] = sorted(
            {
                int(m.group(1))
                for t in titles
                if (m := re.search(r"(20\d\d)年政府信息公开工作年度报告", t))
            }
        )
    assert years == {"hanshan": [2023, 2024, 2025], "qinghe": [2023, 2024], "lanhai": [2024, 2025]}


def test_planning_column(crawls: dict[str, Crawl]) -> None:
    def has_plan(site: str) -> bool:
        return any("规划" in t for links in crawls[site].nav.values() for _, t in links)

    assert has_plan("hanshan") and has_plan("qinghe") and not has_plan("lanhai")


def test_policies_and_interpretations(crawls: dict[str, Crawl]) -> None:
    for site in SITE_IDS:
        titles = {
            re.search(r'name="ArticleTitle" content="([^"]+)"', h).group(1)  # type: ignore[union-attr]
            for h in crawls[site].pages.values()
            if 'name="ArticleTitle"' in h
        }
        policies = {t for t in titles if re.search(r"关于印发《.+》的通知$", t)}
        interps = {t for t in titles if t.endswith("解读") or t.startswith("一图读懂")}
        assert len(policies) >= 4, site
        assert interps, site


# -- planted.yaml ---------------------------------------------------------------------------


def test_planted_entries_behave_as_described(
    portal: SamplePortal, crawls: dict[str, Crawl]
) -> None:
    data = planted()
    res = resolver(portal)
    entries = data["defects"] + data["traps"]
    assert {e["site"] for e in data["defects"]} == set(SITE_IDS)
    for e in entries:
        assert e["site"] in SITE_IDS and e["note"]
        url = sub_port(e["url"], portal)
        host = urlsplit(url).hostname or ""
        expect = e["expect"]
        if expect == "nxdomain":
            assert host not in ALL_HOSTS
            with pytest.raises(dns.resolver.NXDOMAIN):
                res.resolve(host, "A")
        elif expect == "private":
            addrs = [a.to_text() for a in res.resolve(host, "A")]
            assert addrs and all(not ipaddress.ip_address(a).is_global for a in addrs)
            assert host not in ALL_HOSTS
        elif expect == "no_aaaa":
            assert res.resolve(host, "A")
            with pytest.raises(dns.resolver.NoAnswer):
                res.resolve(host, "AAAA")
        elif expect == "redirect":
            r, final, chain = follow(portal, url)
            assert chain == [301, 302] and r.status == 200
            assert final == sub_port(e["final"], portal)
        else:
            r = fetch(portal, url)
            if expect == "404":
                assert r.status == 404, url
            elif expect == "soft404":
                assert r.status == 200 and "页面不存在" in r.body.decode(charset_of(url)), url
            else:
                assert expect == "200" and r.status == 200, url
        if "source" in e:
            source = sub_port(e["source"], portal)
            site_crawl = crawls[e["site"]]
            assert source in site_crawl.pages, source
            linked = {u for u, _ in site_crawl.nav[source]} | set(site_crawl.res[source])
            if e in data["traps"]:  # the commented-out image: in the bytes, not a link
                assert url not in linked
                assert urlsplit(url).path in site_crawl.pages[source]
            else:
                assert url in linked, (url, source)
    rules = {(e["site"], e["check"], e["rule"]) for e in data["defects"]}
    assert {
        ("hanshan", "structure", "section_unreachable"),
        ("qinghe", "structure", "annual_report_missing"),
        ("lanhai", "structure", "section_missing"),
        ("qinghe", "links", "dns_error"),
        ("lanhai", "links", "private_address"),
        ("hanshan", "links", "soft_404"),
        ("qinghe", "freshness", "column_stale"),
        ("lanhai", "planning", "plan_missing"),
    } <= rules


def test_late_interpretation_is_six_days_late(portal: SamplePortal) -> None:
    import datetime as dt

    for e in planted()["defects"]:
        if e["rule"] != "late":
            continue
        dates = []
        for url in (sub_port(e["policy"], portal), sub_port(e["url"], portal)):
            html = fetch(portal, url).body.decode(charset_of(url))
            dates.append(dt.date.fromisoformat(PUBDATE.search(html).group(1)))  # type: ignore[union-attr]
        assert (dates[1] - dates[0]).days == 6


# -- the generator --------------------------------------------------------------------------


def test_generated_files_are_up_to_date() -> None:
    from zwgk.sample import build_sites

    out, jpage, plant = build_sites.build()
    on_disk = {
        p.relative_to(SITES_DIR).as_posix()
        for p in SITES_DIR.rglob("*")
        if p.is_file() and p != build_sites.JPAGE_FILE
    }
    assert on_disk == set(out.files), "run python -m zwgk.sample.build_sites"
    for key, data in out.files.items():
        assert (SITES_DIR / key).read_bytes() == data, key
    assert build_sites.JPAGE_FILE.read_text(encoding="utf-8") == build_sites.render_jpage(jpage)
    assert PLANTED_FILE.read_text(encoding="utf-8") == build_sites.render_planted(plant)
    assert sum(len(b) for b in out.files.values()) < 1_500_000


def test_start_stop_releases_everything() -> None:
    p = SamplePortal().start()
    assert fetch(p, p.base_url("lanhai")).status == 200
    port, dns_port = p.port, p.dns.port
    t0 = time.monotonic()
    p.stop()
    assert time.monotonic() - t0 < 2
    with pytest.raises(RuntimeError):
        _ = p.port
    with pytest.raises(RuntimeError):
        _ = p.dns
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
    # Restartable, on fresh ports.
    with p:
        assert fetch(p, p.base_url("hanshan")).status == 200
        assert p.dns.port > 0 and dns_port > 0


def test_static_files_answer_conditional_requests_as_nginx_does() -> None:
    with SamplePortal() as p:
        host = "www.hanshan.gov.test"
        first = p.handle("GET", host, "/")
        headers = dict(first.headers)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert first.status == 200 and first.body and etag.startswith('"')

        def status(**cond: str) -> int:
            names = {"inm": "If-None-Match", "ims": "If-Modified-Since"}
            return p.handle("GET", host, "/", b"", {names[k]: v for k, v in cond.items()}).status

        not_modified = p.handle("GET", host, "/", b"", {"If-None-Match": etag})
        assert (not_modified.status, not_modified.body) == (304, b"")
        assert dict(not_modified.headers)["ETag"] == etag
        assert status(inm=f'"x", W/{etag}') == 304 and status(inm="*") == 304
        assert status(inm='"other"') == 200
        assert status(ims=modified) == 304
        assert status(ims="Mon, 01 Jan 2001 00:00:00 GMT") == 200
        assert status(ims="not a date") == 200
        # If-None-Match decides when both are sent (RFC 9110 13.2.2).
        assert status(inm='"other"', ims=modified) == 200
        # Dynamic routes (the data proxy, the soft 404) carry no validators.
        assert "ETag" not in dict(p.handle("GET", host, "/xwzx/nonexistent.html").headers)
        # A changed file has another ETag.
        p.edit(host, "/index.html", first.body + b"<!-- changed -->")
        assert status(inm=etag) == 200
        changed = dict(p.handle("GET", host, "/").headers)["ETag"]
        assert changed != etag and status(inm=changed) == 304
        # A server that ignores validators still sends them.
        p.conditional = False
        assert status(inm=changed) == 200
        assert [s.conditional for s in p.served[:2]] == [False, True]
