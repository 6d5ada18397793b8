"""政策解读：每份政策文件都有解读，二者互相链接，解读按时发布且不流于形式。

For every policy document (政策文件) published from ``period_start`` to
``as_of`` the check looks for its interpretations (政策解读: text, 图解,
video, Q&A), matches them by explicit links or by the title / 文号 the
interpretation names, and judges the document: ``linked`` / ``unlinked`` /
``missing`` (or ``pending`` while its deadline has not passed), flagged
``late`` (more than N Chinese working days after the policy), ``formal``
(copies the policy or lists its headings) and ``no_contact`` (no
consultation department or phone).

What is a policy, an interpretation, a column and a threshold lives in
``config/interpretation.yaml``, apart from this logic.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome, FindingOut, Severity
from zwgk.config import ConfigError, default_file, parse_yaml_model
from zwgk.store import Link, Page
from zwgk.vocab import DOC_NUMBER_RE, defragment, page_ok

RULES_FILE = default_file("interpretation.yaml")

# -- rules (config/interpretation.yaml) ------------------------------------------------


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnRules(_Rules):
    policy: list[re.Pattern[str]]
    normative: list[re.Pattern[str]] = Field(default_factory=list)
    interpretation: list[re.Pattern[str]]


class PolicyRules(_Rules):
    issued_title: re.Pattern[str]
    title: list[re.Pattern[str]]
    normative_doc_number: re.Pattern[str]
    exclude_title: dict[str, re.Pattern[str]] = Field(default_factory=dict)
    exclude_doc_number: dict[str, re.Pattern[str]] = Field(default_factory=dict)
    higher_level_issuer: re.Pattern[str] | None = None


class FormRules(_Rules):
    image: re.Pattern[str]
    video: re.Pattern[str]
    qa: re.Pattern[str]


class InterpretationRules(_Rules):
    title: list[re.Pattern[str]]
    exclude_title: re.Pattern[str] | None = None
    forms: FormRules


class MatchingRules(_Rules):
    title_threshold: float = Field(0.85, gt=0, le=1)
    min_core_chars: int = Field(6, ge=2)
    max_link_targets: int = Field(4, ge=1)


class FormalRules(_Rules):
    shingle_chars: int = Field(10, ge=4)
    copy_ratio: float = Field(0.7, gt=0, le=1)
    headings_ratio: float = Field(0.8, gt=0, le=1)
    min_headings: int = Field(3, ge=1)
    min_own_chars: int = Field(120, ge=0)
    min_policy_chars: int = Field(200, ge=0)


class Rules(_Rules):
    deadline_working_days: int = Field(3, ge=0)
    columns: ColumnRules
    policy: PolicyRules
    interpretation: InterpretationRules
    matching: MatchingRules = Field(default_factory=MatchingRules)
    formal: FormalRules = Field(default_factory=FormalRules)
    contact: list[re.Pattern[str]]


def load_rules(path: str | Path = RULES_FILE, overrides: dict[str, Any] | None = None) -> Rules:
    """The rules file, with top-level keys replaced by ``overrides`` (rubric params)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}: interpretation rules file not found"]) from None
    rules = parse_yaml_model(text, str(p), Rules)
    if overrides:
        data = rules.model_dump()
        data.update(overrides)
        try:
            rules = Rules.model_validate(data)
        except Exception as exc:
            raise ConfigError([f"rubric params of interpretation: {exc}"]) from None
    return rules


# -- working days ------------------------------------------------------------------------


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """``(working day, guessed)``: the official calendar (holidays and make-up
    working days), or Mon–Fri for a year ``chinese_calendar`` has no data for."""
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def working_days_after(start: dt.date, end: dt.date) -> tuple[int, set[int]]:
    """Working days in ``(start, end]`` and the years counted Mon–Fri."""
    count, guessed = 0, set()
    day = start + dt.timedelta(days=1)
    while day <= end:
        work, guess = is_workday(day)
        count += work
        if guess:
            guessed.add(day.year)
        day += dt.timedelta(days=1)
    return count, guessed


def nth_working_day_after(start: dt.date, n: int) -> tuple[dt.date, set[int]]:
    """The day on which ``n`` working days after ``start`` have passed."""
    day, left, guessed = start, n, set()
    while left > 0:
        day += dt.timedelta(days=1)
        work, guess = is_workday(day)
        left -= work
        if guess:
            guessed.add(day.year)
    return day, guessed


def calendar_note(guessed: set[int]) -> str:
    if not guessed:
        return "按国家法定节假日和调休上班日计算（chinese_calendar）"
    years = "、".join(str(y) for y in sorted(guessed))
    return f"chinese_calendar 无{years}年节假日数据，该年按周一至周五计算工作日"


# -- text helpers ----------------------------------------------------------------------------

