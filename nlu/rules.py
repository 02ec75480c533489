"""First-pass intent and category rules: keyword evidence from the deployment's taxonomy.

These decide when no trained model is present and give the learned model features it can trust.
"""

from __future__ import annotations

import re

from settings import Deployment

_GREETING = re.compile(r"^\s*(你好|您好|hi|hello|在吗|在不在|早上好|晚上好|下午好|哈喽)[呀啊!！。~ ]*\s*$", re.I)
_CHITCHAT = re.compile(
    r"^\s*(谢谢|多谢|感谢|辛苦了|好的|好|收到|嗯+|哦+|ok|👍|哈哈+|明白|知道了|没事|再见|拜拜)[了啦呀啊!！。~ ]*\s*$", re.I
)
_EMOJI_ONLY = re.compile(r"^[\W_\s\U0001F000-\U0001FAFF\u2600-\u27BF]*$")
_QUESTION = re.compile(
    r"(怎么办|怎么申请|如何办理|如何申请|怎么领|怎么办理|去哪|在哪里办|哪里办|需要什么|要带什么|带什么|什么材料|多久能|多长时间|"
    r"能不能办|可以办|咨询一下|想咨询|请问.*(吗|呢|？|\?)|.*(吗|呢)[？?]?$|[？?]$)"
)
_PROBLEM = re.compile(
    r"(坏了|坏掉|损坏|破损|破了|不亮|堵|漏|塌|脱落|松动|裸露|堆|乱|吵|臭|积水|没人管|危险|隐患|充电|投诉|反映|举报|"
    r"有人|起火|着火|冒烟|被困|倒了|断了|缺失|丢失|掉了|占道|违建|噪音|扰民|长到|挡住|需要.*(探望|看望|帮助|帮忙))"
)


def rule_intent(text: str, has_place: bool, has_facility: bool, category_hits: int) -> tuple[str, float]:
    """Intent and a confidence for free text that is not a command."""
    stripped = text.strip()
    if not stripped or _EMOJI_ONLY.match(stripped):
        return "chitchat", 0.9
    if _GREETING.match(stripped):
        return "greeting", 0.95
    if _CHITCHAT.match(stripped):
        return "chitchat", 0.9
    problem = bool(_PROBLEM.search(stripped))
    if _QUESTION.search(stripped) and not (problem and (has_place or has_facility)):
        return "question", 0.8
    if problem and (has_place or has_facility or category_hits):
        return "report", 0.9
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


def rule_urgency(text: str, deployment: Deployment) -> str:
    """The first configured urgency level whose words occur; the last level is the default."""
    for level in deployment.urgency:
        if any(w in text for w in level.words):
            return level.name
    return deployment.urgency[-1].name if deployment.urgency else "一般"
