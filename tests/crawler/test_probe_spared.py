"""The soft-404 probe never condemns a host root or a configured home/entry
URL, and every spider shares one redirect limit."""

from __future__ import annotations

from zwgk.crawler import settings
from zwgk.crawler.linkcheck import HostProbe, classify_html_200, spared_by_probe
from zwgk.vocab import LinkOutcome

# A server that answers every path with its home page: the probe's answer
# is the home page itself.
HOME_PROBE = HostProbe(200, "homehash", "示例市人民政府", 1000)
CONFIGURED = {"http://www.example.gov.cn/zwgk/index.html"}


def test_root_and_configured_urls_are_spared() -> None:
    assert spared_by_probe("http://www.example.gov.cn/", CONFIGURED)
    assert spared_by_probe("http://www.example.gov.cn", CONFIGURED)
    assert spared_by_probe("http://www.example.gov.cn/zwgk/index.html#top", CONFIGURED)
    assert not spared_by_probe("http://www.example.gov.cn/art/1.html", CONFIGURED)


def test_spared_page_matching_the_probe_is_ok() -> None:
    args = ("示例市人民政府", "欢迎", "homehash", False, HOME_PROBE)
    assert classify_html_200(*args, spared=True) is LinkOutcome.OK
    # The same answer for an ordinary path is still a soft 404.
    assert classify_html_200(*args) is LinkOutcome.SOFT_404


def test_spared_page_with_an_error_phrase_is_still_a_soft_404() -> None:
    outcome = classify_html_200("页面不存在", "页面不存在", "x", False, HOME_PROBE, spared=True)
    assert outcome is LinkOutcome.SOFT_404


def test_one_redirect_limit_as_browsers_use() -> None:
    assert settings.REDIRECT_MAX_TIMES == 20
