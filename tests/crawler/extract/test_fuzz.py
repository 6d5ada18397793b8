"""Property-based fuzzing of the pure parsers: hostile input never raises.

Every parser here reads what a government server (or anything claiming to
be one) sends, so a parse must degrade, never raise. The documents are
built from the markup the crawler is written for (TRS createPageHTML,
Hanweb XML islands, avalon ``ms-*`` attributes, metadata tables, dates split
over spans) mixed with tag soup, NUL bytes, lone surrogates, huge numbers
and attribute values, deep nesting and odd base URLs.

Budget: the ``FUZZ`` settings below, applied per test (no global profile,
so other tests keep hypothesis' defaults). ``ZWGK_FUZZ_EXAMPLES=2000`` runs
a longer hunt locally; the suite's default keeps the file well under a
minute on a slow machine. ``derandomize`` and ``database=None`` make a CI
run reproducible.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from urllib.parse import urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zwgk.crawler.extract import (
    decode_html,
    is_binary_url,
    normalise_date,
    parse_date,
    parse_hanweb_xml,
    parse_html,
    records_list,
    url_date,
)
from zwgk.crawler.linkcheck import classify_html_200, looks_like_challenge, parse_retry_after
from zwgk.vocab import DOC_NUMBER_RE, LinkOutcome, defragment

_EXAMPLES = int(os.environ.get("ZWGK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Whole-page parses are the slow ones: a third of the budget.
FUZZ_PAGES = settings(FUZZ, max_examples=max(10, _EXAMPLES // 3))

AS_OF = dt.date(2024, 3, 15)
_ISO = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")

# -- strategies ------------------------------------------------------------------------

_HUGE = "9" * 4400  # past CPython's int() digit limit (4300)
numbers = st.one_of(
    st.integers(0, 5000).map(str),
    st.sampled_from(["", "-1", "0x10", "1e9", "١٢", "２０", "²", "99999999999999999999", _HUGE]),
)
junk = st.text(max_size=40)
cjk = st.sampled_from(
    [
        "通知",
        "关于印发",
        "的通知",
        "政府信息公开",
        "置顶",
        "相关解读",
        "暂无数据",
        "来源：市政府",
        "发布时间：",
        "市人民政府办公室",
        "…",
        "\u3000",
        "\xa0",
    ]
)
words = st.one_of(junk, cjk, st.sampled_from(["\x00", "\ud800", "\udfff", "&#0;", "&#xD800;"]))


@st.composite
def cn_dates(draw: st.DrawFn) -> tuple[dt.date, str, str]:
    """A valid date, a printed form of it, and the form's kind."""
    d = draw(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
    kind = draw(st.sampled_from(["cn", "slash", "dash", "dot", "cn-pad", "spaced", "month"]))
    y, m, dd = d.year, d.month, d.day
    form = {
        "cn": f"{y}年{m}月{dd}日",
        "cn-pad": f"{y}年{m:02d}月{dd:02d}日",
        "spaced": f"{y} 年 {m} 月 {dd} 日",
        "slash": f"{y}/{m}/{dd}",
        "dash": f"{y}-{m:02d}-{dd:02d}",
        "dot": f"{y}.{m:02d}.{dd:02d}",
        "month": f"{y}年{m:02d}月",
    }[kind]
    if draw(st.booleans()):
        form = form.translate(_FULLWIDTH)
    return d, form, kind


_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def date_text() -> st.SearchStrategy[str]:
    return st.one_of(
        cn_dates().map(lambda t: t[1]),
        st.builds(lambda m, d: f"[{m:02d}-{d:02d}]", st.integers(0, 13), st.integers(0, 32)),
        st.builds(lambda m, d: f"{m}/{d}", st.integers(1, 12), st.integers(1, 31)),
        st.sampled_from(["02-29", "2021-02-29", "2021-06.25", "20210625123", "2021-06-25 10:30"]),
        junk,
    )


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


hrefs = st.one_of(
    st.sampled_from(
        [
            "javascript:void(0)",
            "JavaScript:;",
            "data:text/html,<b>x</b>",
            "//",
            "///x",
            "//cdn.x/a.js",
            "#",
            "#top",
            "mailto:a@b",
            "tel:110",
            "about:blank",
            "blob:x",
            "http://[::1]:8080/a",
            "http://[",
            "http://]",
            "https://例子.中国/路径",
            "http://xn--fsq.com/",
            "http://a:99999/",
            "http://a:port/",
            "/a/b.html",
            "../../c.htm",
            "./t20210625_1.html",
            "/art/2021/6/25/x.html",
            "/202106/t20210625_123.html",
            " \t/x\n.html ",
            "\\\\host\\share",
            "http:/x",
            "ftp://x/",
            "file.pdf?filename=a.doc",
            "?page=2",
            "",
            " ",
        ]
    ),
    junk,
)
bases = st.one_of(
    st.sampled_from(
        [
            "http://www.demo.gov.test/zwgk/index.html",
            "https://[2001:db8::1]:8443/a/",
            "http://[::1]/",
            "http://localhost]",
            "http://[localhost",
            "http://例子.中国/",
            "http://xn--fsq.com:80/x",
            "http://a:99999/",
            "http://a:port/",
            "https://user:pw@h.gov.cn/",
            "http://h/t20220105_1.html",
            "",
            "about:blank",
            "file:///etc/",
            "data:,x",
            "//noscheme/",
            "http://",
            "http:///x",
        ]
    ),
    st.builds(lambda h, p: f"http://{h}{p}", junk, st.sampled_from(["", "/", "/a/b.html"])),
)


def attr_value() -> st.SearchStrategy[str]:
    return st.one_of(junk, hrefs, st.just("x" * 20_000), st.just("\x00" * 10))


@st.composite
def fragment(draw: st.DrawFn, depth: int = 0) -> str:
    """One piece of tag soup, nesting bounded by ``depth``."""
    choices = [
        "text",
        "date",
        "split_date",
        "a",
        "a_date",
        "meta",
        "meta_table",
        "th_td",
        "trs",
        "hanweb",
        "avalon",
        "img",
        "script",
        "base",
        "broken",
        "comment",
        "entity",
        "list",
        "nest",
        "cdata",
        "doc_number",
    ]
    kind = draw(st.sampled_from(choices if depth < 4 else choices[:-3]))
    w = draw(words)
    if kind == "text":
        return _esc(w)
    if kind == "date":
        return f"<span>{_esc(draw(date_text()))}</span>"
    if kind == "split_date":
        s = draw(date_text())
        cut = draw(st.integers(0, len(s)))
        return f"<span>{_esc(s[:cut])}</span><span>{_esc(s[cut:])}</span>"
    if kind in ("a", "a_date"):
        tail = f" <span>{_esc(draw(date_text()))}</span>" if kind == "a_date" else ""
        title = f' title="{_esc(draw(words))}"' if draw(st.booleans()) else ""
        return f'<li><a href="{_esc(draw(hrefs))}"{title}>{_esc(w)}</a>{tail}</li>'
    if kind == "meta":
        name = draw(
            st.sampled_from(
                [
                    "ArticleTitle",
                    "PubDate",
                    "ColumnName",
                    "ContentSource",
                    "SiteName",
                    "SiteIDCode",
                    "articletitle",
                ]
            )
        )
        return f'<meta name="{name}" content="{_esc(draw(st.one_of(words, date_text())))}">'
    if kind == "meta_table":
        label = draw(
            st.sampled_from(
                [
                    "索引号",
                    "索 引 号",
                    "发布机构",
                    "成文日期",
                    "发布日期",
                    "文号",
                    "文　　号",
                    "主题分类",
                    "发文字号",
                ]
            )
        )
        sep = draw(st.sampled_from(["：", ":", "", " ："]))
        value = draw(st.one_of(date_text(), words, st.just("榕政综〔2021〕12号"), st.just("无")))
        return f"<tr><td>{label}{sep}</td><td>{_esc(value)}</td></tr>"
    if kind == "th_td":
        label = draw(st.sampled_from(["文号", "成文日期", "发布机构", "索引号"]))
        return f"<table><tr><th>{label}</th><td>{_esc(draw(date_text()))}</td></tr></table>"
    if kind == "trs":
        total, cur = draw(numbers), draw(numbers)
        var = draw(st.booleans())
        head = f"var countPage = {total};" if var else ""
        first = "countPage" if var else total
        name = draw(st.sampled_from(["index", "", "a'b", "../x", "http://[", "//e/x"]))
        ident = "'page_div'," if draw(st.booleans()) else ""
        comment = draw(st.sampled_from(["", "// ", "/* ", '"']))
        return (
            f"<script>{head}{comment}createPageHTML({ident}{first}, {cur}, "
            f'"{name}", "{draw(st.sampled_from(["html", "shtml", ""]))}");'
            f"var recordCount = {draw(numbers)};</script>"
        )
    if kind == "hanweb":
        records = draw(
            st.lists(
                st.one_of(
                    st.builds(
                        lambda h, t, d: (
                            f'<li><a href="{_esc(h)}">{_esc(t)}</a><span>{_esc(d)}</span></li>'
                        ),
                        hrefs,
                        words,
                        date_text(),
                    ),
                    junk,
                ),
                max_size=4,
            )
        )
        body = "".join(f"<record><![CDATA[{r}]]></record>" for r in records)
        nxt = f'<nextgroup><![CDATA[<a href="{_esc(draw(hrefs))}&amp;page=2"></a>]]></nextgroup>'
        return (
            f'<script type="text/xml"><datastore>{nxt if draw(st.booleans()) else ""}'
            f"<recordset>{body}</recordset><totalrecord>{draw(numbers)}</totalrecord>"
            f"</datastore></script><script>jpage({{totalRecord:{draw(numbers)}, "
            f"perPage:{draw(numbers)}, dataStore: x}});</script>"
        )
    if kind == "avalon":
        attr = draw(st.sampled_from(["ms-repeat", "ms-for", "v-for", "ms-each"]))
        href = draw(st.sampled_from(["ms-attr-href", "ms-href", ":href", "ng-href"]))
        label = draw(st.sampled_from(["相关解读", "政策文件", "原文", "列表"]))
        return (
            f'<div><h3>{label}</h3><ul><li {attr}="el in list"><a {href}="{{{{el.url}}}}">'
            f"{{{{el.title}}}}</a></li></ul></div>"
        )
    if kind == "img":
        return f'<img src="{_esc(draw(attr_value()))}" alt="{_esc(w)}">'
    if kind == "script":
        return f'<script src="{_esc(draw(hrefs))}"></script><script>document.write("{_esc(w)}")'
    if kind == "base":
        return f'<base href="{_esc(draw(hrefs))}">'
    if kind == "broken":
        return draw(
            st.sampled_from(
                [
                    "<div",
                    "<a href=",
                    "</td></tr>",
                    "<table><tr><td>",
                    "<!--",
                    "<![CDATA[",
                    "]]>",
                    "<?xml version='1.0'?>",
                    "</html>",
                    "<",
                    "<p <p>",
                    '<a href="x>',
                    "<script>",
                    "</script>",
                ]
            )
        )
    if kind == "comment":
        return f"<!-- {w} -->"
    if kind == "entity":
        return draw(st.sampled_from(["&#0;", "&#xD800;", "&#1114112;", "&nbsp;", "&amp", "&#x;"]))
    if kind == "doc_number":
        return f"<p>{_esc(draw(st.sampled_from(['闽政办[2020]5号', '国发（2019）第3号', w])))}</p>"
    if kind == "cdata":
        return f"<![CDATA[{w}]]>"
    inner = "".join(draw(st.lists(fragment(depth + 1), max_size=4)))
    if kind == "list":
        cls = draw(st.sampled_from(["list", "news_list", "nav", "footer", "top", "TRS_Editor", ""]))
        return f'<ul class="{cls}">{inner}</ul>'
    tag = draw(st.sampled_from(["div", "td", "p", "section", "span", "font", "table", "tr"]))
    return f'<{tag} id="{_esc(w)}" class="{_esc(draw(junk))}">{inner}</{tag}>'


@st.composite
def documents(draw: st.DrawFn) -> str:
    head = "".join(draw(st.lists(fragment(), max_size=3)))
    body = "".join(draw(st.lists(fragment(), max_size=8)))
    deep = draw(st.integers(0, 300))
    nest = "<div>" * deep + "x" + "</div>" * draw(st.integers(0, deep))
    pre = draw(st.sampled_from(["", "<?xml version='1.0' encoding='utf-8'?>", "\ufeff", "\x00"]))
    return f"{pre}<html><head><title>{_esc(draw(words))}</title>{head}</head><body>{body}{nest}"


# -- invariants ------------------------------------------------------------------------


def _check_page(html: str, url: str, as_of: dt.date | None) -> None:
    page = parse_html(html, url, as_of=as_of)
    assert isinstance(page.text, str)
    assert page.title is None or isinstance(page.title, str)
    for link in page.links:
        if link.kind == "http":
            assert link.url is not None
            parts = urlsplit(link.url)
            assert parts.scheme in ("http", "https"), link
            assert parts.hostname, link
        else:
            assert link.url is None, link
    for url_ in page.pagination:
        assert isinstance(url_, str)
    lp = page.list_page
    if lp is None:
        return
    for item in lp.items:
        assert urlsplit(item.url).scheme in ("http", "https")
        if item.date is None:
            assert item.date_precision is None
            continue
        assert _ISO.fullmatch(item.date), item
        if item.date_precision == "day":
            day = dt.date.fromisoformat(item.date)
        else:
            assert item.date_precision == "month", item
            day = dt.date.fromisoformat(item.date + "-01")
        # The year of a year-less date is never put after as_of.
        if as_of is not None and item.year_from == "context":
            assert day <= as_of, item


CONTENT_TYPES = [
    "text/html; charset=gbk",
    "text/html; charset=utf-8",
    "text/html;charset=",
    "charset=\x00",
    "text/html; charset=utf-7",
    "text/html; charset=x-user-defined",
    "text/html; charset=" + "a" * 500,
    'text/html; charset="gb2312',
    "text/html; charset=unicode-1-1-utf-7",
    "; charset=big5;;",
]


@FUZZ
@given(
    st.binary(max_size=2000),
    st.one_of(st.none(), st.text(max_size=80), st.sampled_from(CONTENT_TYPES)),
)
@example(b"\xff\xfe\x00\xd8", "text/html; charset=utf-16")
@example(b'<meta charset="\x00">\xb0\xa1', None)
def test_decode_html_total(body: bytes, content_type: str | None) -> None:
    text, encoding = decode_html(body, content_type)
    assert isinstance(text, str)
    assert isinstance(encoding, str) and encoding
    if not body:
        assert text == ""


@FUZZ_PAGES
@given(st.text(max_size=3000), bases, st.one_of(st.none(), st.just(AS_OF)))
def test_parse_html_arbitrary_text(html: str, url: str, as_of: dt.date | None) -> None:
    _check_page(html, url, as_of)


@FUZZ_PAGES
@given(documents(), bases, st.one_of(st.none(), st.just(AS_OF)))
def test_parse_html_tag_soup(html: str, url: str, as_of: dt.date | None) -> None:
    _check_page(html, url, as_of)


@FUZZ
@given(st.lists(st.text(max_size=200), max_size=4), bases)
def test_records_list_total(records: list[str], base: str) -> None:
    for item in records_list(records, base, AS_OF):
        assert item.date is None or _ISO.fullmatch(item.date)


@FUZZ
@given(
    st.one_of(st.text(max_size=80), date_text()),
    st.one_of(st.none(), hrefs, bases),
    st.one_of(st.none(), st.integers(1, 9999)),
    st.one_of(st.none(), st.dates()),
    st.booleans(),
    st.booleans(),
)
def test_parse_date_total(
    text: str, url: str | None, year: int | None, as_of: dt.date | None, whole: bool, short: bool
) -> None:
    found = parse_date(text, url=url, year=year, as_of=as_of, whole=whole, short=short)
    if found is None:
        return
    assert found.precision in ("day", "month")
    assert found.year_from in ("text", "url", "context", None)
    if found.iso is None:
        assert found.year_from is None
        return
    assert _ISO.fullmatch(found.iso)
    day = found.date
    assert day is not None
    if as_of is not None and found.year_from in ("url", "context"):
        assert day <= as_of, found
    url_date(url)


@FUZZ
@given(cn_dates(), st.sampled_from(["", "[", "（", " "]), st.booleans())
def test_cn_dates_round_trip(case: tuple[dt.date, str, str], wrap: str, whole: bool) -> None:
    d, form, kind = case
    close = {"[": "]", "（": "）"}.get(wrap, wrap)
    found = parse_date(f"{wrap}{form}{close}", whole=whole)
    assert found is not None, form
    expected = f"{d.year:04d}-{d.month:02d}" if kind == "month" else d.isoformat()
    assert (found.iso, found.year_from) == (expected, "text")
    if kind != "month":
        assert normalise_date(form) == d.isoformat()


@FUZZ
@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), st.integers(1900, 2099), st.dates())
def test_short_dates_take_a_year_not_after_as_of(d: dt.date, year: int, as_of: dt.date) -> None:
    for form in (f"{d.month:02d}-{d.day:02d}", f"[{d.month:02d}-{d.day:02d}]"):
        found = parse_date(form, year=year, as_of=as_of, whole=True)
        assert found is not None
        if found.iso is None:  # 02-29 in no leap year, or before year 1
            assert (d.month, d.day) == (2, 29) or as_of.year == 1
            continue
        assert found.iso[5:] == f"{d.month:02d}-{d.day:02d}"
        assert found.year_from == "context"
        assert found.date is not None and found.date <= as_of


