"""The deployment's settings: config.yaml plus the deployment file it names, validated once at start.

Rule for this package: it reads files and the environment, nothing else. It never imports Flask,
wechatpy or the store, so nlu/ and dispatch/ can depend on it.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Handling = Literal["reply", "self", "transfer"]

#: Environment variables that may carry secrets instead of config.yaml (key path → variable).
SECRET_ENV = {
    ("wechat", "token"): "SANDAN_WECHAT_TOKEN",
    ("wechat", "app_secret"): "SANDAN_WECHAT_APP_SECRET",
    ("wechat", "aes_key"): "SANDAN_WECHAT_AES_KEY",
    ("work_wechat", "secret"): "SANDAN_WORK_WECHAT_SECRET",
    ("work_wechat", "token"): "SANDAN_WORK_WECHAT_TOKEN",
    ("work_wechat", "aes_key"): "SANDAN_WORK_WECHAT_AES_KEY",
    ("web", "secret_key"): "SANDAN_SECRET_KEY",
    ("web", "admin_password"): "SANDAN_ADMIN_PASSWORD",
    ("web", "api_key"): "SANDAN_API_KEY",
    ("nlu", "rasa_token"): "SANDAN_RASA_TOKEN",
    ("ops", "metrics_token"): "SANDAN_METRICS_TOKEN",
    ("store", "url"): "SANDAN_STORE_URL",          # a PostgreSQL URL carries its password
}

#: The secrets the shipped config.yaml carries for `sandan demo`: public in git, so refused anywhere else.
DEMO_SECRET_VALUES = frozenset({
    "demo-secret-change-me", "change-me", "sandan-demo", "demo-api-key", "sandan-demo-token", "demo-app-secret",
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "demo-corp-secret", "sandan-work-token",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg",
})


class ConfigError(Exception):
    """config.yaml or the deployment file cannot be used; the message names the key and the fix."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- deployment (data/deployment.yaml)


#: How the name of a 小区 (or a road, a landmark) ends. What is left of a place's name or alias without these
#: must still name it: 「花苑小区」 or 「实验小学」 would be every city's, and a report naming another estate would
#: be routed here. The NLU reads names of places the deployment does not list by these endings too.
ESTATE_ENDINGS = ("小区", "花园", "花苑", "家园", "华庭", "华府", "新村", "新城", "宿舍", "家属院", "家属区", "宿舍区",
                  "公寓", "大厦", "山庄", "名苑", "雅苑", "苑", "园", "里")
PLACE_ENDINGS = ESTATE_ENDINGS + ("大道", "路", "街", "巷", "小学", "中学", "幼儿园", "学校", "医院", "公园", "广场",
                                  "菜市场", "农贸市场", "市场", "超市", "公交站", "站", "卫生站", "卫生院", "服务站",
                                  "服务中心", "商业街")
#: Words that name no particular place: an alias that is one of these (or an ending) before its ending is refused.
GENERIC_PLACE_WORDS = ("实验", "文化", "中心", "人民", "第一", "第二", "第三", "社区", "商业", "农贸", "卫生", "服务",
                       "中央", "城市", "市民", "公共", "职工", "员工", "学校", "单位", "我们", "这个", "那个", "屋顶",
                       "楼顶", "空中", "街心", "动物", "植物", "游乐", "产业", "工业", "科技", "物流")


def too_generic(surface: str) -> bool:
    """A name that would be any city's: 「花苑小区」 (花苑 + 小区), 「实验小学」, 「文化广场」; 「森工小区」 is not.

    The shortest ending is taken off, so 「广场花苑」 keeps 「广场花」 and stays a name."""
    ending = min((e for e in PLACE_ENDINGS if surface.endswith(e)), key=len, default="")
    core = surface[:len(surface) - len(ending)]
    return len(core) < 2 or core in PLACE_ENDINGS or core in GENERIC_PLACE_WORDS


class Place(Strict):
    """A 小区, road or landmark a grid covers. ``buildings`` limits a 小区 split between grids."""

    name: str
    kind: Literal["estate", "road", "landmark"] = "estate"
    aliases: list[str] = []
    buildings: tuple[int, int] | None = None
    location: tuple[float, float] | None = None  # (latitude, longitude)
    property_company: str = ""                   # the estate's 物业 company, rated on the public board


class Grid(Strict):
    id: str
    name: str
    places: list[Place] = []
    area: list[tuple[float, float]] = []  # polygon of (lat, lon) for shared locations


