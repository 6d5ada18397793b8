"""Facts about the sample province shared by the site generator and the server.

The generator (``build_sites.py``) writes pages that link to the routes named
here, and the server (``server.py``) serves them; keeping both in one module
means a renamed route cannot leave a link pointing at nothing by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

EVALUATION = {"as_of": "2026-11-30", "period_start": "2026-01-01"}
CRAWL = {
    "max_depth": 6,
    "max_pages": 2000,
    "concurrency_per_host": 4,
    "delay_s": 0,
    "timeout_s": 10,
    "obey_robots": True,
}


@dataclass(frozen=True)
class HostSpec:
    name: str
    # Charset named in the Content-Type header of HTML responses.
    charset: str
    # How the CMS links a directory's index page: "dir" (``/zwgk/``) or
    # "file" (``/col/col1234/index.html``). expected_pages() lists index pages
    # in the same form, so a crawler that follows links verbatim matches it.
    index_links: str = "dir"
    # Only an A record in the sample DNS (a site without IPv6).
    v4only: bool = False


@dataclass(frozen=True)
class SiteSpec:
    id: str
    name: str
    cms: str
    hosts: tuple[HostSpec, ...]
    home: tuple[str, str]  # (host, path)
    disclosure: tuple[tuple[str, str], ...]


HANSHAN = "www.hanshan.gov.test"
QINGHE = "www.qinghe.gov.test"
QINGHE_XXGK = "xxgk.qinghe.gov.test"
LANHAI = "www.lanhai.gov.test"

SITES: dict[str, SiteSpec] = {
    "hanshan": SiteSpec(
        id="hanshan",
        name="寒山市人民政府",
        cms="TRS WCM (GBK)",
        hosts=(HostSpec(HANSHAN, "GBK", "dir", v4only=True),),
        home=(HANSHAN, "/"),
        disclosure=((HANSHAN, "/zwgk/"),),
    ),
    "qinghe": SiteSpec(
        id="qinghe",
        name="清河县人民政府",
        cms="Hanweb jpage (UTF-8)",
        hosts=(HostSpec(QINGHE, "utf-8", "file"), HostSpec(QINGHE_XXGK, "utf-8", "file")),
        home=(QINGHE, "/"),
        disclosure=((QINGHE_XXGK, "/"),),
    ),
    "lanhai": SiteSpec(
        id="lanhai",
        name="岚海区人民政府",
        cms="TRS + avalon front end (UTF-8)",
        hosts=(HostSpec(LANHAI, "utf-8", "dir"),),
        home=(LANHAI, "/"),
        disclosure=((LANHAI, "/zwgk/zfxxgk/"),),
    ),
}

HOSTS: dict[str, HostSpec] = {h.name: h for s in SITES.values() for h in s.hosts}
HOST_SITE: dict[str, str] = {h.name: s.id for s in SITES.values() for h in s.hosts}

# lanhai's 政务服务 platform: a host under the site's domain, so a section of
# the site for the IPv6 monitoring, but not one of its configured hosts (the
# portal crawl does not crawl it; the config allows it as a trusted loopback
# host). It has no IPv6: the sample's IPv4-only section.
ZWFW_LANHAI = "zwfw.lanhai.gov.test"
SERVICE_HOSTS: dict[str, HostSpec] = {
    ZWFW_LANHAI: HostSpec(ZWFW_LANHAI, "utf-8", "dir", v4only=True),
}
SERVED_HOSTS: dict[str, HostSpec] = {**HOSTS, **SERVICE_HOSTS}

# Each zone's name servers, and whether the name server has IPv6 (an AAAA
# record). hanshan's has none.
NAME_SERVERS: dict[str, dict[str, bool]] = {
    "hanshan.gov.test": {"ns1.hanshan.gov.test": False},
    "qinghe.gov.test": {"ns1.qinghe.gov.test": True, "ns2.qinghe.gov.test": True},
    "lanhai.gov.test": {"dns1.lanhai.gov.test": True},
}

# An "intranet" name: resolvable, but to an address a crawler must refuse.
PRIVATE_HOSTS: dict[str, tuple[str, ...]] = {"oa.lanhai.gov.test": ("127.0.0.2",)}
# Linked from a page but absent from the zone (NXDOMAIN).
DEAD_HOSTS: tuple[str, ...] = ("www.closed-dept.gov.test",)

# (host, path) -> (status, Location). 301 -> 302 -> 200 chain on qinghe;
# lanhai's 网上办事 entry sends a dual-stack visitor to the IPv4-only platform.
REDIRECTS: dict[tuple[str, str], tuple[int, str]] = {
    (QINGHE, "/zjqh/"): (301, "/zjqh/index.jsp"),
    (QINGHE, "/zjqh/index.jsp"): (302, "/col/col1105/index.html"),
    (LANHAI, "/bsfw/"): (302, f"http://{ZWFW_LANHAI}/"),
}

# Old article URLs the CMS answers with a "page not found" page and status 200.
SOFT_404: frozenset[tuple[str, str]] = frozenset(
    {(HANSHAN, "/xwzx/hsyw/202312/t20231208_100088.html")}
)

# Pages whose Content-Type header names a charset other than the site's.
CHARSET_OVERRIDES: dict[tuple[str, str], str] = {
    (HANSHAN, "/xwzx/hsyw/202610/t20261015_140107.html"): "utf-8",
}

DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
# Hosts whose CMS answers the Hanweb jpage data proxy.
DATAPROXY_HOSTS = frozenset({QINGHE, QINGHE_XXGK})