@FUZZ
@given(
    st.one_of(
        st.text(max_size=300),
        st.builds(
            lambda n, r: (
                f"<recordset><record><![CDATA[{r}]]></record></recordset>"
                f"<totalrecord>{n}</totalrecord>"
            ),
            numbers,
            junk,
        ),
    )
)
@example(f"<totalrecord>{_HUGE}</totalrecord>")
@example(f"totalRecord:{_HUGE}")
def test_parse_hanweb_xml_total(xml: str) -> None:
    records, total = parse_hanweb_xml(xml)
    assert all(isinstance(r, str) for r in records)
    assert total is None or (isinstance(total, int) and total >= 0)


@FUZZ
@given(st.one_of(st.none(), st.text(max_size=30), st.binary(max_size=30), numbers))
@example(_HUGE)
@example("²")
def test_parse_retry_after_bounded(value: str | bytes | None) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or (0 <= seconds <= 30.0 and not math.isnan(seconds))


@FUZZ
@given(st.one_of(st.text(max_size=200), hrefs, bases), st.sampled_from(["", "#", "#frag", "#a#b"]))
@example("http://[a", "#b")
def test_defragment_total(url: str, frag: str) -> None:
    out = defragment(url + frag)
    assert isinstance(out, str)
    assert "#" not in out
    assert defragment(out) == out
    is_binary_url(url + frag)