class Community(Strict):
    id: str
    name: str
    aliases: list[str] = []
    grids: list[Grid]
    volunteer_groups: list[str] = []   # keys of ``groups``: where 征集 posts a task (在职党员报到志愿服务群)


class Department(Strict):
    id: str
    name: str
    duties: str = ""
    aliases: list[str] = []      # what staff call it in chat: 「转交 12 路灯所」
    phone: str = ""              # the office's number, shown in full when a handler gives it to a resident


class Category(Strict):
    """A kind of matter. Its time limit is ``deadline_hours`` of the clock (unit ``hours``) or of working time
    (``work_hours``), or ``deadline_days`` working days (``work_days``, a day being one day's working hours)."""

    name: str
    handling: Handling = "self"
    deadline_hours: float = 72
    deadline_unit: Literal["hours", "work_hours", "work_days"] = "hours"
    deadline_days: float = 3
    claim_hours: float | None = Field(default=None, ge=0)   # working hours to claim it (None: dispatch.claim_hours)
    keywords: list[str] = []
    department: str | None = None  # for handling "transfer"


def _check_patterns(words: list[str]) -> list[str]:
    """Words are regular expressions (plain words are fine too); one that does not compile is named."""
    for word in words:
        try:
            re.compile(word)
        except re.error as e:
            raise ValueError(f"'{word}' is not a valid regular expression ({e}); fix it or write it as plain words")
    return words


class AuthorityRule(Strict):
    """A department's duty: a facility or matter that needs its power (its name, or one of ``words``, regular
    expressions, in the message); ``where`` says on which kind of place it applies."""

    facility: str
    department: str
    where: Literal["anywhere", "public", "road"] = "anywhere"   # road: on a road or at a landmark only
    category: str | None = None
    words: list[str] = []

    _words_compile = field_validator("words")(_check_patterns)


class Urgency(Strict):
    """A level of urgency. ``words`` (regular expressions) make a message this urgent; ``deadline_hours``
    of the clock then limit the ticket when that ends before the category's limit."""

    name: str
    deadline_hours: float
    claim_minutes: float = Field(default=0, ge=0)   # minutes of the clock to claim it, day or night (0: none)
    words: list[str] = []

    _words_compile = field_validator("words")(_check_patterns)


class EmergencyKind(Strict):
    """A danger to life happening now (a fire, someone trapped or hurt): the ticket gets ``urgency``, and the
    reply first tells the sender to call ``call`` (and ``also``, when set)."""

    name: str
    call: str = Field(min_length=1)      # the number to call at once: 119, 120, 110
    also: str = ""                       # somewhere else to call as well: a name under ``hotlines`` (燃气公司抢修电话)
    words: list[str] = Field(min_length=1)   # regular expressions
    category: str | None = None          # the category the ticket takes, whatever the model guesses
    urgency: str = "紧急"
    not_with: list[str] = []             # in the same sentence, the words describe something else (焚烧垃圾的浓烟)

    _words_compile = field_validator("words", "not_with")(_check_patterns)


class Emergencies(Strict):
    """Which messages are emergencies. A word right after one of ``not_after`` (容易起火, 防止老人摔倒, 没有人受伤)
    or right before one of ``not_before`` (火灾隐患) speaks of a risk, not of something happening now. One
    followed anywhere later by an ``over`` pattern (着火过, 摔倒了，已经没事了) is over."""

    not_after: list[str] = []
    not_before: list[str] = []
    over: list[str] = []                 # regular expressions, searched in the rest of the message
    past_or_if: list[str] = []           # earlier in the sentence: another time or a supposition (上个月, 如果)
    still: list[str] = []                # between such a word and the event: it goes on now (一直, 到现在还)
    worry: list[str] = []                # earlier in the same clause: a fear, a risk, a question (担心…漏气)
    then: list[str] = []                 # later in the sentence: what would follow (人都跑不出来)
    kinds: list[EmergencyKind] = []
    hotlines: dict[str, str] = {}        # a number people are told to call, by name: 燃气公司抢修电话 → 0792-…
    #: who hears of an emergency at once, besides the reporter: the grid of the place, the community's
    #: dispatchers, the leaders on duty
    notify: list[Literal["grid", "dispatcher", "leader"]] = ["grid", "dispatcher", "leader"]
    on_duty: list[str] = []              # the leaders on duty (user ids); empty: every leader of the community

    _over_compile = field_validator("over", "past_or_if", "still", "worry", "then")(_check_patterns)

    def also_text(self, kind: EmergencyKind) -> str:
        """The second number of a kind as people dial it: 「燃气公司抢修电话 0792-8213119」."""
        number = self.hotlines.get(kind.also, "")
        return f"{kind.also} {number}" if number else kind.also

    @model_validator(mode="after")
    def _also_has_a_number(self) -> "Emergencies":
        for kind in self.kinds:
            if kind.also and kind.also not in self.hotlines and not re.search(r"\d{3}", kind.also):
                raise ValueError(f"emergencies.{kind.name}.also: '{kind.also}' has no number; add it under "
                                 f"emergencies.hotlines ({kind.also}: \"0792-…\") or write the number itself")
        return self


