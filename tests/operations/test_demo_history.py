"""`sandan demo`'s made-up past goes through the real conversation: tickets in many states, ratings, points,
transfers, 督办 of overdue work, and the same history for the same seed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.demo_history import fill
from dispatch import stats


def snapshot(db) -> dict:
    return {
        "states": dict(db.execute("SELECT state, count(*) FROM tickets GROUP BY state").fetchall()),
        "ratings": dict(db.execute("SELECT value, count(*) FROM ratings GROUP BY value").fetchall()),
        "points": db.execute("SELECT count(*) FROM points_ledger").fetchone()[0],
        "transfers": db.execute("SELECT count(*) FROM ticket_events WHERE kind = 'transferred'").fetchone()[0],
        "escalations": db.execute("SELECT count(*) FROM ticket_events WHERE kind = 'escalated'").fetchone()[0],
        "unsent": db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0],
    }


def test_a_month_of_history_through_the_real_code(app, db, services):
    now = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)       # 10:00 in Beijing
    fill(services, db, now, days=30)
    seen = snapshot(db)
    assert {"closed", "resolved", "escalated"} <= set(seen["states"])
    assert set(seen["ratings"]) == {"满意", "基本满意", "不满意"}
    assert seen["points"] > 20 and seen["transfers"] > 0 and seen["escalations"] > 0
    assert seen["unsent"] == 0                                  # the past's pushes are not sent again at start
    teams = dict(db.execute("SELECT team_id, count(*) FROM team_members GROUP BY team_id").fetchall())
    assert teams == {"longxi-riders": 5, "furong-riders": 5}    # the demo's teams and leaderboards have riders
    ratings = stats.grid_ratings(db, services.config, now - timedelta(days=30), now, now)
    assert len({r.colour for r in ratings if r.colour}) >= 2     # the plan shows more than one colour
    [longxi] = [c for c in stats.three_rates(db, services.config, now - timedelta(days=30), now, now)
                if c["key"] == "longxi"]
    assert 0 < longxi["response_rate"] < 1 and 0 < longxi["resolution_rate"] < 1   # 三率 with something to show


def test_the_same_seed_makes_the_same_history(app, db, services, tmp_path):
    now = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)
    fill(services, db, now, days=8)
    rows = db.execute("SELECT id, state, text, created_at FROM tickets ORDER BY id").fetchall()
    from dispatch.store import init_db
    from dispatch.users import seed_staff

    other = init_db(tmp_path / "again.db")
    seed_staff(other, services.config.deployment, now)
    fill(services, other, now, days=8)
    assert other.execute("SELECT id, state, text, created_at FROM tickets ORDER BY id").fetchall() == rows