@FUZZ
@given(st.text(max_size=300))
def test_doc_number_re_and_link_rules_total(s: str) -> None:
    DOC_NUMBER_RE.search(s)
    assert isinstance(looks_like_challenge(200, s, s), bool)
    assert classify_html_200(s or None, s, None, False, None) in LinkOutcome


# -- regressions: what the fuzzing found ------------------------------------------------


def test_unparsable_urls_degrade() -> None:
    # urljoin/urlsplit raise ValueError("Invalid IPv6 URL") on an unbalanced bracket.
    page = parse_html("<html><body>x</body></html>", "http://localhost]")
    assert page.text == "x"
    page = parse_html(
        '<html><head><base href="http://[x"></head><body>a</body></html>', "http://a/"
    )
    assert page.links == []
    page = parse_html('<script src="http://[x"></script><p>x</p>', "http://a/")
    # Not silently dropped: a link no browser can open is a broken link.
    assert [(lk.kind, lk.url) for lk in page.links] == [("malformed", None)]
    trs = "<script>createPageHTML(2, 0, 'index', 'html');</script>"
    assert parse_html(trs, "http://[::1/").pagination == []
    island = (
        '<script type="text/xml"><nextgroup><![CDATA[<a href="http://[x"></a>]]></nextgroup>'
        "<recordset><record><![CDATA[<li>x</li>]]></record></recordset></script>"
    )
    assert parse_html(island, "http://a/").hanweb[0].proxy_url is None
    assert defragment("http://[a#b") == "http://[a"
    assert is_binary_url("http://[a.pdf") is False