class StaffMember(Strict):
    """A staff account bound ahead of time (demo and tests); real deployments use invite codes."""

    user: str
    name: str
    role: Literal["grid_secretary", "dispatcher", "department", "leader", "admin"]
    grid: str | None = None
    department: str | None = None
    community: str | None = None
    phone: str = ""              # a work number the person may give residents (not masked in pushes)


class Team(Strict):
    """A team of riders (流动网格, e.g. 龙西小哥队) led by a 网格长; riders join with 「加入 龙西小哥队」."""

    id: str
    name: str
    community: str | None = None   # the community the team serves (the roster and the export show it)
    leader: str = ""               # the 网格长's user id (channel:id), told when someone joins
    leader_name: str = ""          # how the team page names the 网格长


class Deployment(Strict):
    district: str
    communities: list[Community]
    departments: list[Department]
    categories: list[Category]
    facilities: list[str] = []
    authority: list[AuthorityRule] = []
    urgency: list[Urgency] = []
    emergencies: Emergencies = Emergencies()
    staff: list[StaffMember] = []
    groups: dict[str, str] = {}  # group chat id → display name, e.g. the riders' group
    teams: list[Team] = []       # rider teams (流动网格), each with its 网格长
    english: dict[str, str] = {}  # English words → the Chinese the NLU reads instead (gas leak → 燃气泄漏)

    def grid(self, grid_id: str | None) -> Grid | None:
        return next((g for c in self.communities for g in c.grids if g.id == grid_id), None)

    def community(self, community_id: str | None) -> Community | None:
        return next((c for c in self.communities if c.id == community_id), None)

    def community_of_grid(self, grid_id: str | None) -> Community | None:
        return next((c for c in self.communities for g in c.grids if g.id == grid_id), None)

    def department(self, department_id: str | None) -> Department | None:
        return next((d for d in self.departments if d.id == department_id), None)

    def team(self, team_id: str | None) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    def team_named(self, name: str) -> Team | None:
        """A team by its name or id, as a rider types it (「加入 龙西小哥队」; 「小哥队」 alone is too vague)."""
        name = name.strip()
        return next((t for t in self.teams if name in (t.name, t.id)), None)

    def category(self, name: str) -> Category:
        return next((c for c in self.categories if c.name == name), None) or self.category("其他")

    def emergency_kind(self, name: str | None) -> EmergencyKind | None:
        return next((k for k in self.emergencies.kinds if k.name == name), None)

    def is_urgent(self, urgency: str | None) -> bool:
        """The most urgent level (the first listed, 紧急 in the demo): pushes say so, and review cannot wait."""
        return bool(self.urgency) and urgency == self.urgency[0].name

    def staff_numbers(self) -> frozenset[str]:
        """Work numbers of offices and staff: a handler may share them with a resident, so they are not masked."""
        numbers = [d.phone for d in self.departments] + [s.phone for s in self.staff]
        return frozenset(n.replace("-", "").replace(" ", "") for n in numbers if n)

    def handler_name(self, grid_id: str | None, department_id: str | None) -> str:
        """Who has a ticket, as people call them: the department if transferred, else the grid."""
        if (d := self.department(department_id)) is not None:
            return d.name
        if (g := self.grid(grid_id)) is not None:
            return g.name
        return "社区"

    @model_validator(mode="after")
    def _references_exist(self) -> "Deployment":
        departments = {d.id for d in self.departments}
        categories = {c.name for c in self.categories}
        grids = {g.id for c in self.communities for g in c.grids}
        communities = {c.id for c in self.communities}
        for c in self.categories:
            if c.department and c.department not in departments:
                raise ValueError(f"categories.{c.name}.department: unknown department '{c.department}'")
            if c.handling == "transfer" and not c.department:
                raise ValueError(f"categories.{c.name}: handling 'transfer' needs a department")
        for r in self.authority:
            if r.department not in departments:
                raise ValueError(f"authority.{r.facility}.department: unknown department '{r.department}'")
            if r.category and r.category not in categories:
                raise ValueError(f"authority.{r.facility}.category: unknown category '{r.category}'")
        levels = {u.name for u in self.urgency}
        for kind in self.emergencies.kinds:
            if kind.category and kind.category not in categories:
                raise ValueError(f"emergencies.{kind.name}.category: unknown category '{kind.category}'")
            if kind.urgency not in levels:
                raise ValueError(f"emergencies.{kind.name}.urgency: unknown urgency level '{kind.urgency}'; "
                                 f"use one of the names under urgency")
        for s in self.staff:
            if s.grid and s.grid not in grids:
                raise ValueError(f"staff.{s.user}.grid: unknown grid '{s.grid}'")
            if s.department and s.department not in departments:
                raise ValueError(f"staff.{s.user}.department: unknown department '{s.department}'")
            if s.community and s.community not in communities:
                raise ValueError(f"staff.{s.user}.community: unknown community '{s.community}'")
        for community in self.communities:
            for group in community.volunteer_groups:
                if group not in self.groups:
                    raise ValueError(f"communities.{community.id}.volunteer_groups: '{group}' is not under groups; "
                                     f"add it there with the group's name")
        self._teams_are_distinct(communities)
        self._place_names_are_unique()
        if "其他" not in categories:
            raise ValueError("categories: add a catch-all category named '其他'")
        return self


    def _teams_are_distinct(self, communities: set[str]) -> None:
        seen: set[str] = set()
        for t in self.teams:
            for key in (t.id, t.name):
                if key in seen:
                    raise ValueError(f"teams.{t.id}: '{key}' is used by another team; give each team its own id and name")
                seen.add(key)
            if t.community and t.community not in communities:
                raise ValueError(f"teams.{t.id}.community: unknown community '{t.community}'")
            if t.leader and ":" not in t.leader:
                raise ValueError(f"teams.{t.id}.leader: '{t.leader}' should be a user id such as wechat:oAbc…")

    def _place_names_are_unique(self) -> None:
        """Every name and alias says which place it is: none too generic to be any one place's, none two places'."""
        owner: dict[str, str] = {}
        generic: list[str] = []
        for community in self.communities:
            for grid in community.grids:
                for place in grid.places:
                    for surface in [place.name, *place.aliases]:
                        if too_generic(surface) and surface not in generic:
                            generic.append(surface)
                        if owner.setdefault(surface, place.name) != place.name:
                            raise ValueError(f"places: '{surface}' names both {owner[surface]} and {place.name}; "
                                             f"give each place aliases of its own")
        if generic:
            raise ValueError(f"places: the aliases {', '.join(generic)} are too generic to name one place (any "
                             f"city has one); remove them or write the place's own name in them")


