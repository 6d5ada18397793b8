"""栏目更新：首页、栏目不更新与空白栏目（国办秘函〔2019〕19号）.

Every column list of the disclosure column is dated by its newest item: the
date the list shows, else the item page's publish date. A column of a type
with an update requirement (动态要闻 2 weeks, 通知公告/政策文件 6 months …,
``config/freshness.yaml``) whose newest item is older is not updated; so is
one whose items carry no date at all. A list with no item and a 暂无数据 text
is blank; one a script fills is not blank but unverified. The home page is
dated by the newest item it links to. Time is ``ctx.as_of``: an item dated
after it did not exist yet on the evaluation date and is left out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome, Severity
from zwgk.config import ConfigError, default_file, parse_yaml_model
from zwgk.store import ListItemRow, PageRow
from zwgk.vocab import defragment, directory_of, page_ok

RULES_FILE = default_file("freshness.yaml")


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnType(_Rules):
    key: str
    label: str
    names: list[re.Pattern[str]]
    exclude: list[re.Pattern[str]] = Field(default_factory=list)
    max_days: int | None = Field(None, ge=1)
    max_months: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_limit(self) -> ColumnType:
        if (self.max_days is None) == (self.max_months is None):
            raise ValueError("give exactly one of max_days and max_months")
        return self

    def matches(self, name: str) -> bool:
        return any(p.search(name) for p in self.names) and not any(
            p.search(name) for p in self.exclude
        )

    def cutoff(self, as_of: dt.date) -> dt.date:
        """The oldest date of a newest item that still counts as updated."""
        if self.max_days is not None:
            return as_of - dt.timedelta(days=self.max_days)
        assert self.max_months is not None
        return months_before(as_of, self.max_months)

    @property
    def limit_text(self) -> str:
        if self.max_days is not None:
            return f"{self.max_days // 7}周" if self.max_days % 7 == 0 else f"{self.max_days}天"
        assert self.max_months is not None
        if self.max_months % 12 == 0:
            return f"{self.max_months // 12}年"
        return f"{self.max_months}个月"


class Rules(_Rules):
    home_max_days: int = Field(14, ge=1)
    column_types: list[ColumnType]
    stale_columns_veto: int = Field(5, ge=1)
    blank_columns_veto: int = Field(5, ge=1)


def load_rules(path: str | Path = RULES_FILE, overrides: Mapping[str, Any] | None = None) -> Rules:
    """The rules file, with top-level keys replaced by ``overrides`` (rubric params)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}: freshness rules file not found"]) from None
    rules = parse_yaml_model(text, str(p), Rules)
    if overrides:
        try:
            rules = Rules.model_validate({**rules.model_dump(), **overrides})
        except Exception as exc:
            raise ConfigError([f"rubric params of freshness: {exc}"]) from None
    return rules


def months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def effective_date(iso: str | None, as_of: dt.date) -> dt.date | None:
    """The day an item counts as published, or None when undated or later
    than ``as_of`` (not yet there on the evaluation date).

    A month-precision date (2026-05) counts as the month's last day, capped
    at ``as_of``: the list does not say which day, and the site gets the
    benefit of the doubt.
    """
    if not iso:
        return None
    try:
        if len(iso) == 7:
            y, m = int(iso[:4]), int(iso[5:7])
            first = dt.date(y, m, 1)
            if first > as_of:
                return None
            return min(dt.date(y, m, calendar.monthrange(y, m)[1]), as_of)
        d = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None
    return d if d <= as_of else None


@dataclass
class Dated:
    date: dt.date
    title: str | None
    url: str


class Rule(StrEnum):
    HOME_STALE = "home_stale"
    HOME_UNVERIFIED = "home_unverified"
    STALE_COLUMNS_5 = "stale_columns_5"
    BLANK_COLUMNS_5 = "blank_columns_5"
    COLUMN_STALE = "column_stale"
    COLUMN_BLANK = "column_blank"
    COLUMN_UNDATED = "column_undated"
    COLUMN_UNVERIFIED = "column_unverified"


