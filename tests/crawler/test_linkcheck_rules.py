"""The pure rules of link verification (zwgk.crawler.linkcheck) and the
link outcomes' broken / unverified split (zwgk.vocab.LinkOutcome)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwgk.crawler.linkcheck import (
    BLOCKED_STATUSES,
    SOFT_404_MAX_TEXT,
    SOFT_404_PHRASES,
    WAF_PHRASES,
    HostProbe,
    classify_html_200,
    looks_like_challenge,
    looks_like_error_page,
    matches_probe,
    outcome_of_failure,
    outcome_of_status,
    parse_retry_after,
)
from zwgk.vocab import FetchStatus, LinkOutcome

# Filler text with no error or WAF phrase in it, of any length.
FILLER = "本机关依照《中华人民共和国政府信息公开条例》主动公开政府信息。"


def filler(n: int) -> str:
    return (FILLER * (n // len(FILLER) + 1))[:n]


# -- HTTP status ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, LinkOutcome.LOGIN_REQUIRED),  # a login wall: a warning, not broken
        (403, LinkOutcome.BLOCKED),
        (407, LinkOutcome.BLOCKED),  # the checker's own proxy, never the site's fault
        (412, LinkOutcome.BLOCKED),
        (429, LinkOutcome.BLOCKED),
        (400, LinkOutcome.HTTP_4XX),
        (404, LinkOutcome.HTTP_4XX),
        (410, LinkOutcome.HTTP_4XX),
        (451, LinkOutcome.HTTP_4XX),
        (500, LinkOutcome.HTTP_5XX),
        (502, LinkOutcome.HTTP_5XX),
        (503, LinkOutcome.HTTP_5XX),
        (200, None),
        (204, None),
        (301, None),
        (302, None),
        (304, LinkOutcome.NOT_MODIFIED),  # the checker never asks conditionally
    ],
)
def test_outcome_of_status(status: int, expected: LinkOutcome | None) -> None:
    assert outcome_of_status(status) is expected


@given(st.integers(min_value=100, max_value=999))
def test_outcome_of_status_partitions_every_status(status: int) -> None:
    out = outcome_of_status(status)
    if status == 304:
        assert out is LinkOutcome.NOT_MODIFIED and out.is_broken
    elif status == 401:
        assert out is LinkOutcome.LOGIN_REQUIRED
        assert not out.is_broken and not out.is_unverified
    elif status < 400:
        assert out is None
    elif status in BLOCKED_STATUSES:
        assert out is LinkOutcome.BLOCKED
        assert not out.is_broken and out.is_unverified
    else:
        assert out is (LinkOutcome.HTTP_4XX if status < 500 else LinkOutcome.HTTP_5XX)
        assert out.is_broken


# -- failures ------------------------------------------------------------------

FAILURES = {
    FetchStatus.DNS_ERROR: LinkOutcome.DNS_ERROR,
    FetchStatus.CONNECTION_REFUSED: LinkOutcome.CONNECTION_REFUSED,
    FetchStatus.TIMEOUT: LinkOutcome.TIMEOUT,
    FetchStatus.TLS_ERROR: LinkOutcome.TLS_ERROR,
    FetchStatus.CONNECTION_ERROR: LinkOutcome.CONNECTION_ERROR,
    FetchStatus.PRIVATE_ADDRESS: LinkOutcome.PRIVATE_ADDRESS,
    FetchStatus.ROBOTS_DENIED: LinkOutcome.BLOCKED,  # unverified, never broken
    FetchStatus.REDIRECT_LOOP: LinkOutcome.REDIRECT_LOOP,
    FetchStatus.REDIRECT_NOT_HTTP: LinkOutcome.REDIRECT_NOT_HTTP,
    # It answered, with more than the cap: a warning, neither ok nor broken.
    FetchStatus.TOO_LARGE: LinkOutcome.TOO_LARGE,
    FetchStatus.ERROR: LinkOutcome.CONNECTION_ERROR,
}


def test_the_failure_table_covers_every_fetch_status_but_ok() -> None:
    assert set(FAILURES) == set(FetchStatus) - {FetchStatus.OK}


@pytest.mark.parametrize(("status", "expected"), FAILURES.items(), ids=[s.value for s in FAILURES])
def test_outcome_of_failure(status: FetchStatus, expected: LinkOutcome) -> None:
    assert outcome_of_failure(status) is expected


@pytest.mark.parametrize("status", sorted(set(FetchStatus) - {FetchStatus.OK}))
def test_a_failure_shares_its_name_with_its_outcome_when_both_have_it(status: FetchStatus) -> None:
    names = {o.value for o in LinkOutcome}
    if status.value in names:
        assert outcome_of_failure(status).value == status.value
    else:
        assert status in (FetchStatus.ROBOTS_DENIED, FetchStatus.ERROR)


def test_too_large_is_neither_broken_nor_unverified() -> None:
    assert not LinkOutcome.TOO_LARGE.is_broken
    assert not LinkOutcome.TOO_LARGE.is_unverified


# -- broken / unverified -----------------------------------------------------

# (is_broken, is_unverified) for every outcome.
SPLIT = {
    LinkOutcome.OK: (False, False),
    LinkOutcome.HTTP_4XX: (True, False),
    LinkOutcome.HTTP_5XX: (True, False),
    LinkOutcome.DNS_ERROR: (True, False),
    LinkOutcome.CONNECTION_REFUSED: (True, False),
    LinkOutcome.TIMEOUT: (True, False),
    LinkOutcome.TLS_ERROR: (True, False),
    LinkOutcome.CONNECTION_ERROR: (True, False),
    LinkOutcome.REDIRECT_LOOP: (True, False),
    LinkOutcome.REDIRECT_NOT_HTTP: (True, False),
    LinkOutcome.SOFT_404: (True, False),
    LinkOutcome.EMPTY: (True, False),
    LinkOutcome.BLOCKED: (False, True),
    LinkOutcome.PRIVATE_ADDRESS: (False, False),
    LinkOutcome.NOT_HTTP: (False, False),
    LinkOutcome.MALFORMED: (True, False),
    LinkOutcome.LOCAL_FILE: (True, False),
    LinkOutcome.NOT_MODIFIED: (True, False),
    LinkOutcome.LOGIN_REQUIRED: (False, False),
    LinkOutcome.TOO_LARGE: (False, False),
}


def test_the_split_covers_every_outcome() -> None:
    assert set(SPLIT) == set(LinkOutcome)


@pytest.mark.parametrize(("outcome", "split"), SPLIT.items(), ids=[o.value for o in SPLIT])
def test_broken_and_unverified(outcome: LinkOutcome, split: tuple[bool, bool]) -> None:
    assert (outcome.is_broken, outcome.is_unverified) == split
    # The string form (as stored) answers the same.
    assert LinkOutcome(outcome.value).is_broken is split[0]


def test_no_outcome_is_both_broken_and_unverified() -> None:
    assert not [o for o in LinkOutcome if o.is_broken and o.is_unverified]


# -- soft 404 ----------------------------------------------------------------


def test_error_phrase_in_the_title_whatever_the_text() -> None:
    assert looks_like_error_page("页面不存在 - 示例市人民政府", filler(5000))
    assert looks_like_error_page("404 Not Found", None)  # case-insensitive


def test_error_phrase_in_a_short_text() -> None:
    assert looks_like_error_page("示例市人民政府", "抱歉，您访问的页面不存在或已删除。返回首页")


def test_the_same_phrase_in_a_long_text_is_content() -> None:
    text = "关于网站“页面不存在”问题整改情况的通报。" + filler(SOFT_404_MAX_TEXT)
    assert len(text) > SOFT_404_MAX_TEXT
    assert not looks_like_error_page("关于网站问题整改情况的通报", text)


def test_the_text_limit_is_inclusive() -> None:
    phrase = "页面不存在"
    at = filler(SOFT_404_MAX_TEXT - len(phrase)) + phrase
    assert len(at) == SOFT_404_MAX_TEXT
    assert looks_like_error_page(None, at)
    assert not looks_like_error_page(None, "。" + at)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("关于第404号建议的答复", "对市人大代表第404号建议的答复。"),
        ("404", "404"),
        ("示例市人民政府", "共404条信息"),
    ],
)
def test_a_bare_404_is_not_an_error_page(title: str, text: str) -> None:
    assert not looks_like_error_page(title, text)
    assert classify_html_200(title, text, "h", body_empty=False, probe=None) is LinkOutcome.OK


@given(
    st.sampled_from(SOFT_404_PHRASES),
    st.integers(min_value=0, max_value=2 * SOFT_404_MAX_TEXT),
    st.integers(min_value=0, max_value=2 * SOFT_404_MAX_TEXT),
)
def test_a_phrase_in_the_text_counts_only_on_a_short_page(
    phrase: str, before: int, after: int
) -> None:
    text = filler(before) + phrase + filler(after)
    assert looks_like_error_page(None, text) is (len(text) <= SOFT_404_MAX_TEXT)
    assert looks_like_error_page(phrase.upper(), text)


@given(st.integers(min_value=0, max_value=3 * SOFT_404_MAX_TEXT))
def test_no_phrase_no_error_page(n: int) -> None:
    assert not looks_like_error_page("示例市人民政府 政府信息公开", filler(n))


PROBE = HostProbe(status=200, text_hash="abc123", title="示例市人民政府", text_len=1000)


def test_probe_hash_match() -> None:
    assert matches_probe(PROBE, "abc123", "另一个标题", 5)
    assert not matches_probe(PROBE, "def456", "另一个标题", 1000)
    assert not matches_probe(PROBE, None, "另一个标题", 1000)


def test_a_probe_that_was_not_a_200_matches_nothing() -> None:
    # The host answers a random URL with a real 404: its 200s are real pages.
    for status in (404, 301, None):
        probe = HostProbe(status=status, text_hash="abc123", title="示例市人民政府", text_len=1000)
        assert not matches_probe(probe, "abc123", "示例市人民政府", 1000)
    assert not matches_probe(None, "abc123", "示例市人民政府", 1000)


def test_same_title_and_near_length_is_soft_404() -> None:
    # Tolerance: max(40, a tenth of the probe's length) = 100 here.
    assert matches_probe(PROBE, "other", "示例市人民政府", 1000)
    assert matches_probe(PROBE, "other", "示例市人民政府", 1100)
    assert matches_probe(PROBE, "other", "示例市人民政府", 900)
    small = HostProbe(status=200, text_hash=None, title="出错了", text_len=50)
    assert matches_probe(small, "x", "出错了", 90)
    assert not matches_probe(small, "x", "出错了", 91)


def test_same_title_but_very_different_length_is_not_soft_404() -> None:
    # Many CMSs give every article of a column the column's title.
    assert not matches_probe(PROBE, "other", "示例市人民政府", 1101)
    assert not matches_probe(PROBE, "other", "示例市人民政府", 8000)
    assert not matches_probe(PROBE, "other", "示例市人民政府", 0)
    assert (
        classify_html_200("示例市人民政府", filler(8000), "other", body_empty=False, probe=PROBE)
        is LinkOutcome.OK
    )


def test_different_title_and_hash_never_match() -> None:
    assert not matches_probe(PROBE, "other", "另一个标题", 1000)
    assert not matches_probe(PROBE, "other", None, 1000)
    notitle = HostProbe(status=200, text_hash=None, title=None, text_len=1000)
    assert not matches_probe(notitle, "other", None, 1000)


def test_classify_html_200_in_order() -> None:
    assert (
        classify_html_200("页面不存在", "", None, body_empty=True, probe=None) is LinkOutcome.EMPTY
    )
    assert (
        classify_html_200("页面不存在", "x", "h", body_empty=False, probe=None)
        is LinkOutcome.SOFT_404
    )
    assert (
        classify_html_200("示例市人民政府", filler(1000), "abc123", body_empty=False, probe=PROBE)
        is LinkOutcome.SOFT_404
    )
    assert (
        classify_html_200(
            "关于开展安全检查的通知", filler(1000), "h", body_empty=False, probe=PROBE
        )
        is LinkOutcome.OK
    )


# -- challenges ----------------------------------------------------------------

RUISHU = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    "<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};"
    '$_ts.nsd=12345;$_ts.cd="qxxxrr";</script>'
    '<script type="text/javascript" src="/zFDpWsVRnD4I/aDkhsHdeMb7G.b4c45da.js" r="m"></script>'
    "</head><body></body></html>"
)


def test_ruishu_bootstrap_script_is_a_challenge() -> None:
    assert looks_like_challenge(412, "", RUISHU)
    assert looks_like_challenge(200, "", RUISHU)
    assert looks_like_challenge(200, "", "<script>$_ts.cd='x';</script>")
    # The script decides, whatever the visible text.
    assert looks_like_challenge(200, filler(5000), RUISHU)


@pytest.mark.parametrize("phrase", WAF_PHRASES)
def test_a_waf_phrase_in_a_short_text_is_a_challenge(phrase: str) -> None:
    text = f"{phrase}，您的IP已被记录。"
    assert looks_like_challenge(403, text, f"<html><body>{text}</body></html>")


def test_a_waf_phrase_in_a_long_text_is_content() -> None:
    text = "关于开展网站安全检查的通知：各单位请启用网站防火墙。" + filler(SOFT_404_MAX_TEXT)
    assert not looks_like_challenge(200, text, f"<html><body>{text}</body></html>")


def test_an_ordinary_page_is_no_challenge() -> None:
    text = filler(300)
    assert not looks_like_challenge(
        200, text, f"<html><body><script>var ts=1;</script>{text}</body></html>"
    )
    assert not looks_like_challenge(200, "", "")


def test_waf_phrases_ignore_case() -> None:
    assert looks_like_challenge(200, "请开启javascript后刷新", "")


# -- Retry-After ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cap", "expected"),
    [
        ("5", 30.0, 5.0),
        (b"7", 30.0, 7.0),
        (" 10 ", 30.0, 10.0),
        ("0", 30.0, 0.0),
        ("120", 30.0, 30.0),
        ("120", 200.0, 120.0),
        (b"3600", 30.0, 30.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 30.0, 30.0),
        (b"Wed, 21 Oct 2026 07:28:00 GMT", 12.0, 12.0),
        (None, 30.0, None),
        ("", 30.0, None),
        (b"", 30.0, None),
        ("   ", 30.0, None),
    ],
)
def test_parse_retry_after(value: bytes | str | None, cap: float, expected: float | None) -> None:
    assert parse_retry_after(value, cap=cap) == expected


def test_parse_retry_after_default_cap_is_30_seconds() -> None:
    assert parse_retry_after("86400") == 30.0


@given(st.integers(min_value=0, max_value=10**9), st.floats(min_value=0, max_value=3600))
def test_delta_seconds_are_capped(seconds: int, cap: float) -> None:
    assert parse_retry_after(str(seconds).encode(), cap=cap) == min(float(seconds), cap)


@given(
    st.text(alphabet=st.characters(codec="ascii"), max_size=40),
    st.floats(min_value=0, max_value=3600),
)
def test_any_ascii_header_waits_at_most_the_cap(value: str, cap: float) -> None:
    wait = parse_retry_after(value.encode(), cap=cap)
    if value.strip():
        assert wait is not None and 0 <= wait <= cap
    else:
        assert wait is None


def test_a_latin1_superscript_digit_is_not_a_crash() -> None:
    assert parse_retry_after(b"\xb2") == 30.0