# ---------------------------------------------------------------- config.yaml


class StoreSettings(Strict):
    """Where the data lives: ``url`` names a PostgreSQL database (postgresql://user:pass@host/db) or a SQLite
    file (sqlite:///var/sandan.db, or a plain path); empty means the SQLite file at ``path``."""

    url: str = ""
    path: str = "var/sandan.db"
    media_dir: str = "var/media"
    # Where photos, videos and recordings are kept: "local" (media_dir on this machine, or a folder every
    # machine mounts) or "database" (the store's media_files table); empty: database on PostgreSQL, else local.
    media: Literal["", "local", "database"] = ""
    spool_dir: str = "var/spool"     # WeChat messages kept while the store was too busy to take them in time
    video_max_mb: float = Field(default=10, gt=0)   # a bigger video is not kept; the sender is asked for a shorter one
    ffmpeg: str = "ffmpeg"     # converts voice recordings (AMR, Speex) for the browser; empty or absent keeps them as sent

    @field_validator("url")
    @classmethod
    def _url_reads(cls, url: str) -> str:
        if "://" in url and not url.startswith(("postgresql://", "postgres://", "sqlite:///")):
            raise ValueError(f"'{url.split('://')[0]}://' is not a store; use postgresql://… or a SQLite path")
        return url