@register
class FreshnessCheck(Check):
    id = "freshness"
    label = "栏目更新"
    explanation = (
        "检查网站首页和政府信息公开专栏各栏目的更新情况：首页监测时间点前{home_days}天内无更新的，"
        "{type_rules}，均为栏目不更新；栏目中的信息没有发布日期的，按未更新计；"
        "栏目没有任何信息的为空白栏目（列表由脚本加载、无法读取的栏目记为未能验证，不算空白）。"
        "首页不更新、不更新栏目累计{stale_veto}个（含）以上或空白栏目{blank_veto}个（含）以上，单项否决。"
        "只有年月的日期按该月最后一天计；晚于评估日期发布的信息不计入。"
        "依据：《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）。"
        "栏目类型与更新时限可由评估方在配置中调整。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        Rule.HOME_STALE: "首页不更新",
        Rule.HOME_UNVERIFIED: "首页更新情况未能验证",
        Rule.STALE_COLUMNS_5: "不更新栏目数量超限",
        Rule.BLANK_COLUMNS_5: "空白栏目数量超限",
        Rule.COLUMN_STALE: "栏目不更新",
        Rule.COLUMN_BLANK: "空白栏目",
        Rule.COLUMN_UNDATED: "栏目信息无发布日期",
        Rule.COLUMN_UNVERIFIED: "栏目更新情况未能验证",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "home_newest": "首页最新信息日期",
        "home_age_days": "首页最新信息距评估日期天数",
        "columns_checked": "检查的栏目数",
        "columns_typed": "有更新时限的栏目数",
        "columns_stale": "不更新栏目数",
        "columns_undated": "信息无日期的栏目数",
        "columns_blank": "空白栏目数",
        "columns_unverified": "未能验证的栏目数",
        "columns_not_yet": "信息均晚于评估日期的栏目数",
        "columns": "各栏目最新信息",
    }
    evidence_labels: ClassVar[dict[str, str]] = {
        "column": "栏目",
        "column_type": "栏目类型",
        "limit": "更新时限",
        "cutoff": "最新信息应不早于",
        "newest_date": "最新信息日期",
        "newest_title": "最新信息标题",
        "newest_url": "最新信息网址",
        "age_days": "距评估日期天数",
        "items": "信息条数",
        "undated_items": "无日期信息条数",
        "placeholder": "页面提示",
        "list_source": "列表加载方式",
        "count": "栏目数",
        "threshold": "否决标准",
        "columns": "相关栏目",
        "date": "日期",
        "as_of": "评估日期",
        "status": "更新情况",
    }
    value_labels: ClassVar[dict[str, str]] = {
        "ok": "按时更新",
        "stale": "栏目不更新",
        "blank": "空白栏目",
        "undated": "信息无发布日期",
        "unverified": "未能验证（列表由脚本加载）",
        "no_limit": "无更新时限要求",
        "not_yet": "信息均晚于评估日期",
        "static": "页面直接列出",
        "hanweb": "大汉CMS脚本加载",
        "jpaas": "大汉JPaaS接口加载",
        "template": "前端模板加载",
    }

    def __init__(
        self, params: Mapping[str, Any] | None = None, *, severities: Mapping[str, Severity]
    ) -> None:
        super().__init__(params, severities=severities)
        self.rules_config = load_rules(*self.rules_source(RULES_FILE))

    def explanation_params(self) -> dict[str, Any]:
        r = self.rules_config
        return {
            "home_days": r.home_max_days,
            "type_rules": "，".join(
                f"{t.label}栏目{t.limit_text}内未更新的" for t in r.column_types
            ),
            "stale_veto": r.stale_columns_veto,
            "blank_veto": r.blank_columns_veto,
        }

    def column_type(self, name: str | None) -> ColumnType | None:
        if not name:
            return None
        return next((t for t in self.rules_config.column_types if t.matches(name)), None)

    # -- dating ------------------------------------------------------------

    @staticmethod
    def _page_date(page: PageRow | None) -> str | None:
        if page is None or not page_ok(page):
            return None
        value = (page.meta or {}).get("publish_date")
        return str(value) if value else None

    def _item_date(self, ctx: CheckContext, item: ListItemRow) -> tuple[dt.date | None, bool]:
        """The item's date as of ``ctx.as_of``, and whether it has a date at all."""
        iso = item.date or self._page_date(ctx.pages_by_url.get(item.url))
        return effective_date(iso, ctx.as_of), iso is not None

    # -- run ---------------------------------------------------------------

    def run(self, ctx: CheckContext) -> CheckOutcome:
        out = CheckOutcome()
        self._home(ctx, out)
        entries = ctx.site.disclosure or [ctx.site.home]
        prefixes = tuple(directory_of(u) for u in entries)
        counts = dict.fromkeys(("checked", "typed", "stale", "undated", "blank", "unverified"), 0)
        not_yet = 0
        stale: list[dict[str, Any]] = []
        blank: list[dict[str, Any]] = []
        summary: list[dict[str, Any]] = []
        for col in ctx.columns:
            if not col.url.startswith(prefixes):
                continue
            name = col.name or col.pages[0].title or col.url
            ctype = self.column_type(col.name)
            base = {"column": name, "url": col.url}
            facts = (col.pages[0].meta or {}).get("list", {})
            if col.blank:
                counts["checked"] += 1
                counts["blank"] += 1
                blank.append(base)
                summary.append({**base, "status": "blank"})
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_BLANK,
                        f"“{name}”栏目没有任何信息（空白栏目）",
                        url=col.url,
                        evidence={"column": name, "placeholder": facts.get("placeholder")},
                    )
                )
                continue
            if col.dynamic:
                counts["checked"] += 1
                counts["unverified"] += 1
                summary.append({**base, "status": "unverified"})
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_UNVERIFIED,
                        f"“{name}”栏目的信息列表由脚本加载，静态页面无法读取，未能验证是否更新",
                        url=col.url,
                        evidence={"column": name, "list_source": facts.get("source")},
                    )
                )
                continue
            # Items that are columns of their own (a hub page listing them)
            # date nothing: those columns are judged on their own.
            items = col.entries
            if not items:
                continue
            counts["checked"] += 1
            if ctype is None:
                summary.append({**base, "status": "no_limit"})
                continue
            counts["typed"] += 1
            newest: Dated | None = None
            undated = after = 0
            for it in items:
                day, has_date = self._item_date(ctx, it)
                if not has_date:
                    undated += 1
                elif day is None:
                    after += 1
                elif newest is None or day > newest.date:
                    newest = Dated(day, it.title, it.url)
            evidence: dict[str, Any] = {
                "column": name,
                "column_type": ctype.label,
                "limit": ctype.limit_text,
                "items": len(items),
                "undated_items": undated,
            }
            if newest is None and undated == 0:
                # Every item is dated after the evaluation date: what the
                # column held then cannot be told from today's pages.
                not_yet += 1
                counts["checked"] -= 1
                counts["typed"] -= 1
                summary.append({**base, "status": "not_yet"})
                continue
            if newest is None:
                counts["undated"] += 1
                stale.append({**base, "newest_date": None})
                summary.append({**base, "status": "undated"})
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_UNDATED,
                        f"“{name}”栏目的信息均未标注发布日期，无法判断更新情况，按未更新计",
                        url=col.url,
                        evidence=evidence,
                    )
                )
                continue
            cutoff = ctype.cutoff(ctx.as_of)
            age = (ctx.as_of - newest.date).days
            summary.append({**base, "status": "ok", "newest_date": newest.date.isoformat()})
            if newest.date < cutoff:
                counts["stale"] += 1
                summary[-1]["status"] = "stale"
                stale.append({**base, "newest_date": newest.date.isoformat()})
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_STALE,
                        f"“{name}”栏目（{ctype.label}）最新信息发布于{newest.date.isoformat()}，"
                        f"{ctype.limit_text}内未更新",
                        url=col.url,
                        evidence={
                            **evidence,
                            "cutoff": cutoff.isoformat(),
                            "newest_date": newest.date.isoformat(),
                            "newest_title": newest.title,
                            "newest_url": newest.url,
                            "age_days": age,
                        },
                    )
                )
        r = self.rules_config
        if len(stale) >= r.stale_columns_veto:
            out.findings.append(
                self.finding(
                    Rule.STALE_COLUMNS_5,
                    f"不更新栏目共{len(stale)}个，达到{r.stale_columns_veto}个（单项否决）",
                    url=entries[0],
                    evidence={
                        "count": len(stale),
                        "threshold": r.stale_columns_veto,
                        "columns": stale,
                    },
                )
            )
        if len(blank) >= r.blank_columns_veto:
            out.findings.append(
                self.finding(
                    Rule.BLANK_COLUMNS_5,
                    f"空白栏目共{len(blank)}个，达到{r.blank_columns_veto}个（单项否决）",
                    url=entries[0],
                    evidence={
                        "count": len(blank),
                        "threshold": r.blank_columns_veto,
                        "columns": blank,
                    },
                )
            )
        out.metrics.update({f"columns_{k}": v for k, v in counts.items()})
        out.metrics["columns_not_yet"] = not_yet
        out.metrics["columns"] = summary
        return out

    def _home(self, ctx: CheckContext, out: CheckOutcome) -> None:
        home = ctx.pages_by_url.get(defragment(ctx.site.home))
        if not page_ok(home):
            # An unreachable home page is the structure check's finding.
            out.metrics.update({"home_newest": None, "home_age_days": None})
            return
        assert home is not None
        candidates: list[Dated] = []
        for it in ctx.list_items:
            if it.page_id == home.id:
                day, _ = self._item_date(ctx, it)
                if day is not None:
                    candidates.append(Dated(day, it.title, it.url))
        for lk in ctx.links.of_pages({home.id}).get(home.id, []):
            if lk.kind == "http" and lk.url:
                target = ctx.pages_by_url.get(lk.url)
                if target is None or (target.meta or {}).get("list") is not None:
                    continue
                day = effective_date(self._page_date(target), ctx.as_of)
                if day is not None:
                    candidates.append(Dated(day, lk.text, lk.url))
        if not candidates:
            out.metrics.update({"home_newest": None, "home_age_days": None})
            out.findings.append(
                self.finding(
                    Rule.HOME_UNVERIFIED,
                    "首页未找到带发布日期的信息，未能验证首页是否更新",
                    url=home.final_url,
                    evidence={"as_of": ctx.as_of.isoformat()},
                )
            )
            return
        newest = max(candidates, key=lambda d: (d.date, d.url))
        age = (ctx.as_of - newest.date).days
        out.metrics.update({"home_newest": newest.date.isoformat(), "home_age_days": age})
        cutoff = ctx.as_of - dt.timedelta(days=self.rules_config.home_max_days)
        if newest.date < cutoff:
            out.findings.append(
                self.finding(
                    Rule.HOME_STALE,
                    f"首页最新信息发布于{newest.date.isoformat()}，"
                    f"评估日期前{self.rules_config.home_max_days}天内无更新（单项否决）",
                    url=home.final_url,
                    evidence={
                        "cutoff": cutoff.isoformat(),
                        "newest_date": newest.date.isoformat(),
                        "newest_title": newest.title,
                        "newest_url": newest.url,
                        "age_days": age,
                    },
                )
            )


__all__ = ["FreshnessCheck", "Rules", "effective_date", "load_rules", "months_before"]
