"""crawler.extract.dates: the date forms list pages and article headers print."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk.crawler.extract import ParsedDate, parse_date, url_date


@pytest.mark.parametrize(
    ("raw", "iso", "precision"),
    [
        ("2021-06-25", "2021-06-25", "day"),
        ("2021/6/25", "2021-06-25", "day"),
        ("2021/06/25", "2021-06-25", "day"),
        ("2021.06.25", "2021-06-25", "day"),
        ("2021年6月25日", "2021-06-25", "day"),
        ("2021 年 6 月 25 日", "2021-06-25", "day"),
        ("2021-06-25 10:30", "2021-06-25", "day"),
        ("[2021-06-25]", "2021-06-25", "day"),
        ("（2021-06-25）", "2021-06-25", "day"),
        ("2021年06月", "2021-06", "month"),
        ("2023年11月5日", "2023-11-05", "day"),
    ],
)
def test_whole_dates(raw: str, iso: str, precision: str) -> None:
    found = parse_date(raw, whole=True)
    assert found is not None
    assert (found.iso, found.precision, found.year_from) == (iso, precision, "text")


@pytest.mark.parametrize(
    "raw",
    [
        "2021-13-01",  # no 13th month
        "2021-02-30",
        "2021-06.25",  # mixed separators
        "2021年6-25",
        "20210625",
        "2025-2026年",
        "第1-2号文件",
        "暂无数据",
        "",
    ],
)
def test_not_dates(raw: str) -> None:
    assert parse_date(raw, whole=True) is None


def test_date_in_running_text() -> None:
    found = parse_date("发布时间：2022-05-13 10:52 浏览量：12")
    assert found == ParsedDate("2022-05-13", "2022-05-13", "day", "text")


def test_year_less_date_takes_the_year_of_its_url() -> None:
    for url in (
        "https://www.example.gov.cn/zwgk/202106/t20210625_1001.html",
        "https://www.example.gov.cn/zwgk/2021/0625/1001.html",
        "https://www.example.gov.cn/zwgk/202106/1001.html",
        "https://www.example.gov.cn/art/2021/6/25/art_284_1001.html",
    ):
        assert parse_date("[06-25]", url=url, whole=True) == ParsedDate(
            "06-25", "2021-06-25", "day", "url"
        )


def test_year_less_date_before_its_url_stamp_in_january() -> None:
    # Shown 12-30, stamped t20220105: written in the December before.
    found = parse_date("12-30", url="https://x.gov.cn/202201/t20220105_9.html", whole=True)
    assert found is not None and found.iso == "2021-12-30"


def test_year_less_date_from_context_never_after_as_of() -> None:
    as_of = dt.date(2024, 3, 1)
    assert parse_date("06-25", year=2024, as_of=as_of, whole=True) == ParsedDate(
        "06-25", "2023-06-25", "day", "context"
    )
    assert parse_date("02-10", year=2024, as_of=as_of, whole=True) == ParsedDate(
        "02-10", "2024-02-10", "day", "context"
    )


def test_year_less_date_without_any_year_keeps_its_text_only() -> None:
    assert parse_date("06-25", whole=True) == ParsedDate("06-25", None, "day", None)
    assert parse_date("06-25", whole=True, short=False) is None


def test_month_precision_date_value() -> None:
    found = parse_date("2021年06月", whole=True)
    assert found is not None and found.date == dt.date(2021, 6, 1)


def test_url_date_forms() -> None:
    assert url_date("https://x.gov.cn/a/202211/t20221122_40927.htm") == (2022, 11, 22)
    assert url_date("https://x.gov.cn/a/202211/40927.htm") == (2022, 11, None)
    assert url_date("https://x.gov.cn/a/40927.htm") is None
    assert url_date(None) is None


# -- properties ----------------------------------------------------------------

DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_never_raises_and_dates_are_real(text: str) -> None:
    for whole in (False, True):
        found = parse_date(text, whole=whole, year=2021, as_of=dt.date(2022, 1, 1))
        if found is not None and found.iso is not None:
            assert found.date is not None  # fromisoformat accepted it: a real date


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="0123456789-/.年月日[] ：:时间", max_size=30),
    st.one_of(st.none(), st.integers(min_value=1900, max_value=2099)),
)
def test_never_raises_on_date_like_noise(text: str, year: int | None) -> None:
    found = parse_date(text, year=year, whole=True)
    if found is not None and found.iso is not None:
        assert found.date is not None


@settings(max_examples=200, deadline=None)
@given(DAYS)
def test_plain_forms_round_trip(day: dt.date) -> None:
    y, m, d = day.year, day.month, day.day
    for form in (
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}年{m}月{d}日",
        f"<{y}-{m:02d}-{d:02d}>",
    ):
        found = parse_date(form, whole=True)
        assert found is not None and found.iso == day.isoformat(), form
    month = parse_date(f"{y}年{m:02d}月", whole=True)
    assert month is not None and month.iso == f"{y:04d}-{m:02d}"


@settings(max_examples=200, deadline=None)
@given(DAYS, st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_inferred_year_is_never_after_as_of(day: dt.date, as_of: dt.date) -> None:
    found = parse_date(f"{day.month:02d}-{day.day:02d}", year=as_of.year, as_of=as_of, whole=True)
    assert found is not None
    if found.iso is not None:
        assert found.date is not None and found.date <= as_of