class WebSettings(Strict):
    secret_key: str = "change-me"
    admin_user: str = "admin"
    admin_password: str = ""
    max_body_bytes: int = 1_048_576
    api_key: str = ""          # for the JSON API and Open311 POST; empty disables them
    demo_chat: bool = False    # the /chat demo page: no login, anyone may act as demo staff; `sandan demo` turns it on
    pool_size: int = Field(default=16, ge=1)                  # store connections kept for reuse; more are closed
    max_concurrent_requests: int = Field(default=64, ge=1)    # requests handled at once; the rest wait their turn
    request_wait_seconds: float = Field(default=2, ge=0)      # …this long, then 503


class WeChatSettings(Strict):
    enabled: bool = True
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    aes_key: str = ""
    api_base_url: str = "https://api.weixin.qq.com/cgi-bin/"
    template_ids: dict[str, str] = {}
    token_refresh_retries: int = Field(default=2, ge=0, le=5)
    writer_wait_seconds: float = Field(default=3, gt=0)   # a callback waits this long for the store, then keeps
                                                          # the message to handle after and answers in time


class WorkWeChatSettings(Strict):
    enabled: bool = False
    corp_id: str = ""
    agent_id: int = 0
    secret: str = ""
    token: str = ""
    aes_key: str = ""
    api_base_url: str = "https://qyapi.weixin.qq.com/cgi-bin/"


class NluSettings(Strict):
    backend: Literal["builtin", "rasa"] = "builtin"
    review_threshold: float = Field(default=0.45, ge=0, le=1)
    group_report_threshold: float = Field(default=0.6, ge=0, le=1)   # in a group chat, less sure is chatter
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    rasa_timeout_seconds: float = 1.5
    rasa_retry_seconds: float = 30     # after a failed call, use the builtin model this long before trying again
    model_path: str = "var/nlu-model.pkl"


class DispatchSettings(Strict):
    timezone: str = "Asia/Shanghai"
    remind_at: list[float] = [0.5, 0.8]
    reopen_deadline_factor: float = Field(default=0.5, gt=0, le=1)
    rating_timeout_days: int = 3
    close_unrated_as_satisfied: bool = False
    rating_reminder_hours: list[float] = [24, 72]   # after 办结, the reporter is reminded to rate at these hours
    followup_after_hours: float = 96                # still unrated this long after 办结 → the dispatchers' 回访 list
    claim_hours: float = Field(default=2, ge=0)     # response limit: working hours to 接单 (a category may differ; 0: none)
    claim_remind_at: list[float] = [0.75]           # remind the handler at these shares of the response limit
    duplicate_window_hours: float = 72
    photo_join_minutes: float = 5
    outbox_interval_seconds: float = 2
    outbox_senders: int = Field(default=2, ge=1)           # sender threads per worker, each claiming its own rows
    outbox_batch: int = Field(default=20, ge=1)            # rows a sender claims at a time
    outbox_claim_seconds: float = Field(default=60, gt=0)  # a claim unsent this long (its worker died) is taken again
    outbox_max_attempts: int = Field(default=12, ge=1)   # a push failing this often (about 45 minutes) is given up
    deadline_scan_seconds: float = 60
    duplicate_similarity: float = Field(default=0.5, ge=0, le=1)   # bigram overlap, see dispatch/duplicates.py
    working_hours: list[str] = ["08:30-12:00", "14:00-17:30"]   # local time, for work_hours / work_days limits
    working_days: list[int] = [1, 2, 3, 4, 5]                    # ISO weekdays, Monday = 1
    holiday_calendar: Literal["china", "none"] = "china"         # 法定节假日 and 调休 from chinese-calendar
    holidays: list[str] = []                                     # YYYY-MM-DD days off (overrides the calendar)
    extra_working_days: list[str] = []                           # YYYY-MM-DD days worked (overrides the calendar)
    calendar_years: list[int] = []            # years whose days off config lists in full (the package lacks them)
    calendar_warn_days: int = Field(default=60, ge=0, le=366)   # warn this long before an unknown year begins
    leader_escalation_hours: float = 24       # 督办 still open this much later → the leaders (working hours
                                              # when the ticket's limit is in working time)
    invite_valid_days: float = 7
    review_remind_hours: float = 2            # working hours in the review queue before dispatchers are reminded
    urgent_review_remind_minutes: float = 15  # an emergency waiting in review: minutes of the clock, day or night
    daily_digest_at: str = "08:00"            # local HH:MM, every day, to each grid secretary
    weekly_summary_at: str = "mon 08:30"      # local day and HH:MM, to each community dispatcher
    joint_after_departments: int = 2          # a ticket transferred to this many departments goes to 联席会议
    recurring_min_tickets: int = Field(default=3, ge=2)   # 高频问题: this many reports of one category at one
    recurring_window_days: int = Field(default=30, ge=1)  # place within this many days (主动治理)
    scheduler_lease_seconds: float = 30       # a scheduler that stops renewing its lease this long is replaced

    @model_validator(mode="after")
    def _times_read(self) -> "DispatchSettings":
        hhmm = r"([01]?\d|2[0-3]):[0-5]\d"
        for span in self.working_hours:
            if not re.fullmatch(rf"{hhmm}-{hhmm}", span):
                raise ValueError(f"working_hours: '{span}' should look like 08:30-12:00")
        for field in ("holidays", "extra_working_days"):
            for day in getattr(self, field):
                try:
                    date.fromisoformat(day)
                except ValueError:
                    raise ValueError(f"{field}: '{day}' is not a date like 2027-10-01")
        if not re.fullmatch(hhmm, self.daily_digest_at):
            raise ValueError(f"daily_digest_at: '{self.daily_digest_at}' should look like 08:00")
        if not re.fullmatch(rf"(mon|tue|wed|thu|fri|sat|sun) {hhmm}", self.weekly_summary_at):
            raise ValueError(f"weekly_summary_at: '{self.weekly_summary_at}' should look like 'mon 08:30'")
        return self


