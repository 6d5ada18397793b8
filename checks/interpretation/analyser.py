"""The analysis of one site: classify pages, match interpretations, judge each policy."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

from zwgk.checks.base import CheckContext
from zwgk.checks.interpretation.calendar import (
    calendar_note,
    nth_working_day_after,
    working_days_after,
)
from zwgk.checks.interpretation.documents import (
    Analysis,
    Interpretation,
    Judgment,
    Match,
    Policy,
    _link_detail,
    doc_title,
    publish_date,
)
from zwgk.checks.interpretation.formal import overlap, policy_headings
from zwgk.checks.interpretation.matching import _Index, _match_order, best_scores
from zwgk.checks.interpretation.rules import Rules
from zwgk.checks.interpretation.text import (
    _ISSUER,
    _PLACE,
    _QUOTED,
    _strip_core,
    interpretation_cores,
    norm,
    norm_doc_number,
    policy_cores,
    squash,
    strip_note,
    title_score,
)
from zwgk.store import LinkRow, PageRow
from zwgk.vocab import canonical_url, page_ok

# What follows a document's own title: 关于印发…办法的通知, …的决定.
_NOTICE_TAIL = re.compile(r"的?(?:通知|决定)$")


def _strip_frag(url: str | None) -> str | None:
    return canonical_url(url) if url else None


def _directory(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/"


class Analyzer:
    def __init__(self, rules: Rules, ctx: CheckContext) -> None:
        self.r = rules
        self.ctx = ctx
        self.by_url = ctx.pages_by_url
        m = _PLACE.match(squash(ctx.site.name))
        self.place = m.group(1) if m else None
        self.page_by_id = {p.id: p for p in ctx.pages}
        # What _form asks of a page's links, gathered in one pass: which
        # pages embed a video, which show images stored beside them.
        self.with_video: set[int] = set()
        self.with_local_images: set[int] = set()
        for lk in ctx.links:
            if lk.element in ("video", "source", "embed"):
                self.with_video.add(lk.page_id)
            elif lk.element == "img" and lk.page_id not in self.with_local_images:
                page = self.page_by_id.get(lk.page_id)
                if page is not None and (lk.url or "").startswith(_directory(page.final_url)):
                    self.with_local_images.add(lk.page_id)

    def title(self, p: PageRow) -> str:
        return doc_title(p, self.ctx.site.name)

    # -- pages and columns

    def _pages(self) -> list[PageRow]:
        seen: set[str] = set()
        out = []
        for p in self.ctx.pages:
            if not page_ok(p) or not p.has_text or p.final_url in seen:
                continue
            seen.add(p.final_url)
            out.append(p)
        return out

    def is_list(self, p: PageRow) -> bool:
        """A column's list page: no publish date, or titled as its own column
        (some CMSs stamp list pages with the time of their last update)."""
        name = (p.meta or {}).get("column_name")
        return publish_date(p) is None or (bool(name) and self.title(p) == name)

    def _target(self, lk: LinkRow) -> PageRow | None:
        url = _strip_frag(lk.url)
        return self.by_url.get(url) if url else None

    def _columns(self, pages: list[PageRow]) -> dict[str, set[str]]:
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
        self, pages: list[PageRow], columns: dict[str, set[str]]
    ) -> tuple[list[Policy], list[Interpretation], dict[str, list[str]]]:
        policies: list[Policy] = []
        interps: list[Interpretation] = []
        excluded: dict[str, list[str]] = defaultdict(list)
        news: list[tuple[PageRow, str, dt.date, set[str]]] = []
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
            elif verdict is None and self._in(cols, self.r.interpretation.news.columns):
                news.append((p, title, date, cols))
        merged = self._merge_copies(policies)
        interps += self._news_interpretations(news, merged, pages)
        return merged, interps, dict(excluded)

    def _news_interpretations(
        self,
        news: list[tuple[PageRow, str, dt.date, set[str]]],
        policies: list[Policy],
        pages: list[PageRow],
    ) -> list[Interpretation]:
        """The items of news columns that interpret a policy document: a policy
        page links to them, or their title has a form word and names the policy."""
        if not news or not policies:
            return []
        nr = self.r.interpretation.news
        linked = self._linked_from_policy(news, policies, pages) if nr.linked_from_policy else set()
        ix = _Index(policies, self.r.matching.min_core_chars)
        out = []
        for p, title, date, cols in news:
            t = squash(title)
            if p.final_url in linked or (
                nr.title is not None
                and nr.title.search(t)
                and not (nr.exclude_title is not None and nr.exclude_title.search(t))
                and self._names_policy(t, ix)
            ):
                out.append(self._interpretation(p, title, date, cols))
        return out

    def _names_policy(self, title: str, ix: _Index) -> bool:
        """``title`` names one of the site's policy documents in 《》."""
        threshold = self.r.matching.title_threshold
        for quoted in _QUOTED.findall(title):
            core = norm(_strip_core(quoted))
            if len(core) < self.r.matching.min_core_chars:
                continue
            if core in ix.by_core or best_scores(core, ix.cores, threshold):
                return True
        return False

    def _linked_from_policy(
        self,
        news: list[tuple[PageRow, str, dt.date, set[str]]],
        policies: list[Policy],
        pages: list[PageRow],
    ) -> set[str]:
        """News items a policy page links to from a 相关解读 box: the page links
        to few news items, and few dated pages link to the item (a 最新动态
        side box links every page to the same items)."""
        items = {p.final_url for p, _, _, _ in news}
        out_links, in_links = self._link_graph({u for pol in policies for u in pol.urls}, items)
        dated = {p.final_url for p in pages if publish_date(p) is not None and not self.is_list(p)}
        mx = self.r.matching.max_link_targets
        found: set[str] = set()
        for pol in policies:
            targets = {u for x in pol.urls for u in out_links.get(x, ()) if u in items}
            if len(targets) > mx:
                continue
            found |= {u for u in targets if len((in_links.get(u, set()) & dated) - {u}) <= mx}
        return found

    def _interp_title(self, title: str) -> bool:
        t = squash(title)
        ex = self.r.interpretation.exclude_title
        if ex is not None and ex.search(t):
            return False
        return any(p.search(t) for p in self.r.interpretation.title)

    def _policy_verdict(self, p: PageRow, title: str, cols: set[str]) -> tuple[bool, str] | None:
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
        genre = self.r.policy.genre_title
        # 关于印发《…办法》的通知 and …若干措施 are of a policy genre.
        subject = _NOTICE_TAIL.sub("", t).removesuffix("》")
        of_genre = genre is not None and bool(genre.search(subject))
        for reason, rx in self.r.policy.exclude_title.items():
            if rx.search(bare) and (not of_genre or reason in self.r.policy.exclude_always):
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

    def _interpretation(
        self, p: PageRow, title: str, date: dt.date, cols: set[str]
    ) -> Interpretation:
        form, why = self._form(p, title)
        return Interpretation(
            p, p.final_url, title, date, cols, form, why, interpretation_cores(title)
        )

    def _form(self, p: PageRow, title: str) -> tuple[str, str]:
        f = self.r.interpretation.forms
        t = squash(title)
        if f.video.search(t):
            return "video", "标题"
        if f.image.search(t):
            return "image", "标题"
        if f.qa.search(t):
            return "qa", "标题"
        if p.id in self.with_video:
            return "video", "页面含视频"
        if (p.meta or {}).get("body_images_only"):
            return "image", "正文为图片"
        text = squash(self.ctx.text(p) or "")
        # A page whose words are a caption: the interpretation is its images,
        # which TRS and most CMSs store beside the page (./W0…png).
        if p.id in self.with_local_images and len(text) < 200:
            return "image", "正文为图片"
        if len(re.findall(r"问[:：]", text)) >= 2 or len(re.findall(r"[？?]", text)) >= 3:
            return "qa", "正文为问答"
        return "text", ""

    # -- matching

    def _link_graph(
        self, sources: set[str], targets: set[str]
    ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """``(out, into)``: final_url -> final_urls it links to / is linked
        from, navigable elements only; ``out`` for the pages in ``sources``,
        ``into`` for those in ``targets`` (the whole graph of a large portal
        is millions of edges, and the matching looks at a few pages')."""
        out: dict[str, set[str]] = defaultdict(set)
        into: dict[str, set[str]] = defaultdict(set)
        for lk in self.ctx.links:
            if lk.kind != "http" or lk.element not in ("a", "area", "iframe", "frame"):
                continue
            source = self.page_by_id.get(lk.page_id)
            if source is None:
                continue
            keep_out = source.final_url in sources
            if not keep_out and not targets:
                continue
            target = self._target(lk)
            if target is None:
                continue
            if keep_out:
                out[source.final_url].add(target.final_url)
            if target.final_url in targets:
                into[target.final_url].add(source.final_url)
        return out, into

    def match(
        self, policies: list[Policy], interps: list[Interpretation]
    ) -> tuple[dict[str, list[Match]], list[Interpretation]]:
        interp_urls = {i.url for i in interps}
        out_links, in_links = self._link_graph(
            {u for pol in policies for u in pol.urls} | interp_urls, interp_urls
        )
        ix = _Index(policies, self.r.matching.min_core_chars)
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
        text = squash(self.ctx.text(it.page) or "")
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
                # Of equal scores the first URL: the same answer whatever
                # order the crawl stored the pages in.
                if best is None or (score, best[1].url) > (best[0], it.url):
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
        policy_text = squash(self.ctx.text(j.policy.page) or "")
        measurable = [m for m in j.matches if m.interp.form in ("text", "qa")]
        if not measurable:
            j.overlap_note = "解读为图解或视频，未比对文字"
            return
        if len(norm(policy_text)) < fr.min_policy_chars:
            j.overlap_note = "政策文件正文过短（可能仅有附件），未比对"
            return
        headings = policy_headings(self.ctx.text(j.policy.page) or "")
        results = [
            overlap(policy_text, squash(self.ctx.text(m.interp.page) or ""), headings, fr)
            for m in measurable
        ]
        for m, res in zip(measurable, results, strict=True):
            res["url"] = m.interp.url
            res["title"] = m.interp.title
        j.overlap = results
        if all(res["formal"] for res in results):
            j.flags.append("formal")

    def _contact(self, j: Judgment) -> None:
        for m in j.matches:
            text = squash(self.ctx.text(m.interp.page) or "")
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
