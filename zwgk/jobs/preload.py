"""Imported once by the fork server site jobs start from (``run_job_process``):
the modules every job needs, so that a job does not spend two seconds of CPU
importing them. None of them installs a Twisted reactor: each job installs
its own, fresh, when its crawl starts (checked below)."""

from __future__ import annotations

import sys

import scrapy.crawler  # noqa: F401

import zwgk.jobs.site  # noqa: F401
from zwgk.checks import registry as checks
from zwgk.crawler.collectors import registry as collectors

collectors()
checks()

if "twisted.internet.reactor" in sys.modules:  # pragma: no cover - a guard, not a path
    raise ImportError("a preloaded module installed a Twisted reactor; jobs need their own")