class ConversationSettings(Strict):
    """How long the bot keeps waiting for what it asked a person (see bot/conversation/context.py)."""

    wait_minutes: float = Field(default=10, gt=0)             # a place, the words of a report, a yes/no
    rating_target_minutes: float = Field(default=1440, gt=0)  # a bare 满意 rates the ticket last shown or asked
    correction_minutes: float = Field(default=10, ge=0)       # a rating may be changed this long after it
    scan_place_minutes: float = Field(default=120, gt=0)      # a 帮办二维码's place holds for reports this long


class LimitSettings(Strict):
    """Limits on one person: reports and points in chat (one person, or one stolen account, cannot flood the
    grids with tickets and pushes, or mint points; staff are not limited), and guesses at dashboard passwords
    and invite codes."""

    reports_per_minute: int = Field(default=5, ge=1)
    reports_per_hour: int = Field(default=30, ge=1)
    points_per_day: int = Field(default=100, ge=0)     # 志愿服务积分 earned in any 24 hours; more is recorded as 0
    # guessing (dashboard passwords, invite codes): free failures, then a lock doubling from lock_seconds
    free_failures: int = Field(default=5, ge=1)
    lock_seconds: float = Field(default=30, gt=0)
    lock_max_seconds: float = Field(default=3600, gt=0)
    forget_failures_seconds: float = Field(default=3600, gt=0)   # failures this long ago no longer count
    session_hours: float = Field(default=12, gt=0)               # a dashboard login lasts this long


class Reward(Strict):
    """An item in the rewards catalogue; ``stock`` None means unlimited."""

    name: str
    cost: int = Field(gt=0)
    stock: int | None = None


class PointsSettings(Strict):
    """志愿服务积分 for valid reports, 心愿积分 for staff tasks closed with a good rating."""

    report: int = 10             # a report accepted as valid (routed, claimed…; not merged or rejected)
    photo: int = 5               # extra when the report came with a photo
    suggestion: int = 5          # extra for a suggestion (建议)
    urgent: int = 10             # extra for an urgent hazard
    urgent_levels: list[str] = ["紧急"]
    suggestion_words: list[str] = ["建议", "希望增设", "能不能增加"]
    staff_task: int = 10         # 心愿积分 for a task closed with a good rating
    good_ratings: list[str] = ["满意", "基本满意"]
    reporter_roles: list[str] = ["resident", "rider", "volunteer"]
    leaderboard_size: int = Field(default=10, ge=1, le=100)
    champion_group: str = "fengchao"   # deployment.groups key announced to every Monday
    rewards: list[Reward] = []


class StarLevel(Strict):
    """One 星级志愿者 level: reached with at least ``points`` 志愿服务积分 earned (spending does not lower it) and
    at least ``hours`` of confirmed service."""

    stars: int = Field(ge=1, le=5)
    points: int = Field(default=0, ge=0)
    hours: float = Field(default=0, ge=0)


