"""First-pass intent and category rules: keyword evidence from the deployment's taxonomy.

These decide when no trained model is present and give the learned model features it can trust.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from nlu.commands import RATING_WORD
from nlu.judgements import asks, is_talk, says_something_is_wrong
from settings import Deployment, Emergencies, EmergencyKind

_GREETING = re.compile(r"^\s*(你好|您好|hi|hello|在吗|在不在|早上好|晚上好|下午好|哈喽)[呀啊!！。~ ]*\s*$", re.I)
_CHITCHAT = re.compile(
    r"^\s*(谢谢|多谢|感谢|辛苦了|好的|好|收到|嗯+|哦+|ok|👍|哈哈+|明白|知道了|没事|再见|拜拜)[了啦呀啊!！。~ ]*\s*$", re.I
)
_DIGIT = re.compile(r"\d")
_EMOJI_ONLY = re.compile(r"^[\W_\s\U0001F000-\U0001FAFF\u2600-\u27BF]*$")
_QUESTION = re.compile(
    r"(怎么办|怎么申请|如何办理|如何申请|怎么领|怎么办理|去哪|在哪里办|哪里办|需要什么|要带什么|带什么|什么材料|多久能|多长时间|"
    r"能不能办|可以办|咨询一下|想咨询|请问.*(吗|呢|？|\?)|(吗|呢)[？?]?$|[？?]$|"
    # chat's own ways of asking: 咋 (怎么), 啥 (什么), and A-not-A at the end (社区能调解不, 可以扔不)
    r"咋(办|弄|整|申请|上|交|领|报名)|(要|带|需要)啥|啥时候|能不能|可不可以|可以不可以|(能|可以|会|有|是|让)[^，。！？,.!?]{0,10}不[？?]?$)"
)
PROBLEM = re.compile(
    r"(坏了|坏掉|损坏|破损|破了|不亮|停水|停电|停了|堵|漏|塌|脱落|松动|裸露|堆|乱|吵|臭|积水|没人管|危险|隐患|充电|投诉|反映|举报|"
    r"有人|起火|着火|冒烟|被困|倒了|断了|缺失|丢失|掉了|占道|违建|噪音|扰民|长到|挡住|需要.*(探望|看望|帮助|帮忙))"
)


#: A complaint: a question inside it (「请问这合理吗？」) asks for the matter to be dealt with, not for information.
COMPLAINT = re.compile(r"投诉|举报|乱收费|多收|强制|不合理|凭什么|没人管|不管不问|置之不理|推诿|多次反映|反映(了|过).{0,8}(没有|没|不)|"
                       r"一直没(有)?(解决|处理|人管)|至今(没|未)|要求.{0,6}(处理|解决|整改|退还)")
#: From this length on, a message with a complaint's words is a report whatever it asks.
COMPLAINT_LENGTH = 20


def rule_intent(text: str, has_place: bool, has_facility: bool, category_hits: int) -> tuple[str, float]:
    """Intent and a confidence for free text that is not a command."""
    stripped = text.strip()
    if len(stripped) >= COMPLAINT_LENGTH and COMPLAINT.search(stripped):
        return "report", 0.85
    if not stripped or _EMOJI_ONLY.match(stripped):
        return "chitchat", 0.9
    if _GREETING.match(stripped):
        return "greeting", 0.95
    if _CHITCHAT.match(stripped):
        return "chitchat", 0.9
    problem = bool(PROBLEM.search(stripped))
    if _QUESTION.search(stripped) and not (problem and (has_place or has_facility)):
        return "question", 0.8
    if problem and (has_place or has_facility or category_hits):
        return "report", 0.9
    if (is_talk(stripped) and not says_something_is_wrong(stripped) and not _DIGIT.search(stripped)
            and not RATING_WORD.search(stripped)):    # 「很满意，辛苦了」 rates; thanks beside it do not make it talk
        # 「我到金桂园门口了 你下来拿一下」: words for the people around, naming no problem (a number may be a ticket's:
        # 「8号已经修好了」 is staff closing ticket 8). Said rather than asked, as sure as a greeting, so that the model's
        # "report" for any line that names a place does not outvote it; a question (「谁的积分最多」) may be a command
        return "chitchat", 0.85 if asks(stripped) else 0.95
    if category_hits and (has_place or has_facility):
        return "report", 0.75
    if problem or category_hits:
        return "report", 0.6
    if len(stripped) >= 12:
        return "report", 0.4
    return "chitchat", 0.5


def category_scores(text: str, deployment: Deployment) -> dict[str, float]:
    """Keyword hits per category, longer keywords weighing more."""
    scores: dict[str, float] = {}
    for category in deployment.categories:
        score = sum(1.0 + 0.25 * (len(k) - 1) for k in category.keywords if k in text)
        if score:
            scores[category.name] = score
    return scores


def rule_category(scores: dict[str, float]) -> tuple[str, float]:
    """The best category of a message's keyword scores (category_scores) and how sure the rules are."""
    if not scores:
        return "其他", 0.3
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    margin = (top - runner_up) / top
    return best, round(min(0.95, 0.55 + 0.1 * top + 0.2 * margin), 3)


#: What ends a clause: a hedge in another clause ("好可怕，着火了") says nothing about this one.
_CLAUSE_END = r"，。！？,.!?；;、\s"


