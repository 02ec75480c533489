"""The one group policy: in a group the bot speaks only to acknowledge a filed report, with @sender.

Nobody in a group asked the bot anything, so talk (chatter, thanks, praise, questions to other riders) files
nothing and gets no reply; what the bot answers a person (我的工单, 进度, 积分, 兑换…) goes to them 1:1, with a
short pointer in the group.
"""

from __future__ import annotations

import wording
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import outbox
from nlu.commands import says_its_command
from nlu.judgements import names_a_thing, reports_beside_talk
from nlu.types import Parse
from settings import Config

#: Intents a group line may have and still be a report; a command (进度 3, 积分) never files.
TALK_OR_REPORT = ("report", "question", "chitchat", "greeting")


#: Below this report-or-talk probability, words that seem to name a problem (a 坑, a 堵) are talk after all
#: (「这个客户真是个坑」, 「金桂园那边好堵啊」) unless they name a thing the community looks after or a category's words.
TALK_BELOW = 0.2
#: From this probability on, a line with words of a problem is a report although it also thanks or chats
#: (「谢谢大家上次帮忙，顺便说下…楼道灯又坏了」).
REPORT_FROM = 0.8

#: From this probability on, a report that names a place files though no word of what is wrong was recognised
#: (unless it asks something: 「广场花苑3栋是不是要从地库走」 asks the other riders).
SURE_REPORT = 0.9


def files_in_group(config: Config, parse: Parse, with_photos: bool = False) -> bool:
    """Whether a message in a group chat becomes a ticket: its words say something is wrong (or an emergency
    is happening), and they are not talk among the people in the group (thanks, praise for work done, banter,
    a request or a question to the other riders). Without such words, a report at least as sure as
    nlu.group_report_threshold that names a place, facility or photo and its category's words files too.

    The keyword judgements decide where they are clear; where they disagree or are thin, the report-or-talk
    model (``parse.report_odds``, trained on labelled lines) decides. Words of a problem the line says is over
    (「上次门禁坏了当天就修了」) are no problem; beside thanks, a clause of its own that says a thing is wrong files
    (「大家辛苦了 顺便说一下 芙蓉苑门口井盖松了」); a place said on its own files only with the photo before it. 「有人在龙西路那边吗？帮我带个充电宝」 and
    「井盖修好了，谢谢」 file nothing and get no reply; a place on its own files only with a photo. ``sandan
    import-chat`` asks this same question, so its --dry-run lists what a real run files.
    tests/conversation/group_lines_*.tsv measure it (bench/group_lines.py prints the table).
    """
    if parse.emergency:
        return True
    if parse.intent not in TALK_OR_REPORT:
        return False
    if parse.only_place:                    # 「就在金桂园南门这」 says where the photo before it was taken
        return with_photos

    e = parse.entities
    odds = parse.report_odds
    thing = bool(e.facility or parse.problem_words or with_photos or names_a_thing(parse.words))
    if parse.talk:
        return parse.wrong and thing and (odds is None or odds >= REPORT_FROM or reports_beside_talk(parse.words))
    if parse.wrong:
        return odds is None or odds >= TALK_BELOW or thing
    # no word of what is wrong, but a sure report that names a thing and its category's words (「东湖小区5栋
    # 的路灯杆锈穿了」), or a place the report-or-talk model is sure of (「十里大道的盲道上全是共享单车」): the models
    # have seen more ways of saying it than the words above
    if parse.intent != "report" or not (e.where or e.facility or with_photos):
        return False
    return ((parse.confidence >= config.settings.nlu.group_report_threshold and parse.problem_words)
            or (odds is not None and odds >= SURE_REPORT and not parse.asks))


def for_the_bot(parse: Parse) -> bool:
    """Whether a group line asks the bot something: a command typed as one (积分, 进度 3), words that name the
    command a model read them as (「我的积分多少了」), or words that may report or ask. Talk a model read as a
    command (「谁有打气筒借我用一下」 read as 排行榜) is for the riders."""
    return parse.command or parse.intent in TALK_OR_REPORT or says_its_command(parse.intent, parse.words)


def speak(turn: Turn, reply: Reply) -> Reply:
    """What the bot says in the group, and what it tells the sender privately instead."""
    name = turn.inbound.display_name or turn.user.get("display_name") or ""
    if reply.outcome in ("filed", "joined"):
        return Reply(wording.at(name, reply.text) if reply.text else "", reply.ticket, reply.outcome)
    if not reply.text:
        return Reply("", reply.ticket, reply.outcome)
    outbox.enqueue(turn.db, turn.user["id"], reply.text, turn.now, reply.ticket, f"private:{turn.message_id}")
    return Reply(wording.at(name, wording.ANSWERED_PRIVATELY), reply.ticket, reply.outcome, reply.text)