class VolunteerSettings(Strict):
    """志愿服务: what a task a volunteer claimed (认领) and the grid confirmed (确认) earns."""

    task_points: int = Field(default=20, ge=0)        # 志愿服务积分 per confirmed task
    task_hours: float = Field(default=1, ge=0)        # service hours recorded per confirmed task
    stars: list[StarLevel] = []                       # 星级志愿者, lowest first
    #: 征集 asks first the volunteers free now: the parts of a day their 服务时间 may name, as [from, to) hours
    free_hours: dict[str, tuple[int, int]] = {"上午": (8, 12), "中午": (11, 14), "下午": (12, 18), "白天": (8, 18),
                                              "晚上": (18, 22), "下班后": (18, 22), "傍晚": (17, 20), "夜间": (18, 23)}
    #: pieces of a 特长 too general to say it fits a task (「水电维修」 fits a 水电 task, not every 维修 one)
    generic_skill_words: list[str] = ["维修", "服务", "帮忙", "志愿", "工作", "处理", "问题", "可以", "擅长"]

    @field_validator("stars")
    @classmethod
    def _stars_climb(cls, levels: list[StarLevel]) -> list[StarLevel]:
        for lower, higher in zip(levels, levels[1:]):
            if higher.stars <= lower.stars or higher.points < lower.points or higher.hours < lower.hours:
                raise ValueError(f"the {higher.stars}-star level must come after the {lower.stars}-star one and "
                                 "need at least its points and hours; list the levels lowest first")
        return levels


class NameSettings(Strict):
    """The name a rider or volunteer chooses (「我叫 小李」), shown on leaderboards and the roster."""

    max_chars: int = Field(default=12, ge=2, le=32)
    reserved_words: list[str] = []     # a name holding one of these could pass for staff (书记, 管理员…)



class WishSettings(Strict):
    """微心愿: what a wish the resident confirmed earns its volunteer, by the resident's rating, and list sizes."""

    points: dict[str, int] = {"满意": 10, "基本满意": 5, "不满意": 0}   # 心愿积分 by the resident's rating
    list_size: int = Field(default=10, ge=1, le=50)   # wishes one 「心愿」 or 「我的心愿」 shows
    max_chars: int = Field(default=200, ge=10)        # a longer wish is refused kindly


class QrCodeSettings(Strict):
    """帮办二维码 posters (`sandan qrcode`, the dashboard's 二维码 page)."""

    font: str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"   # a font with Chinese characters (TTF/TTC)
    public_url: str = "http://127.0.0.1:8800"   # where residents open the web chat: posters for it encode /chat?place=…
    out_dir: str = "var/qrcodes"                # where `sandan qrcode` writes the posters
    dpi: int = Field(default=150, ge=72, le=600)   # an A5 poster at this resolution


class RatingSettings(Strict):
    """The grid rating 红/蓝/黄: weighted score out of 100; 红 at or above red_at, 黄 below blue_at."""

    completion_weight: float = Field(default=0.3, ge=0)
    on_time_weight: float = Field(default=0.3, ge=0)
    activity_weight: float = Field(default=0.1, ge=0)
    satisfaction_weight: float = Field(default=0.3, ge=0)
    response_weight: float = Field(default=0, ge=0)      # 响应率: claimed within the response limit
    resolution_weight: float = Field(default=0, ge=0)    # 解决率: the resident (or the 回访 call) says it is solved
    red_at: float = 85
    blue_at: float = 70
    colour_by: Literal["cutoffs", "shares"] = "cutoffs"   # shares: each colour a fixed share of the rated units
    red_share: float = Field(default=0.3, ge=0, le=1)     # the best 30% are 红 …
    yellow_share: float = Field(default=0.2, ge=0, le=1)  # … the last 20% 黄, the rest 蓝
    recent_reports: int = Field(default=100, ge=0, le=1000)   # how many reports the public board lists
    min_tickets: int = 1         # a grid with fewer tickets in the period is rated on what it has


