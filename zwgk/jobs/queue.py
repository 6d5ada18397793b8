"""Site jobs over Celery with a Redis broker: ``zwgk worker`` and the
launcher ``zwgk run --broker`` sends them with.

A message names the run, the site, the dispatch and the job timings; the
worker runs the job with its own ``--db`` in a child process
(``run_job_process``: a fresh Twisted reactor; the child dies with the
worker), and
acknowledges the message when the child ends (``task_acks_late``). A worker
killed mid-job leaves its message unacknowledged, and Redis hands it to
another worker once the visibility timeout has passed; the coordinator also
sweeps the job back when its heartbeat stops, and the job's row in
``site_jobs`` makes every delivery after the first that counts a no-op.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from celery import Celery

from zwgk.jobs.coordinator import job_args
from zwgk.jobs.site import JobSettings, run_job_process

TASK = "zwgk.site_job"
QUEUE = "zwgk"
# Redis hands an unacknowledged message to another worker after this long;
# a site job still running then is not disturbed (its row is held), the
# second delivery waits its turn and finds the job done.
DEFAULT_VISIBILITY_TIMEOUT_S = 3600.0

# The worker's own store and log folder (set by run_worker): a message
# carries no database URL, so credentials stay with each machine.
_WORKER: dict[str, Any] = {}


def make_app(broker: str, visibility_timeout_s: float = DEFAULT_VISIBILITY_TIMEOUT_S) -> Celery:
    app = Celery("zwgk", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": visibility_timeout_s},
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=QUEUE,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.task(name=TASK, bind=True)(_site_job)
    return app


def _site_job(
    task: Any, run_id: str, site_id: str, dispatch: str, settings: dict[str, float]
) -> int:
    db, log_dir = _WORKER["db"], _WORKER.get("log_dir")
    log_file = Path(log_dir) / run_id / f"crawl-{site_id}.log" if log_dir else None
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    args = job_args(
        db,
        run_id,
        site_id,
        dispatch,
        JobSettings(**settings),
        log_file,
        worker=_WORKER["name"],
    )
    # The job records its own end in the store; a child that crashed
    # leaves its row running, and the coordinator's sweep sends it again.
    code, _last = run_job_process(args)
    return code


class CeleryLauncher:
    """Sends each site's job to the workers."""

    def __init__(self, broker: str, run_id: str, dispatch: str, settings: JobSettings) -> None:
        self.app = make_app(broker)
        self.run_id, self.dispatch, self.settings = run_id, dispatch, settings

    def submit(self, site_id: str) -> None:
        self.app.send_task(
            TASK,
            args=[self.run_id, site_id, self.dispatch, self.settings.as_dict()],
            queue=QUEUE,
        )

    def poll(self) -> None:
        pass

    def close(self) -> None:
        self.app.close()


def run_worker(
    db: str,
    broker: str,
    concurrency: int,
    *,
    log_dir: Path | None = None,
    visibility_timeout_s: float = DEFAULT_VISIBILITY_TIMEOUT_S,
    loglevel: str = "WARNING",
) -> None:
    """Serve site jobs until stopped: ``concurrency`` at once, each in a
    child process. Blocks."""
    name = f"{socket.gethostname()}:{os.getpid()}"
    _WORKER.update(db=db, log_dir=str(log_dir) if log_dir else None, name=name)
    app = make_app(broker, visibility_timeout_s)
    app.worker_main(
        [
            "worker",
            "--pool=threads",
            f"--concurrency={concurrency}",
            f"--queues={QUEUE}",
            f"--hostname=zwgk-{os.getpid()}@{socket.gethostname()}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