_WS = re.compile(r"[\s\u3000\xa0]+")
# Everything that is not a letter, digit or CJK character: titles are compared
# without punctuation, brackets and spaces.
_PUNCT = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")
_QUOTED = re.compile(r"《([^《》]{2,120})》")
_TRAILING_NOTE = re.compile(
    r"[（(](?:试行|暂行|修订|修正|草案|[^（）()]{0,12}年[^（）()]{0,6})[)）]$"
)
_ISSUER = re.compile(r"^(.{2,40}?)关于")
_DIGITS = re.compile(r"\d+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_BRACKETS = str.maketrans("〔［[（(【〕］])）】", "〔〔〔〔〔〔〕〕〕〕〕〕")
_HEADING = re.compile(
    r"(?:^|(?<=\s))(?:第[一二三四五六七八九十百零〇]+[章节]|[一二三四五六七八九十]+、|"
    r"（[一二三四五六七八九十]+）)\s*([^\s。；;：:！!？?，,]{2,20})(?=[\s。；;：:]|$)"
)
_PLACE = re.compile(r"^(.{2,12}?(?:自治区|自治州|省|市|州|盟|县|区|旗))")


def squash(text: str) -> str:
    return _WS.sub("", text)


def norm(text: str) -> str:
    """Letters, digits and CJK only: what two spellings of one title share."""
    return _PUNCT.sub("", text.translate(_FULLWIDTH))


def norm_doc_number(value: str) -> str:
    """寒政规［2026］第1号 and 寒政规〔2026〕1号 are one number."""
    return squash(value).translate(_FULLWIDTH).translate(_BRACKETS).replace("〕第", "〕")


def strip_note(title: str) -> str:
    t = squash(title)
    while True:
        stripped = _TRAILING_NOTE.sub("", t)
        if stripped == t:
            return t
        t = stripped


def _strip_core(text: str) -> str:
    # The issuer and 关于 go too: 《X市人民政府关于…的意见》 names the same
    # document as its title without 《》.
    t = re.sub(r"^.{0,40}?关于", "", text)
    t = re.sub(r"^(?:印发|转发|出台|公布)", "", t)
    return re.sub(r"的(?:通知|决定|函|通告|公告)$", "", t)


def policy_cores(title: str) -> list[str]:
    """Normalised names a document goes by: what its 《》 hold, else its title
    without issuer, 关于, 印发 and 的通知."""
    t = strip_note(title)
    quoted = [norm(_strip_core(q)) for q in _QUOTED.findall(t)]
    if quoted:
        return [q for q in quoted if q]
    core = norm(_strip_core(t))
    return [core] if core else []


_INTERP_WORDS = re.compile(
    r"^(?:政策)?(?:解读|一图(?:读懂|看懂|了解|速览)|图解|图说|问答)|"
    r"(?:的)?(?:政策)?(?:解读|问答|图解)(?:材料|稿)?$"
)


def interpretation_cores(title: str) -> list[str]:
    t = strip_note(title)
    quoted = [norm(_strip_core(q)) for q in _QUOTED.findall(t)]
    if quoted:
        return [q for q in quoted if q]
    t = norm(t)
    for _ in range(3):
        t = _strip_core(_INTERP_WORDS.sub("", t))
    return [t] if t else []


def title_score(a: str, b: str) -> float:
    """Similarity of two normalised cores; numbers (years, editions) must agree
    so that the 2026 要点 never matches the 2025 one."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# -- documents ---------------------------------------------------------------------------------


@dataclass
class Doc:
    page: Page
    url: str
    title: str
    date: dt.date | None
    columns: set[str]

    @property
    def doc_number(self) -> str | None:
        value = (self.page.meta or {}).get("doc_number")
        return str(value) if value else None


@dataclass(eq=False)
class Interpretation(Doc):
    form: str = "text"  # text, image, video, qa
    form_reason: str = ""
    cores: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Policy(Doc):
    reason: str = ""  # why it counts as a policy document
    cores: list[str] = field(default_factory=list)
    other_urls: list[str] = field(default_factory=list)

    @property
    def urls(self) -> tuple[str, ...]:
        return (self.url, *self.other_urls)


class _Index:
    """Policy documents by URL, normalised name and 文号, built once per site."""

    def __init__(self, policies: list[Policy], min_core_chars: int) -> None:
        self.by_url = {u: pol for pol in policies for u in pol.urls}
        self.cores = [(c, pol) for pol in policies for c in pol.cores]
        self.by_core: dict[str, list[Policy]] = defaultdict(list)
        for c, pol in self.cores:
            if len(c) >= min_core_chars:
                self.by_core[c].append(pol)
        # Keyed by the part from the bracket on (〔2025〕6号): what precedes
        # it in running text ("根据云政发…") is not part of the number.
        self.by_number: dict[str, list[tuple[str, Policy]]] = defaultdict(list)
        for pol in policies:
            if pol.doc_number:
                number = norm_doc_number(pol.doc_number)
                self.by_number[_number_key(number)].append((number, pol))

    def cited_numbers(self, text: str, every: bool = False) -> list[Policy]:
        """Policies whose 文号 ``text`` cites, once each (or once per citation)."""
        out: list[Policy] = []
        for m in DOC_NUMBER_RE.finditer(text):
            cited = norm_doc_number(m.group(0))
            for number, pol in self.by_number.get(_number_key(cited), []):
                if cited.endswith(number) and (every or pol not in out):
                    out.append(pol)
        return out


def _number_key(number: str) -> str:
    i = number.find("〔")
    return number[i:] if i >= 0 else number


def _link_detail(m: Match) -> str:
    if m.policy_to_interp and m.interp_to_policy:
        return "政策文件与解读页面互相链接"
    if m.policy_to_interp:
        return "政策文件页面链接了解读"
    return "解读页面链接了政策文件"


@dataclass
class Match:
    interp: Interpretation
    method: str  # link, title, doc_number, body
    score: float
    detail: str
    policy_to_interp: bool = False
    interp_to_policy: bool = False

    @property
    def linked(self) -> bool:
        return self.policy_to_interp or self.interp_to_policy


@dataclass
class Judgment:
    """One policy document's verdict; findings and metrics are made from these."""

    policy: Policy
    status: str  # linked, unlinked, link_unverified, missing, pending
    matches: list[Match] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # late, formal, no_contact, one_way
    deadline: dt.date | None = None
    working_days: int | None = None
    first: Match | None = None
    calendar: str = ""
    guessed_years: set[int] = field(default_factory=set)
    overlap: list[dict[str, Any]] = field(default_factory=list)
    overlap_note: str = ""
    contact_note: str = ""
    nearest: dict[str, Any] | None = None


@dataclass
class Analysis:
    judgments: list[Judgment]
    policies: list[Policy]  # every policy document, any date
    interpretations: list[Interpretation]  # those existing on as_of
    unmatched: list[Interpretation]
    excluded: dict[str, list[str]]  # reason -> URLs of candidates that need no interpretation
    out_of_period: list[Policy]
    calendar_guessed: set[int]


def doc_title(p: Page, site_name: str = "") -> str:
    meta = p.meta or {}
    title = str(meta.get("article_title") or meta.get("doc_title") or "")
    if not meta.get("article_title") and (not title or squash(title) == squash(site_name)):
        # No ArticleTitle and the first <h1> is missing or the site's logo.
        title = p.title or ""
    if not meta.get("article_title") and title == (p.title or ""):
        # Only <title> was there: drop the "_栏目_站点" tail templates add.
        title = re.split(r"_|\s[-|｜]\s", title)[0]
    return _WS.sub(" ", title).strip()


def publish_date(p: Page) -> dt.date | None:
    value = (p.meta or {}).get("publish_date")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _strip_frag(url: str | None) -> str | None:
    return defragment(url) if url else None


def _directory(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/"


def best_scores(
    core: str, candidates: list[tuple[str, Any]], threshold: float
) -> list[tuple[float, Any]]:
    """``(score, item)`` of the candidates whose core scores at least ``threshold``.

    difflib's cheap upper bounds skip most pairs: a site has thousands of
    documents and every interpretation is compared with each."""
    out = []
    sm = difflib.SequenceMatcher(None, autojunk=False)
    sm.set_seq2(core)
    digits = _DIGITS.findall(core)
    for other, item in candidates:
        if other == core:
            out.append((1.0, item))
            continue
        if not other or _DIGITS.findall(other) != digits:
            continue
        sm.set_seq1(other)
        if sm.real_quick_ratio() < threshold or sm.quick_ratio() < threshold:
            continue
        score = sm.ratio()
        if score >= threshold:
            out.append((score, item))
    return out


# -- the analysis -------------------------------------------------------------------------------


class Analyzer:
    def __init__(self, rules: Rules, ctx: CheckContext) -> None:
        self.r = rules
        self.ctx = ctx
        self.by_url = ctx.pages_by_url
        m = _PLACE.match(squash(ctx.site.name))
        self.place = m.group(1) if m else None
        self.page_by_id = {p.id: p for p in ctx.pages}
        self.links_by_page: dict[int, list[Link]] = defaultdict(list)
        for lk in ctx.links:
            self.links_by_page[lk.page_id].append(lk)

    def title(self, p: Page) -> str:
        return doc_title(p, self.ctx.site.name)

    # -- pages and columns

    def _pages(self) -> list[Page]:
        seen: set[str] = set()
        out = []
        for p in self.ctx.pages:
            if not page_ok(p) or p.text is None or p.final_url in seen:
                continue
            seen.add(p.final_url)
            out.append(p)
        return out

    def is_list(self, p: Page) -> bool:
        """A column's list page: no publish date, or titled as its own column
        (some CMSs stamp list pages with the time of their last update)."""
        name = (p.meta or {}).get("column_name")
        return publish_date(p) is None or (bool(name) and self.title(p) == name)

    def _target(self, lk: Link) -> Page | None:
        url = _strip_frag(lk.url)
        return self.by_url.get(url) if url else None

    def _columns(self, pages: list[Page]) -> dict[str, set[str]]:
        """final_url -> names of the columns the page is an item of."""
        columns: dict[str, set[str]] = defaultdict(set)
        list_names: dict[int, set[str]] = {}
        for p in pages:
            name = (p.meta or {}).get("column_name")
            if name:
                columns[p.final_url].add(str(name))
            if self.is_list(p):
                names = {str(name) if name else "", self.title(p)}
                list_names[p.id] = {n for n in names if n and n != self.ctx.site.name}
        for lk in self.ctx.links:
            heads = list_names.get(lk.page_id)
            if not heads or lk.kind != "http" or lk.element not in ("a", "area"):
                continue
            target = self._target(lk)
            source = self.page_by_id.get(lk.page_id)
            if target is not None and (source is None or target.final_url != source.final_url):
                columns[target.final_url] |= heads
        return columns

    def _in(self, names: set[str], patterns: list[re.Pattern[str]]) -> bool:
        return any(p.search(n) for n in names for p in patterns)

    # -- classification

    def classify(
        self, pages: list[Page], columns: dict[str, set[str]]
    ) -> tuple[list[Policy], list[Interpretation], dict[str, list[str]]]:
        policies: list[Policy] = []
        interps: list[Interpretation] = []
        excluded: dict[str, list[str]] = defaultdict(list)
        for p in pages:
            date = publish_date(p)
            if date is None or self.is_list(p):
                continue  # a list page, or a page whose date nobody can check
            title = self.title(p)
            if not title:
                continue
            cols = columns.get(p.final_url, set())
            if self._interp_title(title):
                interps.append(self._interpretation(p, title, date, cols))
                continue
            verdict = self._policy_verdict(p, title, cols)
            if verdict is not None and verdict[0]:
                policies.append(
                    Policy(p, p.final_url, title, date, cols, verdict[1], policy_cores(title))
                )
                continue
            if verdict is not None:
                excluded[verdict[1]].append(p.final_url)
            if self._in(cols, self.r.columns.interpretation) and not self._in(
                cols, self.r.columns.policy
            ):
                interps.append(self._interpretation(p, title, date, cols))
        return self._merge_copies(policies), interps, dict(excluded)

    def _interp_title(self, title: str) -> bool:
        t = squash(title)
        ex = self.r.interpretation.exclude_title
        if ex is not None and ex.search(t):
            return False
        return any(p.search(t) for p in self.r.interpretation.title)

    def _policy_verdict(self, p: Page, title: str, cols: set[str]) -> tuple[bool, str] | None:
        """``None``: not a candidate; ``(True, why)`` a policy document;
        ``(False, reason)`` a candidate that needs no interpretation."""
        t = strip_note(title)
        number = str((p.meta or {}).get("doc_number") or "")
        in_policy_col = self._in(cols, self.r.columns.policy)
        issued = bool(self.r.policy.issued_title.search(t))
        titled = issued or any(rx.search(t) for rx in self.r.policy.title)
        if not (in_policy_col or number or issued):
            return None
        bare = _QUOTED.sub("《》", t)
        for reason, rx in self.r.policy.exclude_title.items():
            if rx.search(bare):
                return False, reason
        for reason, rx in self.r.policy.exclude_doc_number.items():
            if number and rx.search(number):
                return False, reason
        issuer = _ISSUER.match(t)
        hl = self.r.policy.higher_level_issuer
        if (
            issuer
            and hl is not None
            and hl.search(issuer.group(1))
            and not (self.place and self.place in issuer.group(1))
        ):
            return False, "上级或外单位文件"
        if titled:
            return True, "标题"
        if number and self.r.policy.normative_doc_number.search(number):
            return True, "规范性文件文号"
        if self._in(cols, self.r.columns.normative):
            return True, "规范性文件栏目"
        return False, "非政策性文件"

    def _merge_copies(self, policies: list[Policy]) -> list[Policy]:
        """One document published in two columns (two URLs) is judged once."""
        groups: dict[tuple[str, dt.date | None], Policy] = {}
        out: list[Policy] = []
        for pol in policies:
            key = (norm_doc_number(pol.doc_number) if pol.doc_number else norm(pol.title), pol.date)
            first = groups.get(key)
            if first is None:
                groups[key] = pol
                out.append(pol)
            else:
                first.other_urls.append(pol.url)
                first.columns |= pol.columns
        return out

    def _interpretation(self, p: Page, title: str, date: dt.date, cols: set[str]) -> Interpretation:
        form, why = self._form(p, title)
        return Interpretation(
            p, p.final_url, title, date, cols, form, why, interpretation_cores(title)
        )

    def _form(self, p: Page, title: str) -> tuple[str, str]:
        f = self.r.interpretation.forms
        t = squash(title)
        if f.video.search(t):
            return "video", "标题"
        if f.image.search(t):
            return "image", "标题"
        if f.qa.search(t):
            return "qa", "标题"
        links = self.links_by_page.get(p.id, [])
        if any(lk.element in ("video", "source", "embed") for lk in links):
            return "video", "页面含视频"
        text = squash(p.text or "")
        # A page whose words are a caption: the interpretation is its images,
        # which TRS and most CMSs store beside the page (./W0…png).
        here = _directory(p.final_url)
        images = [lk for lk in links if lk.element == "img" and (lk.url or "").startswith(here)]
        if images and len(text) < 200:
            return "image", "正文为图片"
        if len(re.findall(r"问[:：]", text)) >= 2 or len(re.findall(r"[？?]", text)) >= 3:
            return "qa", "正文为问答"
        return "text", ""

    # -- matching

    def _link_graph(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """``(out, into)``: final_url -> final_urls it links to / is linked
        from, navigable elements only."""
        out: dict[str, set[str]] = defaultdict(set)
        into: dict[str, set[str]] = defaultdict(set)
        for lk in self.ctx.links:
            if lk.kind != "http" or lk.element not in ("a", "area", "iframe", "frame"):
                continue
            source = self.page_by_id.get(lk.page_id)
            target = self._target(lk)
            if source is not None and target is not None:
                out[source.final_url].add(target.final_url)
                into[target.final_url].add(source.final_url)
        return out, into

    def match(
        self, policies: list[Policy], interps: list[Interpretation]
    ) -> tuple[dict[str, list[Match]], list[Interpretation]]:
        out_links, in_links = self._link_graph()
        ix = _Index(policies, self.r.matching.min_core_chars)
        interp_urls = {i.url for i in interps}
        # How many interpretations each policy page links to: a page linking
        # to many is a list or a side box, not a 相关解读 block.
        fan_out = {
            pol.url: len({u for x in pol.urls for u in out_links.get(x, ())} & interp_urls)
            for pol in policies
        }
        matches: dict[str, list[Match]] = defaultdict(list)
        unmatched: list[Interpretation] = []
        for it in interps:
            linked = {
                ix.by_url[u].url: ix.by_url[u] for u in out_links.get(it.url, ()) if u in ix.by_url
            }
            linked |= {
                ix.by_url[u].url: ix.by_url[u] for u in in_links.get(it.url, ()) if u in ix.by_url
            }
            found = self._by_link(it, list(linked.values()), fan_out)
            if not found:
                found = self._by_title(it, ix)
            if not found:
                found = self._by_text(it, ix)
            if not found:
                unmatched.append(it)
            for pol, m in found:
                m.policy_to_interp = bool(in_links.get(it.url, set()) & set(pol.urls))
                m.interp_to_policy = bool(out_links.get(it.url, set()) & set(pol.urls))
                m.detail = m.detail or _link_detail(m)
                matches[pol.url].append(m)
        return matches, unmatched

    def _best_title(self, it: Interpretation, pol: Policy) -> float:
        return max((title_score(a, b) for a in it.cores for b in pol.cores), default=0.0)

    def _by_link(
        self, it: Interpretation, linked: list[Policy], fan_out: dict[str, int]
    ) -> list[tuple[Policy, Match]]:
        mx = self.r.matching.max_link_targets
        many = len(linked) > mx
        plain = [pol for pol in linked if not many and fan_out.get(pol.url, 0) <= mx]
        out = [(pol, Match(it, "link", 1.0, "")) for pol in plain]
        # Navigation links everywhere (a 最新文件 box): believe them only for
        # the policy the interpretation's title names best.
        crowded = [(self._best_title(it, pol), pol) for pol in linked if pol not in plain]
        top = max((score for score, _ in crowded), default=0.0)
        if top >= self.r.matching.title_threshold:
            out += [
                (pol, Match(it, "link", 1.0, "页面链接较多，已用标题核对"))
                for score, pol in crowded
                if score == top
            ]
        return out

    def _by_title(self, it: Interpretation, ix: _Index) -> list[tuple[Policy, Match]]:
        numbered = ix.cited_numbers(squash(it.title))
        if numbered:
            return [
                (pol, Match(it, "doc_number", 1.0, f"解读标题含文号{pol.doc_number}"))
                for pol in numbered
            ]
        out: list[tuple[Policy, Match]] = []
        threshold = self.r.matching.title_threshold
        for core in it.cores:
            if len(core) < self.r.matching.min_core_chars:
                continue
            # Most interpretations name their policy exactly; the fuzzy scan
            # over every document is for those that do not.
            exact = ix.by_core.get(core)
            best: list[tuple[float, Policy]] = (
                [(1.0, pol) for pol in exact] if exact else best_scores(core, ix.cores, threshold)
            )
            if not best:
                continue
            top = max(score for score, _ in best)
            tied = list({id(pol): pol for score, pol in best if score == top}.values())
            pol = self._closest_before(tied, it.date)
            out.append((pol, Match(it, "title", round(top, 3), f"标题比对：{core}")))
        return out

    def _by_text(self, it: Interpretation, ix: _Index) -> list[tuple[Policy, Match]]:
        """The policy the body cites (《title》 or 文号) most often, when one
        stands out: a body also cites the documents a policy rests on.

        Only explicit citations count, so one pass over the body suffices
        however many documents the site has."""
        text = squash(it.page.text or "")
        counts: Counter[str] = Counter()
        said: dict[str, list[str]] = defaultdict(list)
        for quoted in _QUOTED.findall(text):
            for pol in ix.by_core.get(norm(_strip_core(quoted)), []):
                counts[pol.url] += 1
                said[pol.url].append(f"《{quoted}》")
        for pol in ix.cited_numbers(text, every=True):
            counts[pol.url] += 1
            said[pol.url].append(f"文号{pol.doc_number}")
        if not counts:
            return []
        ranked = counts.most_common(2)
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return []
        url, n = ranked[0]
        detail = f"解读正文引用{'、'.join(dict.fromkeys(said[url]))}共{n}次"
        return [(ix.by_url[url], Match(it, "body", 1.0, detail))]

    @staticmethod
    def _closest_before(pols: list[Policy], when: dt.date | None) -> Policy:
        if len(pols) == 1 or when is None:
            return pols[0]
        before = [p for p in pols if p.date is not None and p.date <= when]
        pool = before or pols
        return max(pool, key=lambda p: p.date or dt.date.min)

    # -- judging

    def nearest(self, pol: Policy, interps: list[Interpretation]) -> dict[str, Any] | None:
        """The interpretation whose title comes closest, for a person checking
        a ``missing`` verdict."""
        candidates = [(c, it) for it in interps for c in it.cores]
        best: tuple[float, Interpretation] | None = None
        for core in pol.cores:
            for score, it in best_scores(core, candidates, 0.5):
                if best is None or score > best[0]:
                    best = (score, it)
        if best is None:
            return None
        score, it = best
        return {"title": it.title, "url": it.url, "score": round(score, 3)}

    def judge(self, pol: Policy, found: list[Match]) -> Judgment:
        assert pol.date is not None
        n = self.r.deadline_working_days
        deadline, guessed = nth_working_day_after(pol.date, n)
        j = Judgment(pol, "missing", sorted(found, key=_match_order), deadline=deadline)
        if not found:
            j.calendar, j.guessed_years = calendar_note(guessed), guessed
            if self.ctx.as_of < deadline:
                j.status = "pending"
            return j
        if any(m.linked for m in found):
            j.status = "linked"
            if not any(m.policy_to_interp and m.interp_to_policy for m in found):
                j.flags.append("one_way")
        elif (pol.page.meta or {}).get("related_dynamic") or any(
            (m.interp.page.meta or {}).get("related_dynamic") for m in found
        ):
            j.status = "link_unverified"
        else:
            j.status = "unlinked"
        dated = [m for m in found if m.interp.date is not None]
        if dated:
            first = min(dated, key=lambda m: m.interp.date or dt.date.max)
            assert first.interp.date is not None
            days, g2 = working_days_after(pol.date, first.interp.date)
            guessed |= g2
            j.first, j.working_days = first, days
            if days > n:
                j.flags.append("late")
        j.calendar, j.guessed_years = calendar_note(guessed), guessed
        self._formal(j)
        self._contact(j)
        return j

    def _formal(self, j: Judgment) -> None:
        fr = self.r.formal
        policy_text = squash(j.policy.page.text or "")
        measurable = [m for m in j.matches if m.interp.form in ("text", "qa")]
        if not measurable:
            j.overlap_note = "解读为图解或视频，未比对文字"
            return
        if len(norm(policy_text)) < fr.min_policy_chars:
            j.overlap_note = "政策文件正文过短（可能仅有附件），未比对"
            return
        headings = policy_headings(j.policy.page.text or "")
        results = [
            overlap(policy_text, squash(m.interp.page.text or ""), headings, fr) for m in measurable
        ]
        for m, res in zip(measurable, results, strict=True):
            res["url"] = m.interp.url
            res["title"] = m.interp.title
        j.overlap = results
        if all(res["formal"] for res in results):
            j.flags.append("formal")

    def _contact(self, j: Judgment) -> None:
        for m in j.matches:
            text = squash(m.interp.page.text or "")
            if any(rx.search(text) for rx in self.r.contact):
                return
        forms = {m.interp.form for m in j.matches}
        if forms <= {"image", "video"}:
            j.contact_note = "解读为图解或视频，图片中的文字无法识别，请人工核实"
        j.flags.append("no_contact")

    # -- all together

    def run(self) -> Analysis:
        pages = self._pages()
        columns = self._columns(pages)
        policies, interps, excluded = self.classify(pages, columns)
        as_of = self.ctx.as_of
        # An interpretation published after as_of did not exist then.
        interps = [i for i in interps if i.date is None or i.date <= as_of]
        matches, unmatched = self.match(policies, interps)
        judgments, out_of_period = [], []
        guessed: set[int] = set()
        for pol in sorted(policies, key=lambda p: (p.date or dt.date.min, p.url)):
            if pol.date is None or not (self.ctx.period_start <= pol.date <= as_of):
                out_of_period.append(pol)
            else:
                j = self.judge(pol, matches.get(pol.url, []))
                if j.status == "missing":
                    # Among the interpretations that matched nothing: a near
                    # miss there means a title spelt differently.
                    j.nearest = self.nearest(pol, unmatched)
                judgments.append(j)
                guessed |= j.guessed_years
        return Analysis(judgments, policies, interps, unmatched, excluded, out_of_period, guessed)


def _match_order(m: Match) -> tuple[int, dt.date, str]:
    rank = {"link": 0, "doc_number": 1, "title": 2, "body": 3}[m.method]
    return (rank, m.interp.date or dt.date.max, m.interp.url)


def policy_headings(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for h in _HEADING.findall(text):
        n = norm(h)
        if len(n) >= 2:
            seen.setdefault(n, None)
    return list(seen)


def overlap(policy: str, interp: str, headings: list[str], fr: FormalRules) -> dict[str, Any]:
    """How much of ``interp`` repeats ``policy``: characters inside runs of
    ``shingle_chars`` found verbatim in the policy, plus repeated headings.
    Both texts are compared without punctuation and spaces, so reformatting
    (（一）… 。 for 一、…) does not hide a copy."""
    a, b = norm(interp), norm(policy)
    k = fr.shingle_chars
    covered = [False] * len(a)
    shingles = {b[i : i + k] for i in range(len(b) - k + 1)}
    for i in range(len(a) - k + 1):
        if a[i : i + k] in shingles:
            for j in range(i, i + k):
                covered[j] = True
    repeated = []
    for h in headings:
        start = a.find(h)
        if start >= 0:
            repeated.append(h)
            while start >= 0:
                for j in range(start, start + len(h)):
                    covered[j] = True
                start = a.find(h, start + len(h))
    copied = sum(covered)
    ratio = copied / len(a) if a else 0.0
    own = len(a) - copied
    h_ratio = len(repeated) / len(headings) if headings else 0.0
    formal = bool(a) and (
        ratio >= fr.copy_ratio
        or (
            len(headings) >= fr.min_headings
            and h_ratio >= fr.headings_ratio
            and own < fr.min_own_chars
        )
    )
    return {
        "copy_ratio": round(ratio, 3),
        "copied_chars": copied,
        "own_chars": own,
        "interpretation_chars": len(a),
        "headings": len(headings),
        "headings_repeated": len(repeated),
        "headings_examples": repeated[:6],
        "longest_copied": _longest_runs(a, covered)[:2],
        "formal": formal,
    }


def _longest_runs(a: str, covered: list[bool]) -> list[str]:
    runs, start = [], None
    for i, c in enumerate([*covered, False]):
        if c and start is None:
            start = i
        elif not c and start is not None:
            runs.append(a[start:i])
            start = None
    runs.sort(key=len, reverse=True)
    return [r if len(r) <= 60 else r[:60] + "…" for r in runs]


# -- the check ------------------------------------------------------------------------------------


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


@register
class InterpretationCheck(Check):
    id = "interpretation"
    label = "政策解读"
    explanation = (
        "逐件检查评估期内发布的政策文件（行政规范性文件、以政府或部门名义印发的办法、意见、方案、措施等）"
        "是否发布政策解读，政策文件与解读页面是否相互链接，解读是否在政策文件发布后3个工作日内发布"
        "（按国家法定节假日和调休上班日计算），解读是否只是罗列小标题或照搬原文，"
        "是否提供政策咨询部门或联系电话；人事任免、会议新闻、活动通知、公示公告、转发上级文件等不需解读。"
        "依据：国务院办公厅《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）"
        "要求按照“谁起草、谁解读”的原则，做到政策性文件与解读方案、解读材料同步组织、同步审签、同步部署；"
        "各地政策解读工作制度普遍要求解读材料与政策文件同步发布、最迟不晚于文件公开后3个工作日，"
        "并注重解读出台背景、目的意义和主要举措，避免简单罗列或照搬文件内容。"
        "识别规则与时限见 config/interpretation.yaml。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        "missing": "未发布政策解读",
        "unlinked": "政策文件与解读未相互关联",
        "link_unverified": "解读关联由脚本加载，未能核实",
        "one_way": "政策文件与解读单向链接",
        "late": "政策解读发布逾期",
        "formal": "政策解读流于形式",
        "no_contact": "政策解读未提供咨询方式",
        "pending": "政策解读尚未到发布期限",
        "no_policies": "未找到需解读的政策文件",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "policies_found": "评估期内政策文件数",
        "policies_due": "已到解读期限的政策文件数",
        "with_interpretation": "已发布解读的政策文件数",
        "with_interpretation_pct": "解读率（%）",
        "linked": "与解读相互关联的政策文件数",
        "linked_pct": "关联率（%，占已解读文件）",
        "one_way": "单向链接数",
        "on_time": "按时发布解读数",
        "on_time_pct": "按时率（%，占已解读文件）",
        "late": "解读逾期数",
        "missing": "未解读数",
        "unlinked": "未关联数",
        "formal": "解读流于形式数",
        "no_contact": "解读无咨询方式数",
        "pending": "尚未到期数",
        "interpretations_found": "政策解读数",
        "interpretations_unmatched": "未对应到政策文件的解读数",
        "excluded_by_reason": "不需解读的文件（按原因）",
        "calendar_fallback_years": "按周一至周五计算工作日的年份",
    }

    evidence_labels: ClassVar[dict[str, str]] = {
        "policy": "政策文件",
        "status": "判定",
        "interpretations": "对应的政策解读",
        "title": "标题",
        "doc_number": "文号",
        "url": "网址",
        "publish_date": "发布日期",
        "columns": "所在栏目",
        "why_policy": "认定为政策文件的依据",
        "other_urls": "同一文件的其他网址",
        "form": "解读形式",
        "working_days": "间隔工作日数",
        "match": "对应方式",
        "method": "方法",
        "score": "相似度",
        "detail": "说明",
        "policy_links_interpretation": "政策文件页面链接解读",
        "interpretation_links_policy": "解读页面链接政策文件",
        "deadline": "解读发布期限",
        "calendar": "工作日计算",
        "related_dynamic": "相关解读由脚本加载",
        "overlap": "与政策文件的重合情况",
        "copy_ratio": "照搬比例",
        "copied_chars": "照搬字数",
        "own_chars": "自有文字字数",
        "interpretation_chars": "解读字数",
        "headings": "政策文件小标题数",
        "headings_repeated": "重复的小标题数",
        "headings_examples": "重复的小标题",
        "longest_copied": "最长的照搬片段",
        "formal": "流于形式",
        "note": "备注",
        "period": "评估期",
        "policies_any_date": "各时期政策文件数",
        "interpretations_found": "政策解读数",
        "nearest_interpretation": "标题最接近的解读",
        "interpretations_on_site": "网站上的政策解读数",
    }

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params)
        overrides = {k: v for k, v in self.params.items() if k != "rules_file"}
        path = Path(str(self.params.get("rules_file") or RULES_FILE))
        if not path.is_absolute() and not path.exists():
            # Relative names in the rubric are the project's config files.
            path = RULES_FILE.parent.parent / path
        self.rules_config = load_rules(path, overrides)

    def analyse(self, ctx: CheckContext) -> Analysis:
        return Analyzer(self.rules_config, ctx).run()

    def run(self, ctx: CheckContext) -> CheckOutcome:
        a = self.analyse(ctx)
        out = CheckOutcome()
        for j in a.judgments:
            out.findings.extend(self._findings(j, len(a.interpretations)))
        js = a.judgments
        due = [j for j in js if j.status != "pending"]
        interpreted = [j for j in due if j.matches]
        linked = [j for j in interpreted if j.status == "linked"]
        timed = [j for j in interpreted if j.working_days is not None]
        on_time = [j for j in timed if "late" not in j.flags]
        out.metrics = {
            "policies_found": len(js),
            "policies_due": len(due),
            "with_interpretation": len(interpreted),
            "with_interpretation_pct": _pct(len(interpreted), len(due)),
            "linked": len(linked),
            "linked_pct": _pct(len(linked), len(interpreted)),
            "one_way": sum("one_way" in j.flags for j in js),
            "on_time": len(on_time),
            "on_time_pct": _pct(len(on_time), len(timed)),
            "late": sum("late" in j.flags for j in js),
            "missing": sum(j.status == "missing" for j in js),
            "unlinked": sum(j.status == "unlinked" for j in js),
            "formal": sum("formal" in j.flags for j in js),
            "no_contact": sum("no_contact" in j.flags for j in js),
            "pending": sum(j.status == "pending" for j in js),
            "interpretations_found": len(a.interpretations),
            "interpretations_unmatched": len(a.unmatched),
            "excluded_by_reason": {k: len(v) for k, v in sorted(a.excluded.items())},
            "calendar_fallback_years": sorted(a.calendar_guessed),
        }
        if not js:
            out.findings.append(
                FindingOut(
                    "no_policies",
                    Severity.INFO,
                    f"{ctx.period_start.isoformat()}至{ctx.as_of.isoformat()}期间未在抓取到的页面中"
                    "找到需要解读的政策文件，请核实政策文件栏目是否已被完整抓取",
                    url=ctx.site.home,
                    evidence={
                        "period": [ctx.period_start.isoformat(), ctx.as_of.isoformat()],
                        "policies_any_date": len(a.policies),
                        "interpretations_found": len(a.interpretations),
                    },
                )
            )
        return out

    # -- findings

    def _findings(self, j: Judgment, interpretations_on_site: int) -> list[FindingOut]:
        pol = j.policy
        name = _short(pol.title)
        number = f"（{pol.doc_number}）" if pol.doc_number else ""
        assert pol.date is not None
        base = {
            "policy": _policy_ev(pol),
            "status": j.status,
            "interpretations": [_match_ev(m, pol) for m in j.matches],
        }
        out: list[FindingOut] = []

        def add(rule: str, sev: Severity, msg: str, src: str | None, **extra: Any) -> None:
            out.append(
                FindingOut(rule, sev, msg, url=pol.url, source_url=src, evidence={**base, **extra})
            )

        n = self.rules_config.deadline_working_days
        if j.status == "pending":
            add(
                "pending",
                Severity.INFO,
                f"政策文件《{name}》{number}于{pol.date}发布，其解读最迟应于{j.deadline}发布，"
                "评估日尚未到期",
                None,
                deadline=j.deadline.isoformat() if j.deadline else None,
                calendar=j.calendar,
            )
            return out
        if j.status == "missing":
            add(
                "missing",
                Severity.FAIL,
                f"政策文件《{name}》{number}于{pol.date}发布，未找到对应的政策解读"
                f"（应与文件同步发布，最迟{j.deadline}）",
                None,
                deadline=j.deadline.isoformat() if j.deadline else None,
                calendar=j.calendar,
                related_dynamic=bool((pol.page.meta or {}).get("related_dynamic")),
                nearest_interpretation=j.nearest,
                interpretations_on_site=interpretations_on_site,
            )
            return out
        first = j.matches[0]
        if j.status == "unlinked":
            add(
                "unlinked",
                Severity.FAIL,
                f"政策文件《{name}》{number}与其解读《{_short(first.interp.title)}》未相互关联："
                "两个页面均无指向对方的链接（如“相关解读”“相关文件”）",
                first.interp.url,
            )
        elif j.status == "link_unverified":
            add(
                "link_unverified",
                Severity.WARN,
                f"政策文件《{name}》{number}的相关解读由页面脚本加载，静态页面中未见与解读"
                f"《{_short(first.interp.title)}》的链接，请人工核实",
                first.interp.url,
            )
        if "one_way" in j.flags:
            linked = next(m for m in j.matches if m.linked)
            missing_side = (
                "政策文件页面未链接解读" if linked.interp_to_policy else "解读页面未链接政策文件"
            )
            add(
                "one_way",
                Severity.INFO,
                f"政策文件《{name}》{number}与解读《{_short(linked.interp.title)}》仅单向链接："
                f"{missing_side}",
                linked.interp.url,
            )
        if "late" in j.flags and j.first is not None:
            it = j.first.interp
            add(
                "late",
                Severity.FAIL,
                f"政策解读《{_short(it.title)}》于{it.date}发布，晚于政策文件《{name}》{number}"
                f"（{pol.date}）{j.working_days}个工作日，超过{n}个工作日的时限，未做到同步发布",
                it.url,
                working_days=j.working_days,
                deadline=j.deadline.isoformat() if j.deadline else None,
                calendar=j.calendar,
            )
        if "formal" in j.flags:
            worst = max(j.overlap, key=lambda r: r["copy_ratio"])
            add(
                "formal",
                Severity.WARN,
                f"政策解读《{_short(str(worst['title']))}》{worst['copy_ratio']:.0%}的文字照搬政策文件"
                f"或重复其小标题（重复小标题{worst['headings_repeated']}/{worst['headings']}个，"
                f"自有文字{worst['own_chars']}字），未解读出台背景、目的和主要举措",
                str(worst["url"]),
                overlap=j.overlap,
            )
        if "no_contact" in j.flags:
            add(
                "no_contact",
                Severity.WARN,
                f"政策文件《{name}》{number}的解读未提供政策咨询部门或联系电话"
                + (f"（{j.contact_note}）" if j.contact_note else ""),
                first.interp.url,
                note=j.contact_note or None,
            )
        return out


def _short(title: str, limit: int = 60) -> str:
    m = _QUOTED.search(title)
    t = m.group(1) if m else title
    return t if len(t) <= limit else t[:limit] + "…"


def _policy_ev(pol: Policy) -> dict[str, Any]:
    return {
        "title": pol.title,
        "doc_number": pol.doc_number,
        "url": pol.url,
        "publish_date": pol.date.isoformat() if pol.date else None,
        "columns": sorted(pol.columns),
        "why_policy": pol.reason,
        "other_urls": pol.other_urls,
    }


def _match_ev(m: Match, pol: Policy) -> dict[str, Any]:
    it = m.interp
    days = None
    if it.date is not None and pol.date is not None:
        days = working_days_after(pol.date, it.date)[0]
    return {
        "title": it.title,
        "url": it.url,
        "publish_date": it.date.isoformat() if it.date else None,
        "form": it.form,
        "working_days": days,
        "match": {"method": m.method, "score": m.score, "detail": m.detail},
        "policy_links_interpretation": m.policy_to_interp,
        "interpretation_links_policy": m.interp_to_policy,
    }
