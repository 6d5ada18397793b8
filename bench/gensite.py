"""Generate the benchmark site: a seeded, static government portal.

Shape (defaults): a home page, 4 column groups of 5 columns each, list
pages of 20 records with anchor pagination, about 5,000 detail pages with
Chinese text and a disclosure metadata table (索引号, 发布机构, 文号, 成文日期,
发布日期, 主题分类), 30-45 links per detail page (navigation, breadcrumb,
sibling columns, related articles, previous/next, attachments, images,
footer, stylesheet and script), and a few hundred planted broken targets:
deleted articles (HTML 404), missing attachments and missing images.

Every link is on the one host; URLs are root-relative or relative, so the
same tree is served under any ``http://127.0.0.1:PORT/``.

``python bench/gensite.py OUT_DIR [--seed N] [--details N]`` writes
``OUT_DIR/www`` (the document root) and ``OUT_DIR/truth.json`` (what was
planted: HTML page count, resources, broken targets).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

SITE_NAME = "澄江市人民政府"
OFFICE = "澄江市人民政府办公室"

GROUPS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "xwzx",
        "新闻中心",
        [
            ("cjyw", "澄江要闻"),
            ("bmdt", "部门动态"),
            ("xzdt", "乡镇动态"),
            ("tzgg", "通知公告"),
            ("mtjj", "媒体聚焦"),
        ],
    ),
    (
        "zwgk",
        "政务公开",
        [
            ("zcwj", "政策文件"),
            ("zcjd", "政策解读"),
            ("ghjh", "规划计划"),
            ("czxx", "财政信息"),
            ("rsxx", "人事信息"),
        ],
    ),
    (
        "zwfw",
        "政务服务",
        [
            ("bszn", "办事指南"),
            ("ggfw", "公共服务"),
            ("zxft", "在线访谈"),
            ("jytabl", "建议提案办理"),
            ("zsyz", "招商引资"),
        ],
    ),
    (
        "hdjl",
        "互动交流",
        [
            ("zxzx", "在线咨询"),
            ("myzj", "民意征集"),
            ("wsdc", "网上调查"),
            ("xwfb", "新闻发布会"),
            ("rdhy", "热点回应"),
        ],
    ),
]

ABOUT = [
    ("gywm", "关于我们"),
    ("lxwm", "联系我们"),
    ("wzdt", "网站地图"),
    ("mzsm", "免责声明"),
    ("yszc", "隐私政策"),
    ("wza", "无障碍说明"),
]

PUBLISHERS = [
    "澄江市人民政府办公室",
    "澄江市发展和改革委员会",
    "澄江市教育局",
    "澄江市财政局",
    "澄江市人力资源和社会保障局",
    "澄江市自然资源局",
    "澄江市生态环境局",
    "澄江市住房和城乡建设局",
    "澄江市交通运输局",
    "澄江市农业农村局",
    "澄江市卫生健康委员会",
    "澄江市应急管理局",
    "澄江市市场监督管理局",
    "澄江市医疗保障局",
]
TOPICS = ["综合政务", "国民经济管理", "财政", "教育", "卫生", "城乡建设", "农业", "交通", "环境"]
SUBJECTS = [
    "优化营商环境",
    "农村人居环境整治",
    "城市更新",
    "就业创业",
    "义务教育均衡发展",
    "基层医疗服务能力提升",
    "安全生产专项整治",
    "防汛抗旱",
    "老旧小区改造",
    "数字政府建设",
    "乡村振兴",
    "生态环境保护",
    "养老服务体系建设",
    "消费帮扶",
    "河湖长制",
    "食品安全",
    "政务服务“一网通办”",
    "重点项目建设",
]
ACTS = ["关于印发", "关于做好", "关于进一步加强", "关于开展", "关于公布", "关于推进"]
TAILS = ["实施方案的通知", "工作的通知", "工作方案的通知", "有关事项的通知", "工作的意见"]
NEWS_TAILS = ["工作推进会召开", "专题调研", "工作取得新进展", "现场会在我市举行", "成效明显"]
SENTENCES = [
    "为深入贯彻落实党中央、国务院和省委、省政府决策部署，结合我市实际，制定本方案。",
    "各地各部门要切实提高政治站位，把这项工作摆在突出位置，主要负责同志亲自抓、负总责。",
    "坚持以人民为中心的发展思想，着力解决群众急难愁盼问题，不断增强人民群众获得感、幸福感、安全感。",
    "到2026年底，全市基本建成覆盖城乡、功能完善、运行高效的服务体系。",
    "市直有关部门要按照职责分工，细化工作措施，明确时间节点，确保各项任务落到实处。",
    "建立健全工作台账，实行清单化管理、项目化推进，定期调度通报工作进展情况。",
    "加大财政资金投入力度，统筹用好中央和省级补助资金，引导社会资本积极参与。",
    "强化督促检查，将工作落实情况纳入年度绩效考核，对工作不力的单位予以通报。",
    "会议指出，今年以来全市上下攻坚克难、真抓实干，各项工作取得了阶段性成效。",
    "会议要求，要坚持问题导向，聚焦薄弱环节，补短板、强弱项，推动工作提质增效。",
    "各县（市、区）人民政府，市政府各部门、各直属机构：现将有关事项通知如下。",
    "本方案自印发之日起施行，由市有关部门负责解释。",
    "加强宣传引导，充分利用报刊、广播电视和政府网站、政务新媒体等渠道开展政策解读。",
    "严格落实安全生产责任制，深入排查整治各类风险隐患，坚决遏制重特大事故发生。",
    "持续深化“放管服”改革，推进政务服务标准化、规范化、便利化。",
    "调研组一行先后深入企业车间、项目工地和村（社区）服务中心，详细了解有关情况。",
    "全面推行证明事项告知承诺制，进一步减环节、减材料、减时限、减跑动。",
    "各单位要于每季度末将工作进展情况报送市牵头部门，全年工作总结于12月10日前报送。",
]


MIN_DETAILS, MAX_DETAILS = 160, 500_000


@dataclass
class Detail:
    col: str  # "xwzx/cjyw"
    idx: int
    ym: str
    day: int
    uid: int
    title: str
    url: str = ""
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (url, name)
    images: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # urls (some dead)


def esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def columns() -> list[tuple[str, str, str, str]]:
    """(group, group name, column path, column name)."""
    return [(g, gn, f"{g}/{c}", cn) for g, gn, cols in GROUPS for c, cn in cols]


class Builder:
    def __init__(self, root: Path, seed: int, details: int) -> None:
        self.root = root
        self.rnd = random.Random(seed)
        self.n_details = details
        self.html_pages: list[str] = []  # site paths of every 200 HTML page
        self.resources: set[str] = set()  # existing non-HTML files
        self.broken: dict[str, str] = {}  # path -> kind
        self.links_total = 0

    # -- helpers ---------------------------------------------------------

    def write(self, path: str, text: str, html: bool = True) -> None:
        target = self.root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if html:
            self.html_pages.append(path)
            self.links_total += text.count(' href="') + text.count(' src="')

    def resource(self, path: str, size: int) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(self.rnd.getrandbits(8) for _ in range(size)))
        self.resources.add(path)

    def para(self, n: int) -> str:
        return "".join(
            f'<p style="text-indent:2em;">{"".join(self.rnd.sample(SENTENCES, 3))}</p>\n'
            for _ in range(n)
        )

    # -- page chrome ------------------------------------------------------

    def head(self, title: str, extra: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
            '<meta charset="utf-8">\n'
            f"<title>{esc(title)}_{SITE_NAME}</title>\n"
            f'<meta name="SiteName" content="{SITE_NAME}">\n{extra}'
            '<link rel="stylesheet" href="/css/style.css">\n'
            '<script src="/js/common.js"></script>\n</head>\n<body>\n'
        )

    def header(self) -> str:
        nav = "".join(f'<li><a href="/{g}/">{gn}</a></li>' for g, gn, _ in GROUPS)
        return (
            '<div class="top"><a href="javascript:void(0)">设为首页</a> | '
            '<a href="/about/wza.html">无障碍</a></div>\n'
            '<div class="header"><a href="/"><img src="/images/logo.png" alt="澄江市人民政府"></a>'
            '<form action="/search/" method="get"><input name="q"></form></div>\n'
            f'<div class="nav"><ul><li><a href="/">首页</a></li>{nav}'
            '<li><a href="/zwgk/zcwj/">政策文件</a></li><li><a href="/zwgk/zcjd/">政策解读</a></li>'
            "</ul></div>\n"
        )

    def footer(self) -> str:
        about = " | ".join(f'<a href="/about/{k}.html">{n}</a>' for k, n in ABOUT)
        return (
            f'<div class="footer"><p>{about}</p>\n'
            f"<p>主办单位：{OFFICE}　网站标识码：5300000001　滇ICP备05012345号</p>\n"
            '<p><img src="/images/jgbs.png" alt="党政机关"> '
            '<img src="/images/ga.png" alt="公安备案"> 滇公网安备 53000002000123号</p></div>\n'
            "</body>\n</html>\n"
        )

    # -- content ------------------------------------------------------------

    def plan(self) -> list[Detail]:
        cols = columns()
        per_col = [self.n_details // len(cols)] * len(cols)
        for i in range(self.n_details - sum(per_col)):
            per_col[i] += 1
        out: list[Detail] = []
        uid = 100000
        for (_, _, col, _), n in zip(cols, per_col, strict=True):
            for i in range(n):
                # newest first: index 0 is the latest record
                month = 11 - (i * 11) // max(n, 1)
                ym = f"2026{month:02d}"
                day = 28 - (i * 7) % 27
                uid += 1
                if col.startswith("xwzx"):
                    title = f"{self.rnd.choice(SUBJECTS)}{self.rnd.choice(NEWS_TAILS)}"
                else:
                    title = (
                        f"{OFFICE}{self.rnd.choice(ACTS)}澄江市{self.rnd.choice(SUBJECTS)}"
                        f"{self.rnd.choice(TAILS)}"
                    )
                d = Detail(col, i, ym, day, uid, title)
                d.url = f"/{col}/{ym}/t{ym}{day:02d}_{uid}.html"
                out.append(d)
        return out

    def decorate(self, details: list[Detail]) -> None:
        """Attachments, images and related links, with the broken ones planted."""
        by_col: dict[str, list[Detail]] = {}
        for d in details:
            by_col.setdefault(d.col, []).append(d)
        dead_articles = [
            f"/{d.col}/{d.ym}/t{d.ym}{d.day:02d}_{d.uid + 500000}.html"
            for d in self.rnd.sample(details, 80)
        ]
        for p in dead_articles:
            self.broken[p] = "deleted article (404)"
        for d in details:
            sibs = by_col[d.col]
            picks = self.rnd.sample(sibs, min(6, len(sibs)))
            d.related = [s.url for s in picks if s is not d][:5]
        # Each deleted article is still linked from two pages' related lists.
        for i, d in enumerate(self.rnd.sample(details, 2 * len(dead_articles))):
            d.related[-1] = dead_articles[i % len(dead_articles)]
        for d in details:
            if (d.col.startswith("zwgk") and self.rnd.random() < 0.6) or self.rnd.random() < 0.05:
                for k in range(self.rnd.choice((1, 1, 2))):
                    ext = self.rnd.choice((".pdf", ".doc", ".docx", ".xls"))
                    path = f"/{d.col}/{d.ym}/P0{d.ym}{d.uid}{k}{ext}"
                    name = f"附件{k + 1}：{d.title[:12]}{ext}"
                    d.attachments.append((path, name))
                    if self.rnd.random() < 0.1:
                        self.broken[path] = "missing attachment (404)"
                    else:
                        self.resource(path, 200 + self.rnd.randrange(800))
            if (d.col.startswith("xwzx") and self.rnd.random() < 0.5) or self.rnd.random() < 0.05:
                for k in range(self.rnd.choice((1, 1, 2))):
                    path = f"/{d.col}/{d.ym}/W0{d.ym}{d.uid}{k}.jpg"
                    d.images.append(path)
                    if self.rnd.random() < 0.1:
                        self.broken[path] = "missing image (404)"
                    else:
                        self.resource(path, 300 + self.rnd.randrange(900))

    def detail_page(self, d: Detail, prev: Detail | None, nxt: Detail | None) -> str:
        g, gn, col, cn = next(c for c in columns() if c[2] == d.col)
        siblings = "".join(
            f'<li><a href="/{c[2]}/">{c[3]}</a></li>' for c in columns() if c[0] == g
        )
        pub = self.rnd.choice(PUBLISHERS)
        date = f"{d.ym[:4]}-{d.ym[4:]}-{d.day:02d}"
        meta = ""
        if col.startswith("zwgk"):
            wenhao = f"澄政办发〔2026〕{d.uid % 97 + 1}号"
            meta = (
                '<table class="xxgk_table">\n'
                f"<tr><th>索 引 号：</th><td>11530000MB0{d.uid}/2026-{d.idx + 1:05d}</td>"
                f"<th>主题分类：</th><td>{self.rnd.choice(TOPICS)}</td></tr>\n"
                f"<tr><th>发布机构：</th><td>{pub}</td><th>成文日期：</th><td>{date}</td></tr>\n"
                f"<tr><th>文　　号：</th><td>{wenhao}</td><th>发布日期：</th><td>{date}</td></tr>\n"
                f'<tr><th>名　　称：</th><td colspan="3">{esc(d.title)}</td></tr>\n</table>\n'
            )
        images = "".join(
            f'<p style="text-align:center"><img src="{p}" alt=""></p>\n' for p in d.images
        )
        att = ""
        if d.attachments:
            att = (
                '<div class="fj"><p>附件：</p>'
                + "".join(f'<p><a href="{p}">{esc(n)}</a></p>' for p, n in d.attachments)
                + "</div>\n"
            )
        related = "".join(
            f'<li><a href="{u}">相关文章{i + 1}</a></li>' for i, u in enumerate(d.related)
        )
        pn = ""
        if prev:
            pn += f'<p>上一篇：<a href="{prev.url}">{esc(prev.title)}</a></p>'
        if nxt:
            pn += f'<p>下一篇：<a href="{nxt.url}">{esc(nxt.title)}</a></p>'
        extra = (
            f'<meta name="ArticleTitle" content="{esc(d.title)}">\n'
            f'<meta name="PubDate" content="{date} 09:30">\n'
            f'<meta name="ColumnName" content="{cn}">\n'
            f'<meta name="ContentSource" content="{pub}">\n'
        )
        return (
            self.head(d.title, extra)
            + self.header()
            + f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/{g}/">{gn}</a>'
            + f' &gt; <a href="/{col}/">{cn}</a></div>\n'
            + f'<div class="side"><ul>{siblings}</ul></div>\n<div class="detail">\n'
            + meta
            + f"<h1>{esc(d.title)}</h1>\n"
            + f'<div class="info">发布时间：{date} 09:30　来源：{pub}　'
            + '<a href="javascript:window.print()">打印</a></div>\n'
            + '<div class="TRS_Editor" id="zoom">\n'
            + self.para(self.rnd.randrange(4, 10))
            + images
            + att
            + "</div>\n"
            + pn
            + f'<div class="related"><h3>相关文章</h3><ul>{related}</ul></div>\n</div>\n'
            + self.footer()
        )

    def list_pages(self, g: str, gn: str, col: str, cn: str, items: list[Detail]) -> None:
        per = 20
        pages = max(1, (len(items) + per - 1) // per)

        def page_url(k: int) -> str:
            return f"/{col}/" if k == 0 else f"/{col}/index_{k}.html"

        for k in range(pages):
            rows = "".join(
                f"<li><span>{d.ym[:4]}-{d.ym[4:]}-{d.day:02d}</span>"
                f'<a href="./{d.ym}/t{d.ym}{d.day:02d}_{d.uid}.html" target="_blank"'
                f' title="{esc(d.title)}">{esc(d.title)}</a></li>\n'
                for d in items[k * per : (k + 1) * per]
            )
            # Links are relative to the page; index_k.html sits in the column folder.
            nav = [f'<a href="{page_url(0)}">首页</a>']
            if k > 0:
                nav.append(f'<a href="{page_url(k - 1)}">上一页</a>')
            for j in range(max(0, k - 4), min(pages, k + 5)):
                nav.append(
                    f"<span>{j + 1}</span>" if j == k else f'<a href="{page_url(j)}">{j + 1}</a>'
                )
            if k < pages - 1:
                nav.append(f'<a href="{page_url(k + 1)}">下一页</a>')
            nav.append(f'<a href="{page_url(pages - 1)}">尾页</a>')
            siblings = "".join(
                f'<li><a href="/{c[2]}/">{c[3]}</a></li>' for c in columns() if c[0] == g
            )
            html = (
                self.head(cn)
                + self.header()
                + '<div class="position">当前位置：<a href="/">首页</a> &gt; '
                + f'<a href="/{g}/">{gn}</a> &gt; <a href="/{col}/">{cn}</a></div>\n'
                + f'<div class="side"><ul>{siblings}</ul></div>\n'
                + f'<div class="list"><h2>{cn}</h2><ul>\n{rows}</ul>\n'
                + f'<div class="page">{" ".join(nav)}　共{pages}页</div></div>\n'
                + self.footer()
            )
            self.write(page_url(k), html)

    def build(self) -> dict[str, object]:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)
        (self.root / "robots.txt").write_text("User-agent: *\nDisallow: /search/\n")
        self.resource("/css/style.css", 2048)
        self.resource("/js/common.js", 1024)
        for name in ("logo.png", "ga.png", "banner1.jpg", "banner2.jpg", "banner3.jpg"):
            self.resource(f"/images/{name}", 1500)
        # The 党政机关 badge image was dropped in a redesign: broken on every page.
        self.broken["/images/jgbs.png"] = "missing image on every page (404)"

        details = self.plan()
        self.decorate(details)
        by_col: dict[str, list[Detail]] = {}
        for d in details:
            by_col.setdefault(d.col, []).append(d)
        for items in by_col.values():
            for i, d in enumerate(items):
                prev = items[i - 1] if i > 0 else None
                nxt = items[i + 1] if i + 1 < len(items) else None
                self.write(d.url, self.detail_page(d, prev, nxt))
        for g, gn, col, cn in columns():
            self.list_pages(g, gn, col, cn, by_col[col])
        for g, gn, cols in GROUPS:
            blocks = "".join(
                f'<div class="block"><h3><a href="/{g}/{c}/">{cn}</a></h3><ul>'
                + "".join(
                    f'<li><a href="{d.url}">{esc(d.title)}</a></li>' for d in by_col[f"{g}/{c}"][:8]
                )
                + f'</ul><a href="/{g}/{c}/">更多</a></div>\n'
                for c, cn in cols
            )
            self.write(f"/{g}/", self.head(gn) + self.header() + blocks + self.footer())
        home_blocks = "".join(
            f'<div class="block"><h3><a href="/{col}/">{cn}</a></h3><ul>'
            + "".join(f'<li><a href="{d.url}">{esc(d.title)}</a></li>' for d in by_col[col][:6])
            + "</ul></div>\n"
            for _, _, col, cn in columns()
        )
        banners = "".join(f'<img src="/images/banner{i}.jpg" alt="">' for i in (1, 2, 3))
        self.write(
            "/",
            self.head("首页")
            + self.header()
            + f'<div class="banner">{banners}</div>\n'
            + home_blocks
            + self.footer(),
        )
        sitemap = "".join(
            f'<li><a href="/{col}/">{gn} - {cn}</a></li>' for _, gn, col, cn in columns()
        )
        for key, name in ABOUT:
            body = f"<ul>{sitemap}</ul>" if key == "wzdt" else self.para(3)
            self.write(
                f"/about/{key}.html",
                self.head(name) + self.header() + f"<h1>{name}</h1>\n{body}\n" + self.footer(),
            )
        # Two broken links from the sitemap page to a column that was removed.
        self.broken["/zwgk/zfxxgkml/"] = "removed column (404)"
        p = self.root / "about/wzdt.html"
        p.write_text(
            p.read_text(encoding="utf-8").replace(
                "</ul>", '<li><a href="/zwgk/zfxxgkml/">政府信息公开目录</a></li></ul>', 1
            ),
            encoding="utf-8",
        )
        kinds: dict[str, int] = {}
        for k in self.broken.values():
            kinds[k] = kinds.get(k, 0) + 1
        return {
            "html_pages": len(self.html_pages),
            "resources": len(self.resources),
            "broken_targets": len(self.broken),
            "broken_html_targets": sum(1 for p in self.broken if p.endswith((".html", "/"))),
            "broken_by_kind": kinds,
            "link_attributes": self.links_total,
            "links_per_page": round(self.links_total / len(self.html_pages), 1),
            "bytes": sum(f.stat().st_size for f in self.root.rglob("*") if f.is_file()),
            "broken": sorted(self.broken),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--details", type=int, default=5000)
    args = ap.parse_args()
    # At least 160: 80 deleted articles, each linked from two other pages'
    # related lists. At most 500,000: a deleted article's number (uid +
    # 500,000) must not be a live article's.
    if not MIN_DETAILS <= args.details <= MAX_DETAILS:
        ap.error(f"--details must be between {MIN_DETAILS} and {MAX_DETAILS:,}")
    truth = Builder(args.out / "www", args.seed, args.details).build()
    truth["seed"] = args.seed
    truth["details"] = args.details
    (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in truth.items() if k != "broken"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
