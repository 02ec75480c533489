"""A believable past for `sandan demo`: 90 days of reports and the work on them, made through the real code.

Every step is a chat message handled by the conversation at its own moment (``handle(..., now)``): riders and
residents report, grid secretaries and department contacts take and close the work or transfer it, the
community reviews what the bot was unsure of, reporters rate, and the deadline scan runs each evening, so
督办, points, ratings and the 红蓝黄 plan all come out of the same rules as live traffic. A fixed seed makes
the same history every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.conversation import handle
from bot.inbound import Inbound
from bot.services import Services
from dispatch import deadlines, outbox, points, tickets

#: What people report, by the kind of place it needs ({place}: an estate, {road}: a road).
ESTATE_PROBLEMS = ("{place}{n}栋的垃圾桶坏了", "{place}{n}栋楼道灯不亮了", "{place}{n}栋楼道里堆满了杂物",
                   "{place}{n}栋楼上邻居天天半夜噪音扰民", "{place}{n}栋门口的下水道堵了，污水漫出来",
                   "{place}{n}栋有人在楼道里给电动车充电", "{place}{n}栋独居老人好几天没出门了，麻烦去看看")
ROAD_PROBLEMS = ("{road}的路灯不亮了", "{road}上有个井盖松动了", "{road}边上有人占道经营")
RESULTS = ("已处理完毕", "已更换新的", "已上门协调，双方达成一致", "已清理干净", "已修好，请查看")
#: Two-part answers mostly (解决率 and 满意率), a bare 满意 too (counted as solved).
RATINGS = (("已解决 满意", ""), ("满意", ""), ("已解决 满意", ""), ("已解决 基本满意", "有点慢"),
           ("未解决 不满意", "还是老样子"))
QUESTIONS = ("老年出行卡怎么办？", "办居住证要带什么材料？", "低保怎么申请？")
#: Riders who named themselves (「我叫 …」) and joined a team, in turn, on the first morning.
RIDER_NAMES = ("小李", "阿强", "老王", "小陈", "大刘", "小周", "阿明", "小赵", "老孙", "小吴")


@dataclass
class Step:
    at: datetime
    run: Callable[[], None]
    order: int


class History:
    def __init__(self, services: Services, db: Database, now: datetime, days: int, seed: int) -> None:
        self.services, self.db, self.now, self.days = services, db, now, days
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(services.config.settings.dispatch.timezone)
        self.steps: list[Step] = []
        self.count = 0
        dep = services.config.deployment
        self.estates = [p.name for c in dep.communities for g in c.grids for p in g.places if p.kind == "estate"]
        self.roads = [p.name for c in dep.communities for g in c.grids for p in g.places if p.kind == "road"]
        self.secretary = {s.grid: s.user for s in dep.staff if s.role == "grid_secretary"}
        self.contact = {s.department: s.user for s in dep.staff if s.role == "department"}
        self.dispatcher = {s.community: s.user for s in dep.staff if s.role == "dispatcher"}
        self.departments = dep.departments
        self.grid_names = {g.id: g.name for c in dep.communities for g in c.grids}
        # some grids are slower and less liked than others, so the 红蓝黄 plan has all three colours
        self.slack = {gid: self.rng.choice((0.0, 0.0, 0.0, 0.15, 0.5)) for gid in sorted(self.grid_names)}

    def later(self, at: datetime, run: Callable[[], None]) -> None:
        if at < self.now:
            self.steps.append(Step(at, run, len(self.steps)))

    def say(self, user: str, text: str, at: datetime) -> int | None:
        channel, _, sender = user.partition(":")
        self.count += 1
        reply = handle(self.services, self.db, Inbound(channel=channel, sender=sender, msg_id=f"demo-{self.count}",
                                                       text=text, display_name=""), at)
        return reply.ticket

    def working_moment(self, day: datetime) -> datetime:
        return day.replace(hour=self.rng.choice((9, 10, 11, 14, 15, 16)), minute=self.rng.randrange(60))

    def plan(self) -> None:
        start = (self.now.astimezone(self.tz) - timedelta(days=self.days)).replace(hour=0, minute=0, second=0,
                                                                                   microsecond=0)
        self.plan_teams(datetime.combine(start.date(), time(8, 0), self.tz))
        for d in range(self.days + 1):
            day = start + timedelta(days=d)
            self.later(datetime.combine(day.date(), time(18, 0), self.tz), self.scan)
            for _ in range(self.rng.choice((1, 2, 2, 3))):
                self.plan_report(self.working_moment(day))
            if d % 4 == 0:                       # a question, answered at once from the knowledge base
                at, who = self.working_moment(day), f"api:resident-{self.rng.randint(1, 40)}"
                question = self.rng.choice(QUESTIONS)
                self.later(at, lambda who=who, question=question, at=at: self.say(who, question, at))

    def plan_teams(self, at: datetime) -> None:
        """Riders 1-10 name themselves and join the deployment's teams in turn (no dice: the rest stays the same)."""
        teams = self.services.config.deployment.teams
        for i, name in enumerate(RIDER_NAMES if teams else ()):
            who, team, when = f"api:rider-{i + 1}", teams[i % len(teams)].name, at + timedelta(minutes=i)
            self.later(when, lambda who=who, name=name, when=when: self.say(who, f"我叫 {name}", when))
            self.later(when, lambda who=who, team=team, when=when: self.say(who, f"加入 {team}", when))

    def scan(self) -> None:
        pass   # replaced per step below; kept so a plan line reads as what it does

    def plan_report(self, at: datetime) -> None:
        if self.rng.random() < 0.25 and self.roads:
            text = self.rng.choice(ROAD_PROBLEMS).format(road=self.rng.choice(self.roads))
        else:
            text = self.rng.choice(ESTATE_PROBLEMS).format(place=self.rng.choice(self.estates),
                                                          n=self.rng.randint(1, 30))
        reporter = f"api:{self.rng.choice(('rider', 'resident'))}-{self.rng.randint(1, 40)}"
        fate = self.rng.random()
        self.later(at, lambda: self.follow(reporter, text, at, fate))

    def follow(self, reporter: str, text: str, at: datetime, fate: float) -> None:
        """File the report now; plan what happens to it next."""
        number = self.say(reporter, text, at)
        if number is None:
            return
        t = tickets.get_ticket(self.db, number)
        hours = lambda h: at + timedelta(hours=h)   # noqa: E731
        if self.now - at < timedelta(days=1):
            return                               # today's reports wait for their handler (or the review)
        if t["state"] == "received":             # the bot was unsure: the community reviews it
            dispatcher = self.dispatcher.get(t["community_id"])
            if dispatcher and fate < 0.3:
                self.later(hours(1), lambda: self.say(dispatcher, f"驳回 {number} 不属于社区受理范围，已电话告知", hours(1)))
                return
            grid = next((g for g in self.secretary if g.startswith((t["community_id"] or "?") + "-")), None)
            if dispatcher and grid:
                name = self.grid_names[grid]
                self.later(hours(1), lambda: self.say(dispatcher, f"派单 {number} {name}", hours(1)))
                self.plan_work(number, reporter, hours(1), fate, self.secretary[grid])
            return
        fate = min(0.999, fate + self.slack.get(t["grid_id"], 0.0))
        holder = self.contact.get(t["department_id"]) if t["department_id"] else self.secretary.get(t["grid_id"])
        if not holder:
            return
        if not t["department_id"] and 0.3 <= fate < 0.38:   # beyond the grid's power: transfer it
            department = self.rng.choice(self.departments)
            self.later(hours(2), lambda: self.say(holder, f"转交 {number} {department.name}", hours(2)))
            contact = self.contact.get(department.id)
            if contact:
                self.plan_work(number, reporter, hours(3), fate, contact)
            return
        self.plan_work(number, reporter, at, fate, holder)

    def plan_work(self, number: int, reporter: str, at: datetime, fate: float, holder: str) -> None:
        claim = at + timedelta(hours=self.rng.uniform(0.3, 4))
        self.later(claim, lambda: self.say(holder, f"接单 {number}", claim))
        if fate > 0.96:
            return                               # taken and never finished: overdue, 督办 by the evening scan
        if fate > 0.9:                           # under way, with news for the reporter
            news = claim + timedelta(hours=self.rng.uniform(1, 6))
            self.later(news, lambda: self.say(holder, f"处理中 {number} 已联系维修，等配件", news))
            return
        late = fate > 0.84
        done = claim + timedelta(hours=self.rng.uniform(30, 120) if late else self.rng.uniform(1, 20))
        result = self.rng.choice(RESULTS)
        self.later(done, lambda: self.say(holder, f"办结 {number} {result}", done))
        if fate > 0.78 and not late:
            return                               # nobody rated it yet
        value, reason = self.rng.choice(RATINGS[3:] if fate > 0.5 and late else RATINGS)
        rated = done + timedelta(hours=self.rng.uniform(1, 24))
        self.later(rated, lambda: self.say(reporter, f"{value} {number} {reason}".strip(), rated))
        if value.endswith("不满意") and fate < 0.6:      # 差评整改: done again, and rated again
            again = rated + timedelta(hours=self.rng.uniform(2, 8))
            self.later(again, lambda: self.say(holder, f"办结 {number} 已返工处理", again))
            self.later(again + timedelta(hours=3),
                       lambda: self.say(reporter, f"满意 {number}", again + timedelta(hours=3)))

    def run(self) -> int:
        self.plan()
        done = 0
        while self.steps:                        # steps plan more steps: always take the earliest
            self.steps.sort(key=lambda s: (s.at, s.order))
            step = self.steps.pop(0)
            if step.run == self.scan:
                deadlines.scan(self.db, self.services.config, step.at)
            else:
                step.run()
            done += 1
        points.sync(self.db, self.services.config, self.now)
        outbox.settle_history(self.db, self.now)   # the past's pushes were read long ago: never send them now
        self.db.conn.commit()
        return done


def fill(services: Services, db: Database, now: datetime, days: int = 90, seed: int = 14) -> int:
    """Make ``days`` of history before ``now``; returns how many steps ran."""
    return History(services, db, now, days, seed).run()
