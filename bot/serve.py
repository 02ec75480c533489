"""The production server behind `sandan serve`: gunicorn, with the scheduler in exactly one worker.

gunicorn's master loads the app once (``preload_app``: the NLU model is read before the fork and shared),
forks ``ops.workers`` gthread workers, restarts one that stays silent for ``ops.timeout_seconds`` and
recycles each after ``ops.max_requests``. Requests larger than ``web.max_body_bytes`` get 413 from Flask;
gunicorn caps the request line and headers. The access log names the path, never the query string (WeChat
signs its callbacks there).

The scheduler (outbox, deadlines, digests, backups) must run once (APScheduler's FAQ: a job store is not
shared between processes). Every worker runs a small :class:`SchedulerLeader` that asks for the lease row
in kv; only the holder builds and runs the scheduler. When that worker dies or is recycled, the lease
lapses after ``dispatch.scheduler_lease_seconds`` and another worker takes over.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
import threading
import time
from typing import Any

from gunicorn.app.base import BaseApplication

import wording
from bot.services import Services
from bot.services import with_store
from dispatch import lease
from settings import Config, ConfigError, demo_secrets

log = logging.getLogger(__name__)


class DemoSecrets(ConfigError):
    """A secret still has the value the shipped config.yaml gives it for `sandan demo`."""


def refuse_demo_secrets(config: Config) -> None:
    """:raises DemoSecrets: naming each setting and its SANDAN_* variable, outside `sandan demo`."""
    if found := demo_secrets(config.settings):
        raise DemoSecrets(wording.demo_secrets_refused(found))


def metrics_dir() -> str:
    """A folder for prometheus_client's multi-process files, so /metrics adds up every worker. Set before
    prometheus_client is first imported (it picks its value class then)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        folder = tempfile.mkdtemp(prefix="sandan-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


class SchedulerLeader:
    """Runs the scheduler in this process while it holds the scheduler lease; otherwise keeps asking."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.holder = lease.new_holder()
        self.scheduler: Any = None
        self.stopped = threading.Event()
        self.ttl = services.config.settings.dispatch.scheduler_lease_seconds

    def start(self) -> "SchedulerLeader":
        threading.Thread(target=self._run, name="scheduler-leader", daemon=True).start()
        return self

    def _run(self) -> None:
        wait = 0.0
        while not self.stopped.wait(wait):
            wait = max(1.0, self.ttl / 3)
            try:
                self.step()
            except Exception:  # noqa: BLE001 - a busy or broken store now must not end the election
                log.exception("scheduler lease")

    def step(self) -> bool:
        """Renew or take the lease; start the scheduler on winning it, stop it on losing it."""
        from bot.worker import build_scheduler

        held = with_store(self.services, lambda db, _config, _now: lease.hold(db, self.holder, time.time(), self.ttl))
        if held and self.scheduler is None:
            log.info("this worker (pid %s) runs the scheduler", os.getpid())
            self.scheduler = build_scheduler(self.services, self.holder)
            self.scheduler.start()
        elif not held and self.scheduler is not None:
            log.warning("scheduler lease lost; stopping this worker's scheduler")
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        return held

    def close(self) -> None:
        self.stopped.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            with_store(self.services, lambda db, _config, _now: lease.release(db, self.holder))


ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'   # %(U)s: the path without its query string


def gunicorn_options(config: Config, host: str, port: int) -> dict[str, Any]:
    ops = config.settings.ops
    return {
        "bind": f"{host}:{port}", "workers": ops.workers, "worker_class": "gthread", "threads": ops.threads,
        "timeout": ops.timeout_seconds, "graceful_timeout": 10, "keepalive": ops.keepalive_seconds,
        "max_requests": ops.max_requests, "max_requests_jitter": ops.max_requests // 10,
        "limit_request_line": 4094, "limit_request_fields": 50, "limit_request_field_size": 8190,
        "preload_app": True, "accesslog": "-", "access_log_format": ACCESS_LOG_FORMAT, "errorlog": "-",
        "control_socket_disable": True, "proc_name": "sandan",
    }


class Server(BaseApplication):
    """gunicorn run from Python with our options and hooks, instead of its command line."""

    def __init__(self, app: Any, services: Services, options: dict[str, Any], scheduler: bool) -> None:
        self.application, self.services, self.options, self.scheduler = app, services, options, scheduler
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", self._post_worker_init)
        self.cfg.set("worker_exit", self._worker_exit)
        self.cfg.set("child_exit", self._child_exit)

    def load(self) -> Any:
        from bot.logs import redact_logs

        redact_logs(self.services.config)     # the master's loggers exist now
        return self.application

    def _post_worker_init(self, worker: Any) -> None:
        from bot.logs import redact_logs

        redact_logs(self.services.config)
        if self.scheduler:
            worker.sandan_leader = SchedulerLeader(self.services).start()

    def _worker_exit(self, _server: Any, worker: Any) -> None:
        if (leader := getattr(worker, "sandan_leader", None)) is not None:
            leader.close()
        leaving = sys.exc_info()[1]      # gunicorn calls this hook on the way out of the worker
        if isinstance(leaving, SystemExit) and leaving.code in (0, None):
            # A clean exit: skip the interpreter's teardown, which frees every object the preloaded app
            # shares with the master (the NLU model, jieba's dictionary) and took 5 s per worker.
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    def _child_exit(self, _server: Any, worker: Any) -> None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def serve(services: Services, host: str, port: int, scheduler: bool) -> None:
    """Run gunicorn in this process until it is stopped (SIGTERM or Ctrl+C)."""
    from bot.app import create_app

    metrics_dir()
    app = create_app(services=services)
    gc.collect()
    gc.freeze()      # the loaded app stays shared with the workers: the collector no longer writes to its pages
    Server(app, services, gunicorn_options(services.config, host, port), scheduler).run()