@lru_cache(maxsize=64)
def any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a list of words that are regular expressions (plain words included)."""
    return re.compile("|".join(f"(?:{w})" for w in words) or r"(?!)")


@lru_cache(maxsize=8)
def _hedged_before(not_after: tuple[str, ...]) -> re.Pattern[str]:
    """Matches the text before a word when a hedge ends it: a one-character hedge right before the word ("会起火"),
    a longer one up to two characters before it in the same clause ("防止老人摔倒")."""
    short = "|".join(re.escape(w) for w in not_after if len(w) == 1)
    long = "|".join(re.escape(w) for w in not_after if len(w) > 1)
    parts = ([f"(?:{long})[^{_CLAUSE_END}]{{0,2}}$"] if long else []) + ([f"(?:{short})$"] if short else [])
    return re.compile("|".join(parts) or r"(?!)")


@lru_cache(maxsize=8)
def _hedged_after(not_before: tuple[str, ...]) -> re.Pattern[str]:
    """Matches the text after a word when a risk word follows it, at most two characters on ("起火的隐患", "困人的应急预案")."""
    words = "|".join(re.escape(w) for w in not_before)
    return re.compile(f"^[^{_CLAUSE_END}]{{0,2}}(?:{words})" if words else r"(?!)")


#: What ends a sentence: a time word or a supposition holds until here.
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


def _sentence_around(text: str, match: re.Match[str]) -> tuple[str, str]:
    """The sentence's words before the match and after it."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())]
    end = _SENTENCE_END.search(text, match.end())
    return text[starts[-1] if starts else 0:match.start()], text[match.end():end.start() if end else len(text)]


def _elsewhen(before: str, emergencies: Emergencies) -> bool:
    """The sentence puts the words at another time or in a supposition (上个月…, 如果…, 万一…), and nothing
    between brings them back to now (从昨天到现在一直…)."""
    marks = list(any_of(tuple(emergencies.past_or_if)).finditer(before))
    return bool(marks) and not any_of(tuple(emergencies.still)).search(before, marks[-1].end())


def _happening_now(text: str, match: re.Match[str], kind: EmergencyKind, emergencies: Emergencies) -> bool:
    """False when the words around the match speak of a risk (容易起火, 火灾隐患), deny it (没有人受伤), say it
    is over (去年着火过, 摔倒了，已经没事了), put it at another time or in a supposition (上个月摔了一跤, 真着火了
    人都跑不出来), or describe something else (焚烧垃圾的浓烟). A `then` word inside the match counts too: a
    word that reaches across 「老年卡在哪里办」 has swallowed the question (卡在…里 is no one trapped there)."""
    before, after = text[:match.start()], text[match.end():]
    sentence_before, sentence_after = _sentence_around(text, match)
    return not (_hedged_before(tuple(emergencies.not_after)).search(before)
                or _hedged_after(tuple(emergencies.not_before)).search(after)
                or any_of(tuple(emergencies.over)).search(after)
                or _elsewhen(sentence_before, emergencies)
                or any_of(tuple(emergencies.worry)).search(re.split(f"[{_CLAUSE_END}]", sentence_before)[-1])
                or any_of(tuple(emergencies.then)).search(match.group() + sentence_after)
                or any_of(tuple(kind.not_with)).search(sentence_before + match.group() + sentence_after))


def find_emergency(text: str, deployment: Deployment,
                   learned: Callable[[str], str | None] | None = None) -> EmergencyKind | None:
    """The first configured emergency kind one of whose words occurs as something happening now; else, when no
    kind's word occurs at all and nothing in the message puts it elsewhen (could_be_now), the kind ``learned``
    (the emergency-now model, nlu/emergency_now.py) reads in the words."""
    emergencies = deployment.emergencies
    for kind in emergencies.kinds:
        if any(_happening_now(text, m, kind, emergencies) for m in any_of(tuple(kind.words)).finditer(text)):
            return kind
    if learned is None or not could_be_now(text, deployment):
        return None
    name = learned(text)
    return next((kind for kind in emergencies.kinds if kind.name == name), None)


def could_be_now(text: str, deployment: Deployment) -> bool:
    """No kind's word occurs (the words the rules judged stay judged), and no word anywhere in the message speaks
    of another time or a supposition (上个月, 万一), an event that is over (已经送医院了), a risk or a campaign
    (隐患, 演练), a fear or a question about a service (担心, 有没有), what would follow (谁负责), or another matter
    a kind names (焚烧垃圾)."""
    e = deployment.emergencies
    if any(any_of(tuple(kind.words)).search(text) or any_of(tuple(kind.not_with)).search(text) for kind in e.kinds):
        return False
    return not any(any_of(tuple(words)).search(text) for words in (e.past_or_if, e.worry, e.then, e.not_before)) \
        and not any(any_of(tuple(e.over)).search(clause) for clause in re.split(f"[{_CLAUSE_END}]", text))


def rule_urgency(text: str, deployment: Deployment) -> str:
    """The first configured level whose words occur; the last level is the default. (An emergency's own
    urgency comes before this: see find_emergency.)"""
    for level in deployment.urgency:
        if any_of(tuple(level.words)).search(text):
            return level.name
    return deployment.urgency[-1].name if deployment.urgency else "一般"
