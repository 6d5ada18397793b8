"""Claims with leases and site jobs, on SQLite and PostgreSQL: the shared
work of a run split between processes and machines (issue 12)."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import update

from tests.conftest import crawl_into, link, make_config, page
from zwgk.store import Store
from zwgk.store.models import Claim
from zwgk.vocab import JobState

LEASE = dt.timedelta(seconds=30)
RUN = "2026-11"


def _run(store: Store) -> None:
    store.ensure_run(RUN, dt.date(2026, 11, 30), dt.date(2026, 1, 1), {})


def _expire(store: Store, keys: list[str]) -> None:
    with store.session() as s:
        s.execute(
            update(Claim)
            .where(Claim.key.in_(keys))
            .values(expires_at=dt.datetime(2000, 1, 1))
            .execution_options(synchronize_session=False)
        )


def test_a_key_is_claimed_by_one_owner_until_its_lease_expires(store: Store) -> None:
    _run(store)
    keys = {"http://a/1", "http://a/2", "http://a/3"}
    assert store.claim(RUN, "linkcheck", keys, "A", LEASE, "s1") == keys
    # B finds them held; A asking again keeps what it holds.
    assert store.claim(RUN, "linkcheck", keys | {"http://a/4"}, "B", LEASE) == {"http://a/4"}
    assert store.claim(RUN, "linkcheck", keys, "A", LEASE) == keys
    # A died: its leases run out, B takes them over, A no longer holds them.
    _expire(store, ["http://a/1"])
    assert store.claim(RUN, "linkcheck", keys, "B", LEASE) == {"http://a/1"}
    assert store.claims(RUN, "linkcheck")["http://a/1"].owner == "B"
    assert store.claim(RUN, "linkcheck", {"http://a/1"}, "A", LEASE) == set()


def test_renewed_leases_are_not_taken_and_released_ones_are(store: Store) -> None:
    _run(store)
    store.claim(RUN, "linkcheck", {"http://a/1", "http://a/2"}, "A", LEASE)
    _expire(store, ["http://a/1", "http://a/2"])
    assert store.renew_claims(RUN, "A", LEASE) == 2
    assert store.claim(RUN, "linkcheck", {"http://a/1", "http://a/2"}, "B", LEASE) == set()
    store.release_claims(RUN, "linkcheck", "A", {"http://a/1"})
    assert store.claim(RUN, "linkcheck", {"http://a/1", "http://a/2"}, "B", LEASE) == {"http://a/1"}
    with store.leases(RUN, "B", dt.timedelta(seconds=0.3)):
        time.sleep(0.5)  # longer than the lease: renewed meanwhile
        assert store.claim(RUN, "linkcheck", {"http://a/1"}, "C", LEASE) == set()


def test_a_stored_result_is_never_claimed(store: Store) -> None:
    _run(store)
    store.add_url_checks(RUN, [{"url": "http://a/1", "outcome": "ok", "source": "fetch"}])
    assert store.claim(RUN, "linkcheck", {"http://a/1", "http://a/2"}, "A", LEASE) == {"http://a/2"}
    assert "http://a/1" not in store.claims(RUN, "linkcheck")


def test_concurrent_claimers_split_the_keys(store: Store) -> None:
    _run(store)
    keys = {f"http://a/{i}" for i in range(300)}
    got: dict[str, set[str]] = {}
    barrier = threading.Barrier(4)

    def take(owner: str) -> None:
        barrier.wait()
        got[owner] = store.claim(RUN, "linkcheck", keys, owner, LEASE)

    threads = [threading.Thread(target=take, args=(o,)) for o in "ABCD"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set().union(*got.values()) == keys
    assert sum(len(v) for v in got.values()) == len(keys), "no key held twice"


def test_site_link_targets_are_the_sites_current_links(store: Store) -> None:
    cfg = make_config()
    crawl_into(
        store,
        cfg,
        [
            page(
                "http://www.demo.gov.test/",
                links=[link("http://x.test/a#f", "a"), link("http://x.test/b;jsessionid=1", "b")],
            )
        ],
    )
    assert store.site_link_targets(RUN, "demo") == {"http://x.test/a", "http://x.test/b"}
    assert store.site_link_targets(RUN, "other") == set()


def test_a_site_job_is_taken_once_and_swept_back_when_its_holder_stops(store: Store) -> None:
    _run(store)
    stale = dt.timedelta(seconds=60)
    store.queue_site_jobs(RUN, ["s1", "s2"], "d1", recrawl=False, stale_after=stale)
    job = store.take_site_job(RUN, "s1", "d1", "A", "host-a", stale)
    assert job is not None and job.state == JobState.RUNNING and job.attempts == 1
    # A second delivery, a message of another dispatch: not taken.
    assert store.take_site_job(RUN, "s1", "d1", "B", "host-b", stale) is None
    assert store.take_site_job(RUN, "s2", "d0", "B", "host-b", stale) is None
    assert store.sweep_site_jobs(RUN, stale) == []
    # A stops beating: swept back to queued, taken by B, A's end does not count.
    assert store.sweep_site_jobs(RUN, dt.timedelta(seconds=-1)) == ["s1"]
    job = store.take_site_job(RUN, "s1", "d1", "B", "host-b", stale)
    assert job is not None and job.attempts == 2 and job.worker == "host-b"
    assert not store.finish_site_job(RUN, "s1", "A", JobState.DONE)
    assert not store.heartbeat_site_job(RUN, "s1", "A")
    assert store.heartbeat_site_job(RUN, "s1", "B")
    assert store.finish_site_job(RUN, "s1", "B", JobState.DONE, "crawled", 12)
    # Done: a late redelivery is a no-op.
    assert store.take_site_job(RUN, "s1", "d1", "C", "host-c", stale) is None
    done = store.site_job(RUN, "s1")
    assert done is not None and (done.state, done.attempts, done.pages) == ("done", 2, 12)
    # A new dispatch queues it again; a job running with a fresh heartbeat keeps running.
    store.take_site_job(RUN, "s2", "d1", "A", "host-a", stale)
    store.queue_site_jobs(RUN, ["s1", "s2"], "d2", recrawl=True, stale_after=stale)
    jobs = {j.site_id: j for j in store.site_jobs(RUN)}
    assert (jobs["s1"].state, jobs["s1"].attempts, jobs["s1"].recrawl) == ("queued", 0, True)
    assert (jobs["s2"].state, jobs["s2"].owner, jobs["s2"].dispatch) == ("running", "A", "d2")


def test_run_files_travel_with_the_run(store: Store) -> None:
    _run(store)
    store.put_run_files(RUN, {"rubric": ("/etc/zwgk/rubric.yaml", "version: 1\n规则: 是")})
    assert store.run_files(RUN) == {"rubric": ("/etc/zwgk/rubric.yaml", "version: 1\n规则: 是")}
    store.put_run_files(RUN, {})
    assert store.run_files(RUN) == {}
