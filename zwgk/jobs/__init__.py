"""Site jobs: a run spread over processes and machines (issue 12).

The unit of work is one site: its per-site collectors, its share of the
per-run ones (link targets claimed in the store, so that a target linked
from many sites is verified once), then its checks and score
(``zwgk.jobs.site``, reusing ``zwgk.runner``). Each job runs in a process of
its own, so every crawl has a fresh Twisted reactor. ``zwgk.jobs.coordinator``
queues a run's site jobs, runs them on this machine's cores
(``LocalLauncher``) or sends them to Celery workers
(``zwgk.jobs.queue``), shows progress from the store, sweeps stalled jobs
back, and returns when every site is done; the command line then renders
the reports as for a run in one process.
"""
