"""What the NLU hands downstream: one Parse per message."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Entities:
    community: str | None = None      # community id, when the text or the place names it
    place: str | None = None          # canonical place name (小区, road or landmark)
    place_kind: str | None = None     # estate | road | landmark
    unlisted_place: str | None = None  # a 小区 the words name that the deployment does not list (未登记的地点)
    place_suggestion: str | None = None   # a listed place the words nearly name: ask before routing to it
    building: str | None = None       # "3栋"
    unit: str | None = None           # "2单元"
    room: str | None = None           # "301室"
    road: str | None = None
    landmark: str | None = None
    facility: str | None = None
    public_space: bool = False        # the words put the matter outside: at a gate, on the street, by the road
    phone: str | None = None

    @property
    def where(self) -> str | None:
        """The place the words name, whatever its kind: a 小区 (listed or not), a road or a landmark."""
        return self.place or self.unlisted_place or self.road or self.landmark


@dataclass
class Parse:
    text: str
    intent: str                       # report | question | status | my_tickets | claim | … | chitchat
    category: str
    urgency: str
    confidence: float                 # the lower of the intent's and the category's probability
    entities: Entities = field(default_factory=Entities)
    args: dict[str, Any] = field(default_factory=dict)   # command arguments, e.g. {"ticket": 12}
    source: str = "builtin"           # which engine decided: builtin | rasa
    emergency: str | None = None      # the deployment's emergency kind (火情, 受伤…) when a life is in danger now
    only_place: bool = False          # the words name a place and nothing else (「平东小区2栋」)
    problem_words: bool = False       # a category's or an emergency's keywords, or a complaint: says what is wrong
    wrong: bool = False               # the words say something is wrong (坏了, 堵了, 没人管…)
    talk: bool = False                # thanks, praise, work done, or words to the other people in a group chat
    report_odds: float | None = None  # the report-or-talk model's probability that the words report a problem
    asks: bool = False                # the words ask something (吗, 是不是, 哪, 几号…)
    talk_not_report: bool = False     # read as a report, but nothing in it reports: chit-chat unless a report waits
    about_staff: bool = False         # a complaint about the grid or community staff who would handle it
    cancel: bool = False              # the words drop what is being told (取消, 算了, 不说了…)
    yes_no: str | None = None         # "yes" / "no" when the words are only an answer to a yes/no question
    suggested_place: str | None = None   # a known place the words nearly name, to confirm (「您说的是「仙源小区」吗？」)
    language: str = "zh"              # zh | en: the language to answer in
    reading: str = ""                 # what the NLU read: the text in simplified characters, English glossed
    intent_confidence: float | None = None   # a report's intent probability alone (confidence also has the category's)
    category_odds: dict[str, float] = field(default_factory=dict)   # a report's likelier categories and their odds

    @property
    def words(self) -> str:
        """The text as the NLU read it, for rules downstream (duty words, knowledge search)."""
        return self.reading or self.text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