class OpsSettings(Strict):
    """Running it for real: the production server, readiness limits, metrics and backups."""

    workers: int = Field(default=2, ge=1, le=64)        # gunicorn worker processes (`sandan serve`)
    threads: int = Field(default=4, ge=1, le=64)        # threads per worker (gthread)
    timeout_seconds: int = Field(default=30, ge=5)      # a worker silent this long is restarted
    keepalive_seconds: int = Field(default=5, ge=0)
    max_requests: int = Field(default=5000, ge=0)       # recycle a worker after this many requests (0: never)
    ready_outbox_backlog: int = Field(default=500, ge=1)          # /ready is red above this many unsent pushes
    ready_outbox_age_seconds: float = Field(default=900, gt=0)    # ... or when the oldest due push waits longer
    metrics_token: str = ""              # when set, /metrics wants "Authorization: Bearer TOKEN"
    backup_dir: str = "var/backups"
    backup_at: str = "03:00"             # local HH:MM, the daily backup by the scheduler
    backup_keep: int = Field(default=7, ge=0)           # daily backups kept; 0 turns the daily backup off

    @field_validator("backup_at")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"backup_at: '{value}' should look like 03:00")
        return value


class Settings(Strict):
    deployment_file: str = "data/deployment.yaml"
    knowledge_file: str = "data/knowledge.yaml"
    nlu_data_dir: str = "data/nlu"
    store: StoreSettings = StoreSettings()
    web: WebSettings = WebSettings()
    wechat: WeChatSettings = WeChatSettings()
    work_wechat: WorkWeChatSettings = WorkWeChatSettings()
    nlu: NluSettings = NluSettings()
    dispatch: DispatchSettings = DispatchSettings()
    conversation: ConversationSettings = ConversationSettings()
    points: PointsSettings = PointsSettings()
    volunteers: VolunteerSettings = VolunteerSettings()
    wishes: WishSettings = WishSettings()
    qrcode: QrCodeSettings = QrCodeSettings()
    names: NameSettings = NameSettings()
    limits: LimitSettings = LimitSettings()
    rating: RatingSettings = RatingSettings()
    ops: OpsSettings = OpsSettings()


class Config(BaseModel):
    """Everything the app needs to know about its deployment, paths already made absolute."""

    model_config = ConfigDict(frozen=True)

    root: Path
    settings: Settings
    deployment: Deployment

    def path(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p


def demo_secrets(settings: Settings) -> list[tuple[str, str]]:
    """(setting, SANDAN_* variable) of each secret still at a demo value (or, for the session key, empty);
    the channels' secrets count only when the channel is enabled."""
    sections = {"web": True, "nlu": True, "ops": True, "wechat": settings.wechat.enabled, "work_wechat": settings.work_wechat.enabled}
    found = []
    for (section, key), var in SECRET_ENV.items():
        value = getattr(getattr(settings, section), key)
        if sections.get(section, True) and (value in DEMO_SECRET_VALUES or (key == "secret_key" and not value)):
            found.append((f"{section}.{key}", var))
    return found


def _describe(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    msg = first["msg"]
    if first["type"] == "value_error":   # our own cross-reference checks already name the key and the fix
        where = ".".join(str(p) for p in first["loc"])
        return f"{source}: {where + ': ' if where else ''}{msg.removeprefix('Value error, ')}{more}"
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        fix = "remove it or check its spelling"
    elif first["type"] == "missing":
        fix = "add it"
    else:
        fix = f"got {repr(first.get('input'))[:60]}"
    return f"{source}: {where}: {msg}; {fix}{more}"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found; create it or pass --config with the right path")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{line}: not valid YAML ({getattr(e, 'problem', e)}); check indentation and colons")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return data


def _apply_env(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    for (section, key), var in SECRET_ENV.items():
        if environ.get(var):
            block = raw.setdefault(section, {})
            if not isinstance(block, dict):
                raise ConfigError(f"config.yaml: {section}: expected a mapping")
            block[key] = environ[var]
    return raw


def load_config(path: str | Path = "config.yaml", overrides: dict[str, Any] | None = None,
                environ: dict[str, str] | None = None) -> Config:
    """Read and validate config.yaml and its deployment file.

    :param overrides: top-level sections merged over the file (tests pass a temp store here).
    :raises ConfigError: with one line naming the file, the key and the fix.
    """
    path = Path(path).resolve()
    raw = _apply_env(_read_yaml(path), dict(os.environ if environ is None else environ))
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
        else:
            raw[key] = value
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(_describe(e, path.name))
    root = path.parent
    dep_path = Path(settings.deployment_file)
    dep_path = dep_path if dep_path.is_absolute() else root / dep_path
    try:
        deployment = Deployment.model_validate(_read_yaml(dep_path))
    except ValidationError as e:
        raise ConfigError(_describe(e, dep_path.name))
    return Config(root=root, settings=settings, deployment=deployment)
