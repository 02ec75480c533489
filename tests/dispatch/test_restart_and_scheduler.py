"""A restart mid-deadline sends each reminder once; two schedulers never both run jobs; digests at their times."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from bot.app import create_app
from bot.worker import build_scheduler
from dispatch import deadlines, lease
from dispatch.clock import parse_iso
from dispatch.tickets import get_ticket
from tests.conftest import Chat
from tests.dispatch.conftest import ticket_number

LITTER = "广场花苑小区3栋的垃圾桶坏了"          # 环境卫生: 24 hours


def test_a_restart_mid_deadline_sends_each_reminder_once(chat, db, services, app):
    n = ticket_number(chat.say("r1", LITTER))
    created = parse_iso(get_ticket(db, n)["created_at"])
    at = lambda hours: created + timedelta(hours=hours)  # noqa: E731
    chat.say("sec-longxi-1", f"接单 {n}")             # claimed: only the 限时办结 marks are left to send
    chat.pushed("sec-longxi-1")

    def run_scan(scheduler, hours: float):
        job = next(j for j in scheduler.get_jobs() if j.id == "deadlines")
        with freeze_time(at(hours)):
            return job.func(*job.args)

    before = build_scheduler(services)
    assert run_scan(before, 13)["reminded"] == 1
    assert len(chat.pushed("sec-longxi-1")) == 1

    # restart: a new app, a new scheduler and new connections on the same database file
    db.close()
    again = create_app(services=services)
    assert again.config["SANDAN_DB_PATH"] == app.config["SANDAN_DB_PATH"]
    after = build_scheduler(services)
    chat2 = Chat(again.test_client())
    chat2.seen = dict(chat.seen)
    assert run_scan(after, 13.001) is None           # the old scheduler's lease has not run out yet
    for hours in (13.1, 13.2, 20, 20.1, 25, 25.1, 30):
        run_scan(after, hours)
    pushed = chat2.pushed("sec-longxi-1")
    assert [("紧急提醒" in m, "督办" in m) for m in pushed] == [(True, False), (False, True)]
    assert sum("督办" in m for m in chat2.pushed("dispatcher-longxi")) == 1
    assert chat2.pushed("leader") == []
    run_scan(after, 49)
    run_scan(after, 50)
    assert len(chat2.pushed("leader")) == 1


def test_a_worker_that_was_down_sends_only_the_latest_reminder(chat, db, services):
    n = ticket_number(chat.say("r1", LITTER))
    created = parse_iso(get_ticket(db, n)["created_at"])
    chat.say("sec-longxi-1", f"接单 {n}")
    chat.pushed("sec-longxi-1")
    assert deadlines.scan(db, services.config, created + timedelta(hours=21)) == {"reminded": 1, "escalated": 0}
    [only] = chat.pushed("sec-longxi-1")
    assert "紧急提醒" in only


def test_resolving_in_time_cancels_the_escalation(chat, db, services):
    n = ticket_number(chat.say("r1", LITTER))
    created = parse_iso(get_ticket(db, n)["created_at"])
    chat.say("sec-longxi-1", f"办结 {n} 已更换")
    chat.pushed("dispatcher-longxi")
    assert deadlines.scan(db, services.config, created + timedelta(hours=60)) == {"reminded": 0, "escalated": 0}
    assert chat.pushed("dispatcher-longxi") == []
    assert db.execute("SELECT count(*) FROM deadline_marks WHERE sent_at IS NULL AND ticket_id = ?",
                      [n]).fetchone()[0] == 0


def test_tickets_without_marks_get_them_on_the_next_scan(chat, db, services):
    n = ticket_number(chat.say("r1", LITTER))
    db.execute("DELETE FROM deadline_marks")                # e.g. a database from before marks existed
    db.conn.commit()
    created = parse_iso(get_ticket(db, n)["created_at"])
    assert deadlines.scan(db, services.config, created + timedelta(hours=13))["reminded"] == 1


def test_only_one_holder_has_the_lease_until_it_expires(db):
    assert lease.hold(db, "a", 1000.0, 30)
    assert not lease.hold(db, "b", 1010.0, 30)
    assert lease.hold(db, "a", 1020.0, 30)                 # renewed to 1050
    assert not lease.hold(db, "b", 1049.0, 30)
    assert lease.hold(db, "b", 1051.0, 30)                 # a stopped renewing: b takes over
    lease.release(db, "b")
    assert lease.hold(db, "a", 1052.0, 30)


def test_two_schedulers_only_one_runs_jobs(services, app):
    first, second = build_scheduler(services), build_scheduler(services)
    job = {j.id: j for j in first.get_jobs()}
    other = {j.id: j for j in second.get_jobs()}
    assert {"outbox-1", "outbox-2", "deadlines", "daily_digest", "weekly_summary", "close_unrated"} <= set(job)
    assert job["deadlines"].func(*job["deadlines"].args) is not None   # the first takes the lease
    assert other["deadlines"].func(*other["deadlines"].args) is None     # the second skips it
    assert job["outbox-1"].func(*job["outbox-1"].args) is not None
    assert other["outbox-2"].func(*other["outbox-2"].args) is not None   # every worker sends, leader or not


def test_digest_jobs_run_at_the_configured_local_times(services):
    from tests.dispatch.conftest import with_dispatch

    custom = with_dispatch(services, daily_digest_at="07:45", weekly_summary_at="fri 16:30")
    jobs = {j.id: j for j in build_scheduler(custom).get_jobs()}
    daily, weekly = str(jobs["daily_digest"].trigger), str(jobs["weekly_summary"].trigger)
    assert "hour='7'" in daily and "minute='45'" in daily
    assert "day_of_week='fri'" in weekly and "hour='16'" in weekly and "minute='30'" in weekly


def test_one_broken_ticket_does_not_stop_the_others_and_is_retried(chat, db, services, monkeypatch):
    a = ticket_number(chat.say("r1", LITTER))
    b = ticket_number(chat.say("r2", "龙西小区5栋的垃圾桶坏了"))
    created = parse_iso(get_ticket(db, b)["created_at"])
    real = deadlines._escalate

    def flaky(db_, config, t, mark, now):
        if t["id"] == a:
            raise RuntimeError("boom")
        return real(db_, config, t, mark, now)

    monkeypatch.setattr(deadlines, "_escalate", flaky)
    assert deadlines.scan(db, services.config, created + timedelta(hours=25))["escalated"] == 1
    assert (get_ticket(db, a)["state"], get_ticket(db, b)["state"]) == ("routed", "escalated")
    monkeypatch.setattr(deadlines, "_escalate", real)
    assert deadlines.scan(db, services.config, created + timedelta(hours=25, minutes=1))["escalated"] == 1
    assert get_ticket(db, a)["state"] == "escalated"
