"""Spreadsheet exports of a run: ``findings.xlsx`` and ``findings.csv``.

Both are made from the view :func:`zwgk.reports.render.build_view` returns, for
the people who work through the 整改清单 in Excel or WPS: Chinese headers, no
program words, evidence as readable lines.

*Failing* findings are those of severity ``fail`` (不合格) or ``warn`` (需关注),
the rows of the scorecard's 整改清单; ``info`` findings (提示) are counted in
the 汇总 sheet but listed only in the HTML scorecard and ``findings.json``.

Formula rule: page titles, URLs, anchor texts, messages and evidence come from
crawled pages and must never become formulas. In the workbook every text is a
string cell (never a formula or error cell, whatever it starts with), and a
text starting with ``= + - @``, tab or CR also gets Excel's quote-prefix style
so that editing it keeps it text. In the CSV such a text is prefixed with a
single quote (``'``), since a spreadsheet opening a CSV parses every field.
Hyperlinks are set for http(s) URLs only.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from zwgk.checks import COMMON_EVIDENCE_LABELS, COMMON_VALUE_LABELS

FAILING = ("fail", "warn")
SEVERITY_LABEL = {"fail": "不合格", "warn": "需关注", "info": "提示"}
# A coded value (``no_limit``, ``soft_404``) that a check's value_labels name.
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# What a spreadsheet takes for the start of a formula (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters an xlsx cannot hold (openpyxl refuses them); dropped in both files.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CELL_MAX = 32767  # Excel's limit of characters in a cell
HYPERLINK_MAX = 2079  # Excel's limit of a hyperlink address
HYPERLINKS_PER_SHEET = 65530  # Excel's limit of hyperlinks in a worksheet
LIST_ITEMS_SHOWN = 20  # items of an evidence list written out; the rest are counted
WIDTH_MIN, WIDTH_MAX = 8, 80
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SUMMARY_SHEET = "汇总"

SUMMARY_HEADERS = (
    "排名",
    "网站名称",
    "网站编号",
    "所属地区",
    "网站类型",
    "得分",
    "满分",
    "结论",
    "单项否决",
    "较上月",
    "不合格问题数",
    "需关注问题数",
    "提示数",
    "首页网址",
)
FINDING_HEADERS = (
    "序号",
    "级别",
    "检查项",
    "问题类型",
    "问题描述",
    "问题网址",
    "所在页面",
    "证据",
    "整改建议",
)
CSV_HEADERS = ("网站名称", "网站编号", *FINDING_HEADERS)
# Columns of FINDING_HEADERS whose values are linked when they are http(s) URLs.
LINK_COLUMNS = frozenset({"问题网址", "所在页面"})
SUMMARY_LINK_COLUMNS = frozenset({"首页网址"})

HEADER_FONT = Font(bold=True)
LINK_FONT = Font(color="0563C1", underline="single")
TOP = Alignment(vertical="top")
WRAP = Alignment(vertical="top", wrap_text=True)


# -- text ---------------------------------------------------------------------


def clean(text: str) -> str:
    """``text`` without the control characters a worksheet cannot hold."""
    return ILLEGAL.sub("", text)


def csv_safe(value: Any) -> Any:
    """A CSV field: a text a spreadsheet would take for a formula gets a ``'`` before it."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str) or not value or len(value) > HYPERLINK_MAX:
        return False
    if any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def display_width(text: str) -> int:
    """Width of the widest line of ``text`` in Excel column units; CJK counts 2."""
    return max(
        (
            sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)
            for line in text.split("\n")
        ),
        default=0,
    )


# -- evidence -----------------------------------------------------------------


def _scalar(v: Any, vlabels: Mapping[str, str]) -> str:
    if v is True:
        return "是"
    if v is False:
        return "否"
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str):
        return vlabels.get(v, v) if CODE.match(v) else v
    return str(v)


def _is_scalar(v: Any) -> bool:
    return not isinstance(v, Mapping | list | tuple)


def _flat(v: Any) -> bool:
    """A scalar or a list of scalars: written on one line."""
    return _is_scalar(v) or (isinstance(v, list | tuple) and all(_is_scalar(x) for x in v))