def test_huge_counts_are_ignored() -> None:
    # int() refuses more than 4300 digits.
    assert parse_hanweb_xml(f"<totalrecord>{_HUGE}</totalrecord>") == ([], None)
    assert parse_hanweb_xml(f"totalRecord:{_HUGE}") == ([], None)
    for script in (
        f'var n = {_HUGE}; createPageHTML(n, 0, "index", "html");',
        f'createPageHTML({_HUGE}, 0, "index", "html"); var recordCount = {_HUGE};',
    ):
        assert parse_html(f"<script>{script}</script>", "http://a/").pagination == []


def test_lone_surrogates_are_replaced() -> None:
    # lxml must encode the text; a lone surrogate cannot be.
    html = (
        "<html><head><title>\ud800</title></head><body>"
        '<script type="text/xml"><recordset><record><![CDATA[<li>x</li>]]></record>'
        "</recordset></script>x"
    )
    assert parse_html(html, "http://a/").title == "\ufffd"
    assert records_list(
        ['<li><a href="/a">\udfff标题</a><span>2021-06-25</span></li>'], "http://a/"
    )


def test_full_width_dates() -> None:
    found = parse_date("２０２１年６月２５日", whole=True)
    assert found is not None
    assert (found.iso, found.text) == ("2021-06-25", "２０２１年６月２５日")
    assert normalise_date("成文日期：２０２１年０６月２５日") == "2021-06-25"


def test_pagination_only_of_http_urls() -> None:
    # A javascript: base made createPageHTML pages the relative "index.html".
    trs = '<script>createPageHTML(2, 0, "index", "html");</script>'
    page = parse_html(f'<base href="javascript:void(0)">{trs}', "http://a/zwgk/")
    assert page.pagination == ["http://a/zwgk/index.html", "http://a/zwgk/index_1.html"]
    assert parse_html(trs, "about:blank").pagination == []
