"""What a hostile portal or a long config puts into the store comes back as
written, on SQLite and on PostgreSQL: over-long header values and names, and
the characters PostgreSQL's text type cannot hold."""

from __future__ import annotations

from tests.conftest import crawl_into, link, make_config, page
from zwgk.store import Store


def test_long_header_values_and_names_are_stored_whole(store: Store) -> None:
    ctype = "text/html; charset=utf-8; " + "x" * 1000
    name = "示例市" * 100  # 300 characters: the name as configured
    cfg = make_config(name=name)
    crawl_into(store, cfg, [page("http://www.demo.gov.test/", is_home=True, content_type=ctype)])
    (p,) = store.pages("2026-11", "demo")
    assert p.content_type == ctype
    sr = store.site_run("2026-11", "demo")
    assert sr is not None and sr.name == name
    store.replace_score("2026-11", "demo", score=1.0, max_score=2.0, rubric_version="v" * 100)
    (sc,) = store.scores("2026-11")
    assert sc.rubric_version == "v" * 100


def test_nul_characters_from_a_page_do_not_break_the_write(store: Store) -> None:
    cfg = make_config()
    crawl_into(
        store,
        cfg,
        [
            page(
                "http://www.demo.gov.test/",
                is_home=True,
                title="标题\x00后",
                text="正文\x00",
                content_type="text/html\x00",
                meta={"description": "摘\x00要"},
                links=[link("http://www.demo.gov.test/a.html", "链\x00接")],
            )
        ],
    )
    (p,) = store.pages("2026-11", "demo")
    (lk,) = store.links("2026-11", "demo")
    assert (p.title or "").startswith("标题") and (p.title or "").endswith("后")
    assert (lk.text or "").startswith("链") and (lk.text or "").endswith("接")
    # JSON escapes it: kept on both.
    assert p.meta == {"description": "摘\x00要"}
