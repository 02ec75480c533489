"""/metrics in Prometheus' text format, through the official client.

Two kinds of numbers. Request latency is counted in each process (under `sandan serve` prometheus_client's
multi-process mode adds up the workers through $PROMETHEUS_MULTIPROC_DIR). Everything the store knows is
read from it at scrape time, so it is the same whichever worker answers and survives restarts: messages by
channel and outcome, tickets by state, the outbox backlog and the age of its oldest due push, push
failures, the last deadline scan's duration, the scheduler lease.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import Iterator

from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from dispatch import health
from dispatch.clock import utcnow
from web import get_db, get_services

bp = Blueprint("metrics", __name__)

LATENCY = Histogram("sandan_http_request_duration_seconds", "Time to answer an HTTP request.",
                    ["method", "route", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


class StoreCollector:
    """The store's numbers, read when Prometheus scrapes."""

    def collect(self) -> Iterator[Metric]:
        db, now = get_db(), utcnow()
        messages = CounterMetricFamily("sandan_messages", "Messages received, by channel and outcome "
                                       "(filed, joined, asked, answered, ignored…).", labels=["channel", "outcome"])
        for channel, outcome, count in health.messages_by_outcome(db):
            messages.add_metric([channel, outcome], count)
        yield messages
        tickets = GaugeMetricFamily("sandan_tickets", "Tickets by state.", labels=["state"])
        for state, count in sorted(health.tickets_by_state(db).items()):
            tickets.add_metric([state], count)
        yield tickets
        backlog, age = health.outbox_backlog(db, now)
        yield GaugeMetricFamily("sandan_outbox_backlog", "Pushes not sent yet.", value=backlog)
        yield GaugeMetricFamily("sandan_outbox_oldest_due_seconds", "How long the oldest due push has waited.",
                                value=age)
        yield CounterMetricFamily("sandan_push_failures", "Push attempts that failed.", value=health.push_failures(db))
        scan = health.last_scan(db)
        yield GaugeMetricFamily("sandan_deadline_scan_duration_seconds", "How long the last deadline scan took.",
                                value=scan["seconds"] if scan else 0)
        yield GaugeMetricFamily("sandan_deadline_scan_timestamp_seconds", "When the last deadline scan ran.",
                                value=scan["at"] if scan else 0)
        _, until = health.scheduler_lease(db)
        yield GaugeMetricFamily("sandan_scheduler_lease_left_seconds", "Seconds before the scheduler lease lapses "
                                "(negative: no scheduler is renewing it).", value=(until or 0) - time.time())


def exposition() -> bytes:
    """This process's (or, under `sandan serve`, every worker's) metrics, then the store's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        own = generate_latest(REGISTRY)
    store = CollectorRegistry(auto_describe=False)
    store.register(StoreCollector())
    return own + generate_latest(store)


@bp.get("/metrics")
def metrics():
    token = get_services().config.settings.ops.metrics_token
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        abort(401)
    return Response(exposition(), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.pop("request_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "unmatched"   # bounded label values
            LATENCY.labels(request.method, route, str(response.status_code)).observe(time.perf_counter() - started)
        return response
