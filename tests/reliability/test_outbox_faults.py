"""The outbox under faults: a channel that never recovers, a flood before an emergency, and a
clock stepped back — each push once, in order, emergencies first, and failures visible."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.worker import deliver_outbox
from dispatch import lease, outbox
from dispatch.clock import utcnow

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def run(db, send, start: datetime, seconds: float, tick: float, **options) -> None:
    """The outbox job as the scheduler runs it, on a simulated clock."""
    now = start
    while now <= start + timedelta(seconds=seconds):
        outbox.deliver_due(db, send, now, **options)
        now += timedelta(seconds=tick)


def test_a_push_that_keeps_failing_is_given_up_visibly(db, caplog):
    def down(user, body):
        raise ConnectionError("WeChat API unreachable")

    outbox.enqueue(db, "api:sec-longxi-1", "【新工单】#1", T0, None, "k1")
    with caplog.at_level("ERROR", logger="dispatch.outbox"):
        run(db, down, T0, 3 * 3600, 30, max_attempts=12)
    attempts, failed_at, error = db.execute("SELECT attempts, failed_at, last_error FROM outbox").fetchone()
    assert attempts == 12 and failed_at and error.startswith("given up after 12 attempts")
    assert any("given up after 12 attempts" in m for m in caplog.messages)


def test_an_emergencys_push_goes_before_a_backlog_of_ordinary_ones(chat, db, services):
    for n in range(300):
        outbox.enqueue(db, "api:sec-furong-1", f"ordinary {n}", utcnow(), None, f"backlog:{n}")
    reply = chat.say("rider-fire", "龙西小区5栋楼道里着火了，冒浓烟")
    assert "119" in reply
    deliver_outbox(services)           # one run of the worker's job: 100 rows
    urgent = list(db.query("SELECT sent_at FROM outbox WHERE recipient = 'api:sec-longxi-2'"))
    assert urgent and all(r["sent_at"] for r in urgent)


def test_a_clock_stepped_back_an_hour_strands_no_push_and_keeps_the_order(db):
    delivered: list[str] = []
    outbox.enqueue(db, "api:sec-longxi-1", "first", T0, None, "a")
    outbox.enqueue(db, "api:sec-longxi-1", "second", T0, None, "b")
    flaky = iter([ConnectionError("blip")])

    def send(user, body):
        if body == "first" and (e := next(flaky, None)):
            raise e
        delivered.append(body)

    outbox.deliver_due(db, send, T0)                    # "first" fails and backs off; "second" goes
    back = T0 - timedelta(hours=1)                       # NTP steps the clock back an hour
    outbox.enqueue(db, "api:sec-longxi-1", "third", back, None, "c")
    outbox.deliver_due(db, send, back)
    assert delivered == ["second", "first", "third"]


def test_a_lease_written_by_a_clock_days_ahead_does_not_block_the_next_scheduler(db):
    ahead = T0.timestamp() + 3 * 86400
    assert lease.hold(db, "crashed-fast-clock", ahead, 30)
    assert lease.hold(db, "restarted", T0.timestamp(), 30)
    assert lease.holder_of(db)[0] == "restarted"
    assert not lease.hold(db, "third", T0.timestamp() + 1, 30)        # a fresh lease still holds