class EvidenceText:
    """Evidence (nested dicts and lists) as indented Chinese lines, keys and coded
    values named by the check's ``evidence_labels`` / ``value_labels``."""

    INDENT = "　"  # an ideographic space: a CJK text's indentation

    def __init__(
        self,
        labels: Mapping[str, str],
        vlabels: Mapping[str, str],
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        self.labels = labels
        self.vlabels = vlabels
        # The check's technical evidence (HTTP method, timestamps): not for people.
        self.hidden = hidden

    def label(self, key: str) -> str:
        return self.labels.get(key, COMMON_EVIDENCE_LABELS.get(key, self.vlabels.get(key, key)))

    def inline(self, v: Any) -> str:
        if _is_scalar(v):
            return _scalar(v, self.vlabels)
        if not v:
            return "无"
        shown = [_scalar(x, self.vlabels) for x in list(v)[:LIST_ITEMS_SHOWN]]
        rest = len(v) - len(shown)
        return "、".join(shown) + (f"……（另有 {rest} 项未列出）" if rest > 0 else "")

    def lines(self, v: Any, depth: int = 0) -> list[str]:
        pad = self.INDENT * depth
        if isinstance(v, Mapping):
            out: list[str] = []
            for k, x in v.items():
                if k in self.hidden:
                    continue
                name = self.label(str(k))
                if _flat(x) or not x:
                    out.append(f"{pad}{name}：{self.inline(x)}")
                else:
                    out.append(f"{pad}{name}：")
                    out.extend(self.lines(x, depth + 1))
            return out
        if isinstance(v, list | tuple):
            if _flat(v):
                return [pad + self.inline(v)]
            out = []
            items = list(v)
            for i, x in enumerate(items[:LIST_ITEMS_SHOWN], 1):
                if isinstance(x, Mapping) and all(_flat(y) for y in x.values()):
                    fields = "；".join(
                        f"{self.label(str(k))}：{self.inline(y)}"
                        for k, y in x.items()
                        if k not in self.hidden
                    )
                    out.append(f"{pad}{i}. {fields}")
                elif _flat(x):
                    out.append(f"{pad}{i}. {self.inline(x)}")
                else:
                    out.append(f"{pad}{i}.")
                    out.extend(self.lines(x, depth + 1))
            if len(items) > LIST_ITEMS_SHOWN:
                out.append(f"{pad}……另有 {len(items) - LIST_ITEMS_SHOWN} 项未列出")
            return out
        return [pad + _scalar(v, self.vlabels)]


def evidence_text(evidence: Any, check: str, catalogue: Mapping[str, Any]) -> str:
    """A finding's evidence as readable lines (empty when it has none)."""
    entry = catalogue.get(check, {})
    text = EvidenceText(
        entry.get("evidence_labels", COMMON_EVIDENCE_LABELS),
        entry.get("value_labels", COMMON_VALUE_LABELS),
        frozenset(entry.get("hidden", ())),
    )
    if evidence in (None, {}, []):
        return ""
    return "\n".join(text.lines(evidence))


# -- rows ---------------------------------------------------------------------


def failing(site: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The site's 整改清单: its fail and warn findings, in the scorecard's order."""
    return [f for f in site.get("findings", []) if f.get("severity") in FAILING]


def finding_rows(site: Mapping[str, Any], catalogue: Mapping[str, Any]) -> list[list[Any]]:
    """One row of FINDING_HEADERS per failing finding of ``site``."""
    rows = []
    for i, f in enumerate(failing(site), 1):
        rows.append(
            [
                i,
                SEVERITY_LABEL.get(f["severity"], f["severity"]),
                f.get("check_label") or f.get("check"),
                f.get("rule_label") or f.get("rule"),
                f.get("message"),
                f.get("url"),
                f.get("source_url"),
                evidence_text(f.get("evidence"), f.get("check", ""), catalogue),
                f.get("remedy"),
            ]
        )
    return rows


def _vetoed_text(vetoed: Iterable[str], catalogue: Mapping[str, Any]) -> str:
    """``check.rule`` ids of the veto list as 检查项：规则 names."""
    names = []
    for item in vetoed:
        check, _, rule = item.partition(".")
        entry = catalogue.get(check, {})
        names.append(f"{entry.get('label', check)}：{entry.get('rules', {}).get(rule, rule)}")
    return "、".join(names)


def summary_row(site: Mapping[str, Any], catalogue: Mapping[str, Any]) -> list[Any]:
    counts = {sev: 0 for sev in SEVERITY_LABEL}
    for f in site.get("findings", []):
        if f.get("severity") in counts:
            counts[f["severity"]] += 1
    return [
        site.get("rank"),
        site.get("name"),
        site.get("site"),
        site.get("region"),
        site.get("kind_label"),
        site.get("score"),
        site.get("max_score"),
        site.get("verdict"),
        _vetoed_text(site.get("vetoed") or [], catalogue),
        site.get("delta"),
        counts["fail"],
        counts["warn"],
        counts["info"],
        site.get("home"),
    ]


# -- workbook -----------------------------------------------------------------


def _sheet_base(name: Any) -> str:
    # A sheet name may not begin or end with an apostrophe.
    return SHEET_NAME_FORBIDDEN.sub("_", clean(str(name or ""))).strip().strip("'").strip()


def sheet_names(sites: Sequence[Mapping[str, Any]]) -> list[str]:
    """One valid, unique worksheet name per site, in order: the site's name (its
    id when the name leaves nothing) without ``[]:*?/\\``, cut to 31 characters;
    a name already taken (Excel compares without case) gets ``(2)``, ``(3)`` …"""
    taken = {SUMMARY_SHEET.casefold(), "history"}  # History: reserved by Excel
    names = []
    for site in sites:
        base = _sheet_base(site.get("name")) or _sheet_base(site.get("site")) or "网站"
        name = base[:SHEET_NAME_MAX]
        n = 1
        while name.casefold() in taken:
            n += 1
            suffix = f"({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


class _Sheet:
    """Writes a table to a worksheet: bold frozen header, filter, fitted widths."""

    def __init__(self, ws: Any, headers: Sequence[str], link_columns: frozenset[str]) -> None:
        self.ws = ws
        self.headers = list(headers)
        self.links = {i for i, h in enumerate(headers) if h in link_columns}
        self.widths = [display_width(h) for h in headers]
        self.hyperlinks = 0
        for col, h in enumerate(headers, 1):
            c = ws.cell(row=1, column=col)
            self._text(c, h)
            c.font = HEADER_FONT
        self.row = 1

    @staticmethod
    def _text(cell: Any, value: str) -> None:
        value = clean(value)[:XLSX_CELL_MAX]
        cell.value = value
        # Whatever it starts with (=, #REF! …), a text stays a text.
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True

    def add(self, values: Sequence[Any]) -> None:
        self.row += 1
        for i, v in enumerate(values):
            if v is None or v == "":
                continue
            c = self.ws.cell(row=self.row, column=i + 1)
            if isinstance(v, bool):
                self._text(c, "是" if v else "否")
            elif isinstance(v, int | float):
                c.value = v
            else:
                self._text(c, str(v))
            text = c.value if isinstance(c.value, str) else f"{v:g}"
            self.widths[i] = max(self.widths[i], display_width(text))
            if i in self.links and self.hyperlinks < HYPERLINKS_PER_SHEET and is_http_url(c.value):
                c.hyperlink = c.value
                c.font = LINK_FONT
                self.hyperlinks += 1
            c.alignment = TOP

    def finish(self, number_formats: Mapping[str, str] | None = None) -> None:
        ws = self.ws
        ws.freeze_panes = "A2"
        last = get_column_letter(len(self.headers))
        ws.auto_filter.ref = f"A1:{last}{max(self.row, 1)}"
        for i, w in enumerate(self.widths):
            width = min(WIDTH_MAX, max(WIDTH_MIN, w + 2))
            letter = get_column_letter(i + 1)
            ws.column_dimensions[letter].width = width
            for (c,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                if isinstance(c.value, str) and (
                    "\n" in c.value or display_width(c.value) > width - 2
                ):
                    c.alignment = WRAP
        for header, fmt in (number_formats or {}).items():
            col = self.headers.index(header) + 1
            for (c,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                c.number_format = fmt


def write_workbook(view: Mapping[str, Any], path: Path) -> Path:
    catalogue = view.get("catalogue", {})
    sites = view.get("sites", [])
    wb = Workbook()
    wb.properties.title = f"政务公开检查整改清单（{view.get('run', {}).get('id', '')}）"
    wb.properties.creator = "zwgk"
    summary = _Sheet(wb.active, SUMMARY_HEADERS, SUMMARY_LINK_COLUMNS)
    wb.active.title = SUMMARY_SHEET
    for site in sites:
        summary.add(summary_row(site, catalogue))
    summary.finish({"较上月": "+General;-General;0"})
    for site, name in zip(sites, sheet_names(sites), strict=True):
        sheet = _Sheet(wb.create_sheet(name), FINDING_HEADERS, LINK_COLUMNS)
        for row in finding_rows(site, catalogue):
            sheet.add(row)
        sheet.finish()
    wb.save(path)
    return path


def write_csv(view: Mapping[str, Any], path: Path) -> Path:
    catalogue = view.get("catalogue", {})
    # utf-8-sig: the BOM tells Excel the file is UTF-8; newline="" lets the csv
    # module write RFC 4180's CRLF and quote fields holding line breaks.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        w.writerow(CSV_HEADERS)
        for site in view.get("sites", []):
            for row in finding_rows(site, catalogue):
                w.writerow([csv_safe(v) for v in (site.get("name"), site.get("site"), *row)])
    return path


def write_exports(view: dict[str, Any], root: Path) -> list[Path]:
    """``findings.xlsx`` (汇总 and one 整改清单 sheet per site) and
    ``findings.csv`` (every site's failing findings) in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    return [
        write_workbook(view, root / "findings.xlsx"),
        write_csv(view, root / "findings.csv"),
    ]
