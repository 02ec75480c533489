"""Every sentence a person reads from Sandan, in one place: short, friendly, plain Chinese.

Functions take plain values and return text, so bot/ and dispatch/ share the wording without
depending on each other.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

HANDLING_NAMES = {"reply": "回复解释", "self": "受理自办", "transfer": "转交办理"}
STATE_NAMES = {
    "received": "待社区审核", "routed": "已派单，待接单", "claimed": "已接单", "in_progress": "处理中",
    "resolved": "已办结，待评价", "closed": "已完结", "reopened": "整改中", "escalated": "已督办",
    "transferred": "已转交部门", "merged": "已并入其他工单", "rejected": "未受理", "answered": "已答复",
}
WITHDRAWN = "已撤回"   # rejected because the reporter withdrew it (「撤回 12」), not refused by the community

#: What each ticket event means, as the dashboard's 办理经过 shows it (the kinds that are states, and the rest).
EVENT_NAMES = {
    "received": "收到反映", "routed": "已派单", "transferred": "已转交部门", "to_department": "交给部门",
    "claimed": "已接单", "in_progress": "处理中", "resolved": "已办结", "closed": "已完结",
    "reopened": "不满意，重新整改", "escalated": "超期督办", "merged": "并入其他工单", "merged_in": "有工单并入",
    "rejected": "驳回", "answered": "已答复", "review": "转社区审核", "review_reminded": "提醒社区审核",
    "duplicate": "又有人反映", "late_rating": "另一位反映人评价", "joint_meeting": "列入联席会议",
    "joint_settled": "联席会议议定", "reminded": "提醒办理人", "progress": "办理进展",
    "claim_reminded": "提醒接单", "claim_overdue": "超过接单时限，告知社区",
    "extension_asked": "申请延期", "extension_granted": "同意延期", "extension_refused": "不同意延期",
    "internal_note": "内部备注", "co_handler_added": "增加协办", "part_done": "协办完成",
    "governs": "关联高频问题工单", "governed_by": "列入主动治理",
    "emergency": "紧急情况，已同时通知网格、社区和值班领导", "acknowledged": "社区确认收到紧急情况",
}


def event_name(kind: str, from_state: str | None, by_reporter: bool) -> str:
    """「收到反映」 opens every ticket; a later move back to review, or a 驳回 by the reporter, reads as what it was."""
    if kind == "received" and from_state:
        return "退回社区审核"
    if kind == "rejected" and by_reporter:
        return "反映人撤回"
    return EVENT_NAMES.get(kind, kind)


def actor_name(actor: str, role: str | None, display_name: str | None, external_id: str | None,
               admin_user: str) -> str:
    """Who did it: staff by name, a reporter by name or as 反映人 and the end of their id (staff may tell two
    apart here; public boards never show an id), 系统, 管理员."""
    if actor == "system":
        return "系统"
    if actor.startswith("dashboard:"):
        login = actor.partition(":")[2]
        return "管理员" if login == admin_user else f"管理员（{login}）"
    if role and role != "resident":
        return display_name or ROLE_NAMES.get(role, "工作人员")
    if display_name:
        return display_name
    tail = (external_id or actor.partition(":")[2])[-4:]
    return f"反映人{tail}"


def reminder_note(fraction: float) -> str:
    return f"办理时限已用去 {fraction:.0%}，提醒办理人"


#: The dashboard's CSV/XLSX export: column → header.
EXPORT_HEADERS = {
    "id": "工单号", "created_at": "反映时间", "state": "状态", "category": "类别", "handling": "办理方式",
    "urgency": "紧急程度", "community_id": "社区", "grid_id": "网格", "department_id": "部门", "place": "地点",
    "building": "楼栋", "text": "反映内容", "deadline_at": "办结期限", "resolved_at": "办结时间", "rating": "评价",
    "resolution": "处理结果", "rating_comment": "评价理由", "overdue": "是否超期", "handler": "办理人",
    "reporter": "反映人",
}
YES_NO = {True: "是", False: "否", None: ""}


def masked_person(display_name: str | None, external_id: str | None) -> str:
    """A reporter in an export: the first character of the name (张**); without a name, 用户**** and the
    last two characters of a long account id (a WeChat openid), never enough to find the person."""
    if display_name:
        return display_name[0] + "*" * max(1, len(display_name) - 1)
    tail = (external_id or "")[-2:] if len(external_id or "") >= 12 else ""
    return f"用户****{tail}"
NO_RATING = "暂无评级"
FORM_EXPIRED = "表单已过期，请刷新页面再试"
LOGIN_FAILED = "用户名或密码不对"


def login_locked(seconds: float) -> str:
    """Too many wrong passwords for this name or from this address: try again later."""
    minutes = max(1, round(seconds / 60))
    return f"密码错误次数太多，请 {minutes} 分钟后再试。"
PICK_A_TARGET = "请选择要指派的网格或部门"


def no_ticket_page(ticket_id: int) -> str:
    return f"没有工单 #{ticket_id}，请核对编号。"


def grid_rating_text(colour: str, score: float | None) -> str:
    """The grid plan's hover text: 红 92.5 分, or 暂无评级 for a grid with nothing to judge yet."""
    return f"{colour} {score:g} 分" if colour and score is not None else NO_RATING


HELP = (
    "您好，我是三单小助手 🐝\n"
    "· 直接发文字或照片反映问题，如「广场花苑小区3栋的垃圾桶坏了」\n"
    "· 问事情，如「老年出行卡怎么办？」\n"
    "· 「我的工单」「进度 12」查看办理情况；不用处理了就发「撤回 12」\n"
    "· 想请邻居帮个小忙，发「心愿：想请人帮忙换个灯泡」；「我的心愿」查看\n"
    "· 「积分」「排行榜」查看志愿积分；「我叫 小李」起名字；骑手「加入 小队名」「小队排行」\n"
    "网格工作人员：「待办」「接单 12」「处理中 12 说明」「办结 12 已更换」（可附照片）「转交 12 部门」"
    "「退回审核 12 理由」；部门：「退回 12 理由」；「绑定 邀请码」绑定身份。\n"
    "社区调度员：「待办」「派单 12 网格或部门」「驳回 12 理由」「答复 12 内容」「入库 12」「收到 12」（紧急）"
    "「合并 13 到 12」「联席 12」「联席会议」「回访」。\n"
    "志愿者：「认领 12」「完成 12 说明」（可附照片）「心愿」「认领心愿 3」「完成心愿 3 说明」「我的服务时间 周末」；网格和社区：「征集 12」「确认 12」「代办 姓名 电话 地点 问题」。"
)
GREETING = "您好！有什么问题直接告诉我，说清楚小区和几栋更快处理哦。发「帮助」看看我能做什么。"
CHITCHAT = "收到 😊 有问题随时发给我，发「帮助」看看我能做什么。"
WELCOME = (
    "欢迎关注！这里可以反映身边的问题：路灯不亮、垃圾没清、楼道堆物、需要上门看望的老人……\n"
    "直接发文字、照片或位置就行，说清楚小区和几栋更快处理。\n"
    "网格和社区工作人员请发「绑定 邀请码」绑定身份。"
)
TOO_LONG = "消息太长啦，请分几条发送，或者简单说说是哪里、什么问题。"
NOT_ALLOWED = "抱歉，这个操作只有负责该工单的网格或部门可以办理。"
NOT_STAFF = "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。"
ASK_PLACE = "请问是哪个小区、几栋？告诉我地点就能马上派给对应网格。"
ASK_PLACE_EN = "Which estate (小区) and building is it? Tell me the place and I will send it to the right grid at once."
def still_waiting_for_place(text: str) -> str:
    return f"（您前面说的「{mask_phones(text)[:20]}」还没说在哪里，告诉我小区和几栋就能派单。）"


def still_waiting_or_cancel(text: str, had_photos: bool = False) -> str:
    """Said after an answer to something else while a report still waits for its place (or a photo for its words)."""
    if not text:
        return "（刚才的照片还没说是什么问题，说说情况就能派单；不报了请回复「取消」。）"
    return f"（「{mask_phones(text)[:20]}」还没说在哪里，告诉我小区和几栋就能派单；不报了请回复「取消」。）"


def is_it_there(text: str, place: str) -> str:
    """A place said after other talk, while a report waited for its place: ask before filing it there."""
    what = f"「{mask_phones(text)[:20]}」" if text else "刚才的照片"
    return f"{what}是在「{place[:20]}」吗？请回复「是」或「不是」。"


ASK_PLACE_AGAIN = "记下了。还差地点：是哪个小区、几栋？也可以直接发送位置。"
NO_TICKETS = "您还没有反映过问题。直接发文字或照片就可以反映哦。"


def dropped(text: str, had_photos: bool = False) -> str:
    """「取消」 / 「算了」 while a report was being told: it is not filed."""
    what = f"「{mask_phones(text)[:20]}」" if text else ("刚才的照片" if had_photos else "刚才那件事")
    return f"好的，{what}不报了。有别的问题随时告诉我。"


NOTHING_TO_CANCEL = "好的。现在没有等您补充的事，有问题随时告诉我。"


def earlier_dropped(text: str) -> str:
    """A new complaint, also without a place, while an earlier one waited for its place."""
    return f"（前面说的「{mask_phones(text)[:20]}」一直没说在哪里，先不记了；需要的话请连同地点再发一次。）"


def did_you_mean(place: str) -> str:
    return f"您说的是「{place}」吗？请回复「是」或「不是」。"


def did_you_mean_en(place: str) -> str:
    return f"Do you mean 「{place}」? Please reply yes (是) or no (不是)."


def near_place(name: str) -> str:
    """A shared location without a label, named by the known place beside it."""
    return f"{name}附近"


def _coordinates(t: dict[str, Any]) -> str:
    """「29.7045, 116.0045」 for a ticket with a shared location, else ""."""
    if t.get("lat") is None or t.get("lon") is None:
        return ""
    return ", ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in (t["lat"], t["lon"]))


def known_place(t: dict[str, Any]) -> str:
    """The place named in the words, else the shared location's label; "" when neither says where."""
    name = t.get("place") or t.get("location_label") or ""
    return f"{name}{t.get('building') or ''}" if name else ""


def place_text(t: dict[str, Any]) -> str:
    """Where to go, for the people sent there: a name, else the shared point, else 「地点待确认」."""
    if where := known_place(t):
        return where
    if coordinates := _coordinates(t):
        return f"位置：{coordinates}" + (f"，{t['building']}" if t.get("building") else "")
    return t.get("building") or "地点待确认"


def public_place(t: dict[str, Any]) -> str:
    """Where a report is, for the public: the 小区 (or road, landmark) and 楼栋 named in it; never a shared
    location's label, which the sender's map or the sender wrote (「张家门口」)."""
    return f"{t['place']}{t.get('building') or ''}" if t.get("place") else ""


def public_description(t: dict[str, Any]) -> str:
    """What the public Open311 list says of a report: what kind of problem, and where (小区 and 楼栋), never
    the resident's own words."""
    return f"{t['category']}｜{public_place(t) or ('位置见坐标' if _coordinates(t) else '地点待确认')}"


def deadline_text(deadline_at_local: str | None) -> str:
    return deadline_at_local[5:16].replace("-", "月", 1).replace(" ", "日 ") if deadline_at_local else "尽快"


def ack_report(ticket_id: int, handler: str, deadline: str, needs_review: bool, handling: str) -> str:
    if needs_review:
        return (f"已收到，工单号 {ticket_id}。社区工作人员会尽快确认后派给负责的网格，"
                f"回复「进度 {ticket_id}」可随时查看。")
    how = "转交" if handling == "transfer" else "派给"
    return (f"已收到，工单号 {ticket_id}，已{how}{handler}处理，预计 {deadline_text(deadline)} 前办结。"
            f"回复「进度 {ticket_id}」可随时查看。")


def open311_notice(ticket_id: int, handler: str, deadline: str, needs_review: bool, joined: bool) -> str:
    """The service_notice of an Open311 POST: an API client reads progress at GET requests/{id}, not in chat."""
    if joined:
        head = f"同一问题已在办理（工单 {ticket_id}），本次反映已并入，不另立单。"
    elif needs_review:
        head = f"已收到，工单 {ticket_id}，社区确认后派给负责的网格。"
    else:
        head = f"已收到，工单 {ticket_id}，由{handler}办理，预计 {deadline_text(deadline)} 前办结。"
    return head + f"进度见 GET /open311/v2/requests/{ticket_id}.json"


def ask_what_happened(place: str) -> str:
    return f"好的，「{place[:20]}」。请问那里有什么问题？说说情况就行，有照片也可以发来。"



#: What to do right now, per emergency kind (the deployment's kinds); a kind not listed gets no advice line.
SAFETY_ADVICE = {
    "燃气泄漏": "请马上开窗通风，不要开关电器、不要用明火和手机，关掉燃气总阀，离开房间到室外再打电话。",
    "火情": "请马上离开，用湿毛巾捂住口鼻、弯腰走楼梯，不要坐电梯，不要返回取东西；火小时可用灭火器。",
    "被困": "请保持冷静，待在原地，不要扒门或强行出来；电梯里按警铃、拨打轿厢里的救援电话。",
    "倒塌": "请马上远离倒塌处和周边建筑，不要进入抢救财物，提醒旁人绕行。",
    "触电": "请先断电（拉下电闸）或用干木棍挑开电线，不要用手直接拉触电的人。",
    "受伤": "请不要随意搬动伤者，止血、保暖，留在身边等救护车；头部受伤或昏迷的尤其不要挪动。",
    "轻生": "请尽量陪在他（她）身边，不要留下一个人，收好危险物品，说话温和，等警察到。",
    "治安": "请先保护好自己，远离冲突现场，不要上前阻拦，记下人的样子和去向。",
    "溺水": "不会游泳请不要下水，把竹竿、绳子或救生圈递给落水的人，大声呼救请会游泳的人帮忙。",
}


#: The same advice for a message written in English (bot/conversation/languages.py answers in both languages).
SAFETY_ADVICE_EN = {
    "燃气泄漏": "Open the windows, do not switch anything electric on or off, no flames or phones inside, turn off the "
            "gas valve and leave before you call.",
    "火情": "Leave now, cover your mouth and nose with a wet cloth, keep low and take the stairs, never the lift; do not "
          "go back for belongings.",
    "被困": "Stay calm and stay where you are; do not force the doors. In a lift, press the alarm button and call the "
          "rescue number inside it.",
    "倒塌": "Keep well away from the collapse and the buildings around it, and warn others to go round.",
    "触电": "Cut the power first (the main switch) or push the wire away with a dry stick; never pull the person with "
          "your hands.",
    "受伤": "Do not move the injured person; stop the bleeding, keep them warm and stay with them until the "
          "ambulance comes.",
    "轻生": "Stay with the person, do not leave them alone, put dangerous things away, speak gently and wait for the "
          "police.",
    "治安": "Keep yourself safe, stay away from the fight, do not step in, and remember what the people look like and "
          "where they go.",
    "溺水": "If you cannot swim, do not go in: hold out a pole, a rope or a life ring, and shout for someone who can swim.",
}


def call_first_en(call: str, also: str, kind: str = "") -> str:
    """The English lines of an emergency's reply: whom to call and what to do meanwhile."""
    also_text = f" You can also call {also}." if also else ""
    advice = f"\n{SAFETY_ADVICE_EN[kind]}" if kind in SAFETY_ADVICE_EN else ""
    return f"Emergency: call {call} now!{also_text}{advice}"


def call_first(call: str, also: str, reply: str, kind: str = "") -> str:
    """The reply to an emergency: whom to call at once, what to do meanwhile, then the usual answer."""
    also_text = f"，也可以打{also}" if also else ""
    advice = f"{SAFETY_ADVICE[kind]}\n" if kind in SAFETY_ADVICE else ""
    return f"情况紧急，请马上拨打 {call}{also_text}！\n{advice}{reply}"


def emergency_alert(t: dict[str, Any], kind: str, call: str, handler: str) -> str:
    """To the community's dispatchers and the leaders on duty, the moment an emergency is reported."""
    return (f"【紧急·{kind}】工单 #{t['id']}（{place_text(t)}）：{mask_phones(t['text'])[:60]}\n"
            f"已请反映人拨打 {call}，已通知{handler}。请回复「收到 {t['id']}」确认并跟进。")


def emergency_acknowledged(ticket_id: int, first: bool) -> str:
    """The reply to 「收到 N」; ``first`` is False when someone else confirmed it already."""
    return (f"已确认紧急工单 #{ticket_id}，反映人和网格会收到通知。请跟进处置情况。" if first
            else f"紧急工单 #{ticket_id} 已经有人确认过了，请继续跟进。")


def reporter_acknowledged(ticket_id: int, who: str) -> str:
    return f"{who}已收到您反映的紧急情况（工单 {ticket_id}），正在联系处置。请注意安全。"


def others_acknowledged(ticket_id: int, who: str) -> str:
    return f"【已确认】紧急工单 #{ticket_id} 已由{who}确认跟进。"


NOT_AN_EMERGENCY = "这张工单不是紧急工单，不用确认；请「待办」查看要处理的。"


def ask_for_words(got: str) -> str:
    return f"收到{got}！请再说说是什么问题，比如「3栋门口垃圾桶坏了」。"


def ack_report_en(ticket_id: int) -> str:
    """The English line beside 「已收到，工单号 N…」 for a report written in English."""
    return (f"Received: ticket {ticket_id}. It has gone to the people responsible; send 「进度 {ticket_id}」 "
            f"to see how it is going.")


def ack_duplicate_en(ticket_id: int) -> str:
    return f"Thank you! This is already being handled (ticket {ticket_id}); your report has been added to it."


def already_reported(ticket_id: int) -> str:
    return f"您已经反映过这个问题（工单 {ticket_id}），正在办理，新情况已补充进去。发「进度 {ticket_id}」看看进展。"


def ack_duplicate(ticket_id: int, count: int) -> str:
    return (f"谢谢！这个问题已有人反映（工单 {ticket_id}），您的反映已并入，目前共 {count} 人反映。"
            f"办理进展也会告诉您。")


def assignment(ticket: dict[str, Any], deadline: str, handling: str, urgent: bool = False) -> str:
    head = "【新工单·转交】" if handling == "transfer" else "【新工单】"
    if urgent:
        head = head.replace("新工单", "紧急工单")
    return (f"{head}#{ticket['id']} {ticket['category']}｜{place_text(ticket)}\n"
            f"{ticket['text']}\n请于 {deadline_text(deadline)} 前办结，回复「接单 {ticket['id']}」认领。")


def informed_of_transfer(ticket: dict[str, Any], department: str) -> str:
    return (f"【知会】工单 #{ticket['id']}（{place_text(ticket)}）"
            f"已转交{department}办理，请协助跟进。\n{ticket['text']}")


def review_needed(ticket: dict[str, Any], why: str, urgent: bool = False) -> str:
    where = f"（{place_text(ticket)}）" if known_place(ticket) or _coordinates(ticket) else ""
    head = "【紧急·待审核】" if urgent else "【待审核】"
    return (f"{head}工单 #{ticket['id']}{where}：{ticket['text']}\n原因：{why}\n"
            f"回复「派单 {ticket['id']} 网格编号」指派，或在工作台处理。")


def claimed(ticket_id: int) -> str:
    return f"已接单 #{ticket_id}。办好后回复「办结 {ticket_id} 处理说明」，可以附上照片。"


def claimed_by_other(ticket_id: int, who: str) -> str:
    return f"工单 #{ticket_id} 已由{who}接单，不用重复认领。"


def reporter_claimed(ticket_id: int, who: str) -> str:
    return f"您反映的问题（工单 {ticket_id}）已由{who}接单，正在处理。"


def resolved(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 已办结，已通知反映人评价。辛苦了！"


#: The rating request, in two parts: solved or not (解决率) and satisfied or not (满意率), in one short reply.
RATE_ASK = "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」"


def reporter_resolved(ticket_id: int, note: str, photos: int, keep: frozenset[str] = frozenset()) -> str:
    with_photo = "（附处理照片）" if photos else ""
    detail = f"：{mask_phones(note, keep)}" if note else "。"
    return f"您反映的问题（工单 {ticket_id}）已办结{with_photo}{detail}\n{RATE_ASK}，帮助我们做得更好。"


def more_photos(t: dict[str, Any], count: int) -> str:
    return f"【补充照片】工单 #{t['id']}（{place_text(t)}）反映人补充了照片{f' {count} 张' if count > 1 else ''}。"


def reporter_result_photo(ticket_id: int, count: int) -> str:
    return f"工单 {ticket_id} 的处理照片{f' {count} 张' if count > 1 else ''}，请看看办得怎么样。"


def thanks_for_rating(ticket_id: int, value: str, state: str, decided: bool, still_waiting: list[int],
                      solved: bool | None = None) -> str:
    """The reply to a rating; ``decided`` is False when another reporter of the same ticket answered first;
    ``solved`` is what the person said (None: not said)."""
    sorry = "抱歉问题还没解决。" if solved is False else "抱歉没让您满意。"
    if (value == "不满意" or solved is False) and decided:
        reply = f"{sorry}工单 {ticket_id} 已重新交办整改，社区会跟进督促。"
    elif value == "不满意" or solved is False:
        reply = f"{sorry}您对工单 {ticket_id} 的意见已转告网格和社区，他们会跟进。"
    elif not value and state == "closed":     # 「已解决」 alone: the other half is asked once
        reply = f"谢谢！工单 {ticket_id} 已完结。对这次办理满意吗？回复「满意」「基本满意」或「不满意」。"
    elif state == "reopened":
        reply = f"谢谢您的评价！另有居民反映工单 {ticket_id} 还没办好，正在整改，办好后会再告诉您。"
    elif state == "resolved":       # a follower's answer: heard, while the first reporter's decides
        reply = f"谢谢您的评价！已记下您对工单 {ticket_id} 的意见。"
    else:
        reply = f"谢谢您的评价！工单 {ticket_id} 已完结。"
    if still_waiting:
        others = "、".join(str(n) for n in still_waiting[:3])
        reply += (f"\n您还有工单 {others} 待评价，回复「已解决 满意 {still_waiting[0]}」"
                  f"或「未解决 不满意 {still_waiting[0]}」即可。")
    return reply


def reopened_for_handler(ticket_id: int, deadline: str, comment: str, unsolved: bool = False) -> str:
    extra = f"，意见：{comment}" if comment else ""
    said = "说问题没解决" if unsolved else "不满意"
    return f"【差评整改】工单 #{ticket_id} 反映人{said}{extra}。请于 {deadline_text(deadline)} 前整改办结。"


def rating_corrected_for_handler(ticket_id: int, value: str) -> str:
    return f"工单 #{ticket_id} 的反映人已把评价更正为「{value}」，工单已完结，不用再整改了。"


def late_complaint_for_handler(ticket_id: int, state: str, comment: str) -> str:
    """Another reporter of the ticket is not satisfied, after the first answer closed or reopened it."""
    extra = f"，意见：{comment}" if comment else ""
    return (f"【评价】工单 #{ticket_id}（{STATE_NAMES.get(state, state)}）另一位反映人不满意{extra}。"
            "请了解情况，需要时联系居民。")


def no_such_ticket(ticket_id: int) -> str:
    return f"没有找到工单 {ticket_id}，请核对编号；发「我的工单」看看您的工单。"


def missing_number(verb: str) -> str:
    return f"请在「{verb}」后面加上工单编号，比如「{verb} 12」。发「待办」看看手上的工单。"


WHICH_TICKET_TO_RATE = "是哪一张工单？请带上工单号，比如「不满意 12」；发「我的工单」看看您的工单和编号。"


def nothing_to_rate() -> str:
    return "您目前没有待评价的工单。"


def not_waiting_for_rating(ticket_id: int, state: str) -> str:
    """A resident rates a ticket that is not waiting for their rating (still being handled, or done)."""
    if state in ("closed", "rejected", "merged", "answered"):
        return f"工单 {ticket_id} 已经结束，不用再评价了。如果问题又出现了，直接发给我重新反映就行。"
    return f"工单 {ticket_id} 现在「{STATE_NAMES.get(state, state)}」，办好后会再请您评价。"


def rating_note(value: str, solved: bool | None) -> str:
    """A rating as the ticket's log keeps it: 「未解决 不满意」, 「满意」, 「已解决」."""
    half = "" if solved is None else ("已解决" if solved else "未解决")
    return " ".join(p for p in (half, value) if p)


def rating_correction_note(value: str, solved: bool | None) -> str:
    return f"更正评价：{rating_note(value, solved)}"


def rating_completed(ticket_id: int, said: str, state: str) -> str:
    """The satisfaction half, after 「已解决」 came alone."""
    if state == "reopened":
        return f"已记下工单 {ticket_id} 的评价「{said}」，已重新交办整改，社区会跟进督促。"
    return f"已记下工单 {ticket_id} 的评价「{said}」，谢谢您！"


def rating_corrected(ticket_id: int, value: str, state: str) -> str:
    """A rating changed right after it was given."""
    if state == "reopened":
        return f"已把工单 {ticket_id} 的评价改为「{value}」，已重新交办整改，社区会跟进督促。"
    return f"已把工单 {ticket_id} 的评价改为「{value}」，谢谢您！"


def too_late_to_correct(ticket_id: int) -> str:
    return f"工单 {ticket_id} 的评价已经不能修改了。如果问题还在，直接发给我重新反映就行。"


def wrong_state(ticket_id: int, state: str) -> str:
    return f"工单 #{ticket_id} 当前「{STATE_NAMES.get(state, state)}」，不能这样操作。"


def ticket_line(t: dict[str, Any]) -> str:
    state = WITHDRAWN if t.get("withdrawn") else STATE_NAMES.get(t["state"], t["state"])
    return f"#{t['id']} {state}｜{mask_phones(t['text'])[:18]}"


def my_tickets(tickets: Iterable[dict[str, Any]], total: int) -> str:
    lines = [ticket_line(t) for t in tickets]
    more = f"\n（共 {total} 件，显示最近 {len(lines)} 件）" if total > len(lines) else ""
    return "您的工单：\n" + "\n".join(lines) + more + "\n回复「进度 编号」看详情。"


def staff_work(rows: Iterable[dict[str, Any]], total: int, tz: str, role: str) -> str:
    from dispatch.clock import local_text

    lines = [f"{ticket_line(t)}｜期限 {deadline_text(local_text(t['deadline_at'], tz))}" if t["deadline_at"]
             else ticket_line(t) for t in rows]
    more = f"\n（共 {total} 件，显示期限最近的 {len(lines)} 件，全部见工作台）" if total > len(lines) else ""
    return (f"您的待办 {total} 件：\n" + "\n".join(lines) + more +
            "\n回复「进度 编号」看详情，" + STAFF_WORK_HINTS.get(role, STAFF_WORK_HINTS["grid_secretary"]))


STAFF_WORK_HINTS = {
    "grid_secretary": "「接单 编号」「办结 编号 情况」办理。",
    "department": "「接单 编号」「办结 编号 情况」办理。",
    "dispatcher": "「派单 编号 网格或部门」「驳回 编号 理由」处理。",
}


NO_WORK = "您手上暂时没有待办工单 👍"


def queue_line(t: dict[str, Any]) -> str:
    urgent = "紧急｜" if t.get("urgency") == "紧急" else ""
    return f"#{t['id']} {urgent}{mask_phones(t['text'])[:18]}"


def dispatcher_work(reports: list[dict[str, Any]], questions: list[dict[str, Any]], report_total: int,
                    question_total: int) -> str:
    """A dispatcher's 待办: the review queue, then the questions waiting for a person's answer."""
    lines = [f"您的待办 {report_total + question_total} 件："]
    for title, rows, total in (("待审核派单", reports, report_total), ("待答复问题（转人工）", questions, question_total)):
        if not total:
            continue
        more = f"（显示最早的 {len(rows)} 件，全部见工作台）" if total > len(rows) else ""
        lines += [f"【{title} {total} 件{more}】"] + [queue_line(t) for t in rows]
    hints = []
    if report_total:
        hints.append("「派单 编号 网格或部门」「驳回 编号 理由」")
    if question_total:
        hints.append("「答复 编号 内容」")
    return "\n".join(lines) + "\n回复" + "，".join(hints) + "处理。"


def back_to_review_reply(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 已退回社区审核，理由已转告社区调度员。"


BACK_TO_REVIEW_NEEDS_REASON = "请写上退回审核的理由，比如「退回审核 12 重复反映，已在 10 号工单办理」。"


def status(t: dict[str, Any], handler: str, deadline: str, last_update: str, photos: int,
           photo_urls: Iterable[str] = (), withdrawn: bool = False) -> str:
    lines = [f"工单 #{t['id']}：{mask_phones(t['text'])[:40]}"]
    if where := known_place(t):
        lines.append(f"地点：{where}")
    elif coordinates := _coordinates(t):
        lines.append(f"位置：{coordinates}")
    state = WITHDRAWN if withdrawn else STATE_NAMES.get(t["state"], t["state"])
    lines += [f"状态：{state}", f"办理：{handler}"]
    if t["state"] not in ("closed", "resolved", "answered", "rejected", "merged"):
        lines.append(f"期限：{deadline_text(deadline)}")
    lines.append(f"最近：{mask_phones(last_update)}")
    if t.get("reporters", 1) > 1:
        lines.append(f"共 {t['reporters']} 人反映")
    if t.get("resolution") and t["state"] in ("resolved", "closed"):
        lines.append(f"处理结果：{mask_phones(t['resolution'])[:60]}")
    if photos:
        urls = [u for u in photo_urls if u.startswith("http")][:3]
        lines.append(f"处理照片 {photos} 张" + ("：\n" + "\n".join(urls) if urls else ""))
    if t["state"] == "resolved":
        lines.append(f"{RATE_ASK}。")
    return "\n".join(lines)


def unknown_command(text: str) -> str:
    return f"没看懂「{text[:20]}」😅 发「帮助」看看可以怎么说。"


def answer(title: str, fields: list[tuple[str, str]]) -> str:
    body = "\n".join(f"· {k}：{v}" for k, v in fields if v)
    return f"关于「{title}」，一次说清：\n{body}"


KNOWLEDGE_NEEDS_TITLE = "知识条目要有标题，至少写一种问法。"


def knowledge_saved(title: str) -> str:
    return f"已保存「{title}」，居民再问就会自动回复。"


def knowledge_duplicate(title: str) -> str:
    return f"已经有一条「{title}」，请换个标题或直接修改那一条。"


TO_A_PERSON = "好的，已请社区工作人员联系您，请稍等。着急的事也可以直接说说是什么情况。"
TO_A_PERSON_EN = "A member of the community staff will get back to you soon. If it is urgent, call 110, 119 or 120."
ANSWER_IN_CHINESE_EN = "The answer above is from the community's service guide (in Chinese); send 转人工 to ask a person."


def both(chinese: str, english: str) -> str:
    """A reply to a message written in English: the Chinese first (what staff read), then the English."""
    return f"{chinese}\n\n{english}"


def no_answer() -> str:
    return "这个问题我还答不上来，已转给社区工作人员，会尽快回复您。"


def reporter_answered(ticket_id: int, text: str) -> str:
    return f"您问的问题（工单 {ticket_id}），社区答复：{text}\n还有不清楚的，直接再问我。"


def answered_reply(ticket_id: int) -> str:
    return (f"已答复工单 #{ticket_id}，答复已发给提问的居民。"
            f"回复「入库 {ticket_id}」可把这条问答存进知识库，下次有人问就自动回答。")


def answer_saved(ticket_id: int, first: bool) -> str:
    return (f"已把工单 #{ticket_id} 的问答存进知识库，下次有人问类似的问题会自动回答。" if first
            else f"工单 #{ticket_id} 的答复已经在知识库里了。")


def not_answered(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 还没有人答复，先「答复 {ticket_id} 内容」，再存进知识库。"


ANSWER_NEEDS_TEXT = "请写上答复内容，比如「答复 12 带身份证到社区服务中心一楼办理」。"


def cannot_answer(ticket_id: int, state: str) -> str:
    return f"工单 #{ticket_id} 当前「{STATE_NAMES.get(state, state)}」，不在待答复的队列里，不能再答复。"


# ---------------------------------------------------------------- points, leaderboard, rewards, grid rating

def too_many_reports(per: str, limit: int) -> str:
    """The reply when one sender files more than limits.reports_per_minute (per 分钟) or _per_hour (per 小时)."""
    return (f"谢谢您这么热心！一{per}内最多受理 {limit} 件新反映，刚才这条还没有登记，请稍后再发。"
            "如果情况紧急，请直接拨打 110/119/120。")


def points_daily_cap(cap: int) -> str:
    """The ledger line of a report that earned nothing because its sender reached limits.points_per_day."""
    return f"今日积分已达上限 {cap} 分，本条不再加分"


POINTS_NAMES = {"volunteer": "志愿服务积分", "wish": "心愿积分"}
RATING_COLOURS = {"红": "🔴", "蓝": "🔵", "黄": "🟡"}


UNNAMED = "未署名的热心人"


def person_label(display_name: str | None) -> str:
    """How a person is named in public (leaderboards, the champion): the name they chose or their channel gave,
    never anything made from their account id."""
    return display_name or UNNAMED


#: Why points a report earned are taken back: 并入重复 (merged), 已撤回 (the reporter withdrew it), 未受理 (驳回).
TAKE_BACK_REASONS = {"merged": "并入重复", "withdrawn": WITHDRAWN, "rejected": "未受理"}


def points_taken_back(ticket_id: int, why: str) -> str:
    return f"工单 #{ticket_id} {TAKE_BACK_REASONS[why]}，收回积分"


def points_summary(account: str, balance: int, entries: Iterable[dict[str, Any]],
                   rewards: Iterable[Any]) -> str:
    lines = [f"您的{POINTS_NAMES.get(account, '积分')}：{balance} 分"]
    entries = list(entries)
    if entries:
        lines.append("最近：")
        lines += [f"· {'+' if e['points'] > 0 else ''}{e['points']} {e['reason']}" for e in entries]
    else:
        lines.append("还没有积分记录。反映的问题被受理就能得分，附照片、报紧急隐患还有加分。")
    rewards = list(rewards)
    if rewards:
        lines.append("可兑换：" + "、".join(f"{r.name}({r.cost}分)" for r in rewards) + "，发「兑换 物品名」即可。")
    return "\n".join(lines)


MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
NAME_HINT = "发「我叫 名字」取个名字，上榜时就显示它。"


def leaderboard(rows: Iterable[dict[str, Any]], me_rank: int | None, team_names: dict[str, str],
                named: bool) -> str:
    """This week's top people, each with their team; the hints say how to name oneself and see the teams."""
    rows = list(rows)
    lines = ["本周志愿积分排行榜："] if rows else ["本周还没有人得分，快来当第一名吧！"]
    for i, r in enumerate(rows, 1):
        team = f"（{team_names[r['team_id']]}）" if r.get("team_id") in team_names else ""
        lines.append(f"{MEDALS.get(i, f'{i}.')} {person_label(r['display_name'])}{team} {r['points']} 分")
    if me_rank:
        lines.append(f"您排第 {me_rank} 名，继续加油！")
    if not named:
        lines.append(NAME_HINT)
    if team_names:
        lines.append("发「小队排行」看各小队的排名。")
    return "\n".join(lines)


# ---- rider teams (流动网格) and the name a person chooses


def team_leaderboard(rows: Iterable[dict[str, Any]], my_team: str | None) -> str:
    rows = list(rows)
    if not rows:
        return "还没有小队。"
    lines = ["本周小队积分排行榜："]
    for i, r in enumerate(rows, 1):
        leader = f"，网格长 {r['leader_name']}" if r["leader_name"] else ""
        lines.append(f"{MEDALS.get(i, f'{i}.')} {r['name']} {r['points']} 分（{r['members']} 人{leader}）")
    mine = next((i for i, r in enumerate(rows, 1) if r["id"] == my_team), None)
    lines.append(f"您的{rows[mine - 1]['name']}排第 {mine} 名。" if mine else
                 f"发「加入 {rows[0]['name']}」加入小队，一起攒积分。")
    return "\n".join(lines)


def my_team(team: str, leader_name: str, members: list[dict[str, Any]]) -> str:
    lines = [f"您在{team}" + (f"，网格长 {leader_name}" if leader_name else "") + f"，共 {len(members)} 人。本周积分："]
    lines += [f"· {person_label(m['display_name'])} {m['points']} 分" for m in members]
    lines.append("发「小队排行」看各小队的排名，「退出小队」离开。")
    return "\n".join(lines)


def no_team(choices: Iterable[str]) -> str:
    names = "、".join(choices)
    return (f"您还没有加入小队。可加入：{names}，发「加入 小队名」即可。" if names else
            "这里还没有组建骑手小队。")


def unknown_team(name: str, choices: Iterable[str]) -> str:
    names = "、".join(choices)
    return f"没有「{name[:12]}」这个小队。" + (f"可加入：{names}。" if names else "这里还没有组建骑手小队。")


def team_joined(team: str, leader_name: str, moved_from: str | None) -> str:
    moved = f"已离开{moved_from}，" if moved_from else ""
    leader = f"网格长{leader_name}会联系您。" if leader_name else ""
    return f"{moved}欢迎加入{team}！{leader}您的积分会计入小队，发「小队排行」看小队排名。"


def team_already(team: str) -> str:
    return f"您已经在{team}了。发「我的小队」看看队友。"


def team_left(team: str) -> str:
    return f"已退出{team}。想加入别的小队，发「加入 小队名」。"


TEAM_NOT_FOR_STAFF = "小队是给骑手的，工作人员不用加入。"


def team_joined_push(team: str, name: str) -> str:
    return f"【小队】{name or UNNAMED}加入了{team}。"


def name_saved(name: str) -> str:
    return f"好的，以后就叫您「{name}」。排行榜和小队里都显示这个名字。"


def name_refused(reason: str, detail: str, max_chars: int) -> str:
    """Why 「我叫 …」 was not kept: too long, odd characters, a phone number, a staff-like word, someone else's."""
    return {
        "length": f"名字最多 {max_chars} 个字，请换个短一点的。",
        "characters": "名字里不能有空格或看不见的字符，请换一个。",
        "symbols": "名字里不能有 < > & 引号或方括号，请换一个。",
        "phone": "名字里不要写电话号码等一串数字，请换一个。",
        "reserved": f"名字里不能有「{detail}」，以免被当成工作人员，请换一个。",
        "taken": f"「{detail}」已经有人用了，请换一个，比如加上您的姓。",
    }[reason]


def weekly_champion(week: str, top: list[dict[str, Any]]) -> str:
    first = top[0]
    lines = [f"【每周之星】{week} 这一周的志愿服务冠军是 "
             f"{person_label(first['display_name'])}，共 {first['points']} 分！"]
    for i, r in enumerate(top[1:], 2):
        lines.append(f"第 {i} 名：{person_label(r['display_name'])} {r['points']} 分")
    lines.append("感谢大家随手拍、随手报，让社区更美好 🐝")
    return "\n".join(lines)


def you_are_champion(week: str, points: int) -> str:
    return f"恭喜！您是 {week} 这一周的志愿服务冠军，共 {points} 分 🎉 感谢您为社区出力！"


def redeemed(name: str, cost: int, balance: int, repeated: bool) -> str:
    if repeated:
        return f"这笔兑换已经办好了：{name}，剩余 {balance} 分。"
    return f"兑换成功：{name}，扣 {cost} 分，剩余 {balance} 分。社区工作人员会联系您领取。"


def redeem_refused(reason: str, name: str, cost: int, balance: int, choices: Iterable[Any]) -> str:
    if reason == "balance":
        return f"积分不够哦：{name} 需要 {cost} 分，您现在有 {balance} 分。"
    if reason == "stock":
        return f"抱歉，{name} 已经兑完了，换一样试试？"
    names = "、".join(r.name for r in choices)
    return f"没有「{name[:10]}」这个兑换项。可兑换：{names or '暂无'}。"


def grid_ratings(label: str, community: str, ratings: Iterable[Any]) -> str:
    lines = [f"【网格评星】{community} {label}（红：优秀，蓝：良好，黄：需改进）"]
    for g in ratings:
        if g.colour:
            lines.append(f"{RATING_COLOURS.get(g.colour, '')}{g.colour} {g.grid_name} {g.score} 分")
        elif g.received:    # too few tickets, or none due, done or rated yet
            lines.append(f"⚪ {g.grid_name} 本期 {g.received} 件工单，{NO_RATING}")
        else:
            lines.append(f"⚪ {g.grid_name} 本期没有工单，暂不评星")
    return "\n".join(lines)


# ---- the public board (/board): no names, phones, rooms or words of the reporter

PLACE_NOT_SHOWN = "（地点未公开）"
BOARD_NO_COMMUNITY = "没有这个社区。"


def board_method(rating: Any) -> str:
    """How the colours were given, in the deployment's own numbers (settings.RatingSettings)."""
    if rating.colour_by == "shares":
        return (f"按比例：得分前 {rating.red_share:.0%} 为红，后 {rating.yellow_share:.0%} 为黄，其余为蓝；"
                "还没有到期、办结或评价工单的暂不评级")
    return f"按得分：{rating.red_at:g} 分及以上为红，{rating.blue_at:g} 分及以上为蓝，其余为黄；还没有到期、办结或评价工单的暂不评级"


# ---------------------------------------------------------------- channels: WeChat, web chat, group chats

ANSWERED_PRIVATELY = "已私信回复您。"


def at(name: str, text: str) -> str:
    """A group reply addressed to its sender (「@小李 …」); without a name, the text alone."""
    return f"@{name} {text}" if name else text


WELCOME_BACK = "欢迎回来！有问题直接发文字、照片、视频、语音或位置告诉我，发「帮助」看看我能做什么。"
STAFF_UNBOUND = "您好 👋 工作人员请先发「绑定 邀请码」绑定身份，之后新工单会推送到这里。"
SCAN_ACK = "扫码收到 👋 有什么问题直接发文字、照片、视频、语音或位置告诉我。"


def scanned_place(place: str) -> str:
    """The answer to a 帮办二维码 scan: the place is known, so the next report needs none."""
    return (f"您好！这里是「{place}」的帮办二维码 📍 有问题直接发文字、照片或语音，不用再说小区；"
            "想请邻居帮个小忙，发「心愿：想请人帮忙…」。")


# 帮办二维码 posters (bot/posters.py): printed on the notice board of an estate or a building
POSTER_TITLE = "帮办二维码"
POSTER_HOW_TO = {
    "wechat": ["微信扫一扫，关注后直接说遇到的问题", "发文字、照片、语音都行，不用再说小区",
               "想请邻居帮个小忙，发「心愿：…」", "发「进度 工单号」随时查看办理情况"],
    "web": ["手机扫一扫，打开网页直接说遇到的问题", "发文字、照片都行，不用再说小区",
            "想请邻居帮个小忙，发「心愿：…」", "发「进度 工单号」随时查看办理情况"],
}


def poster_contact(grid: str, people: list[tuple[str, str]]) -> list[str]:
    """The grid and its contacts as the poster prints them (a staff work number is printed whole)."""
    lines = [f"网格：{grid}"]
    lines += [f"联系人：{name}" + (f"  {phone}" if phone else "") for name, phone in people]
    return lines


def font_missing(path: str) -> str:
    return (f"找不到中文字体 {path}，海报没法写字：请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei），"
            "或在 config.yaml 的 qrcode.font 写上一个中文字体文件（.ttf/.ttc）的路径。")


def unknown_estate(name: str, known: list[str]) -> str:
    return f"没有叫「{name}」的小区；可选：{'、'.join(known)}。"


def qrcode_failed(reason: str) -> str:
    return f"微信没有生成二维码（{reason}）：请检查 wechat.app_id / app_secret 和服务器 IP 白名单，或改用 --channel web。"
VOICE_TICKET_TEXT = "（语音留言，未识别出文字，请收听录音）"
VOICE_REVIEW_REASON = "语音未识别出文字，请收听录音，需要时回电"


def voice_for_a_person(ticket_id: int) -> str:
    """A recording without WeChat's transcript: a person in the community listens (the 帮办代办 promise)."""
    return (f"收到您的语音 🎧 已转给社区工作人员收听（工单号 {ticket_id}），需要时会给您回电话。"
            f"方便的话也可以打字补充在哪里、什么问题。")


def link_received(title: str) -> str:
    """A shared article: acknowledged, never asked 「哪个小区」 about."""
    named = f"「{mask_phones(title)[:30]}」" if title else ""
    return f"收到您分享的链接{named}。如果要反映身边的问题，直接说说在哪里、什么问题就行，有照片也可以发来。"


def staff_welcome(name: str, open_work: int) -> str:
    todo = f"您有 {open_work} 件待办，发「待办」查看。" if open_work else "目前没有待办。"
    return f"{name or '您'}好 👋 {todo}"


#: A video over store.video_max_mb, told to its sender; and a recording ffmpeg could not convert.
VIDEO_TOO_BIG = "视频太大了（超过 {max_mb:g} MB），没能保存下来 😅 可以剪短一些再发，或者拍张照片发给我。"
RECORDING_AS_SENT = "录音保持原格式（{fmt}），浏览器可能无法直接播放，请下载后收听。"


def evidence_line(photos: int, videos: int, recordings: int) -> str:
    """What a report carries, for the handler's push: 「附 视频 1 段、照片 2 张（工作台可看）」."""
    parts = [f"视频 {videos} 段" if videos else "", f"照片 {photos} 张" if photos else "",
             f"录音 {recordings} 段" if recordings else ""]
    shown = "、".join(p for p in parts if p)
    return f"附 {shown}（缩略图和原件在工作台工单页）" if shown else ""
CHAT_DEMO_NOTICE = ("演示页面：可以扮演居民、骑手、网格书记或社区调度员，和三单小助手对话。"
                    "消息走真实的处理流程，但不验证身份，请勿用于正式工作。")
DEMO_CHAT_ON_WARNING = ("!!! web.demo_chat is on: /chat lets anyone on the network, without a login, act as the "
                        "demo residents, riders, grid secretaries and dispatcher (a world of their own, apart from "
                        "real users). Use it for demos and training only; set web.demo_chat: false otherwise. !!!")
REPLY_AFTER_BUSY = "收到您的消息了。系统有点忙，处理好后马上告诉您。"
CHAT_PHOTO_TOO_BIG = "照片太大了，请换一张小一点的。"
CHAT_PHOTO_BAD = "只能发 JPG、PNG、GIF 或 WEBP 图片。"


def result_photo_added(ticket_id: int, done: bool) -> str:
    then = "反映人能在「进度」里看到。" if done else f"办好后回复「办结 {ticket_id} 处理说明」。"
    return f"照片已加到工单 #{ticket_id} 的处理结果，{then}"


def photo_added(ticket_id: int) -> str:
    return f"照片已补充到工单 {ticket_id}。如果是另一个问题，请再说说是什么问题、在哪里。"


def photo_moved(from_ticket: int, to_ticket: int) -> str:
    """A photo first added to the sender's earlier ticket turned out to show this new report."""
    return f"刚才那张照片已从工单 {from_ticket} 移到工单 {to_ticket}。"


def import_preview(messages: int, reports: int, skipped: int) -> str:
    return f"共 {messages} 条消息，其中 {reports} 条是问题反映（试运行，未立单），{skipped} 条闲聊已跳过。"


def import_summary(messages: int, new: int, joined: int, before: int, skipped: int) -> str:
    """What an import filed; the numbers add up to the messages read."""
    parts = [f"新立单 {new} 件"]
    if joined:
        parts.append(f"{joined} 条并入已有工单")
    if before:
        parts.append(f"{before} 条以前已导入")
    return f"共 {messages} 条消息，{'，'.join(parts)}，{skipped} 条闲聊已跳过。"


# ---------------------------------------------------------------- dispatch: staff commands, deadlines, digests

ROLE_NAMES = {"grid_secretary": "网格书记", "dispatcher": "社区调度员", "department": "部门联络员", "leader": "领导",
              "volunteer": "志愿者"}
NOT_DISPATCHER = "这个操作需要社区调度员来做。"
REJECT_NEEDS_REASON = "请写上驳回理由，比如「驳回 12 属于私人纠纷，建议走法律途径」，我们会转告反映人。"
INVITE_PROBLEMS = {
    "invalid": "邀请码不对，请核对后再发（注意区分字母和数字）。",
    "used": "这个邀请码已经用过了，请向社区管理员要一个新的。",
    "expired": "这个邀请码已过期，请向社区管理员要一个新的。",
    "throttled": "邀请码错误次数太多，请过一会儿再试，或向社区管理员核对邀请码。",
}
NO_JOINT_ITEMS = "目前没有待提交联席会议的工单。"


def decision_for_staff(ticket_id: int, decision: str) -> str:
    return f"【联席会议议定】工单 #{ticket_id}：{decision}\n请按议定意见办理。"


def decision_for_reporter(ticket_id: int, decision: str) -> str:
    return f"您反映的问题（工单 {ticket_id}）经社区联席会议商议决定：{mask_phones(decision)}\n办理结果会再告诉您。"


def decision_told(ticket_id: int, lead: str | None, helpers: list[str], told: int) -> str:
    parts = [f"已记录联席会议意见，工单 #{ticket_id} 移出议题"]
    if lead:
        parts.append(f"由{lead}主办")
    if helpers:
        parts.append(f"{'、'.join(helpers)}协办")
    return "，".join(parts) + f"。议定意见已告知 {told} 位相关工作人员和反映人。"


def calendar_unknown(years: list[int]) -> str:
    """The operator's warning that the working calendar of a year is not published yet (no silent guess)."""
    names = "、".join(f"{y} 年" for y in years)
    return (f"注意：还没有 {names}的法定节假日和调休安排，这段时间的办理期限暂按周一至周五计算。"
            f"请升级 chinese-calendar（pip install -U chinese-calendar），或把国务院办公厅公布的放假日期写进 "
            f"config.yaml 的 dispatch.holidays、调休上班日写进 dispatch.extra_working_days，"
            f"并把年份加进 dispatch.calendar_years。")


def demo_secrets_refused(items: list[tuple[str, str]]) -> str:
    """`sandan serve` (or the WSGI app) met the demo's public secrets outside `sandan demo`."""
    lines = [f"  {setting:<22} 环境变量 {var}" for setting, var in items]
    return ("拒绝启动：以下设置仍是演示用的公开值（它们写在 git 里的 config.yaml 中，只有 `sandan demo` 可以用）。\n"
            + "\n".join(lines) + "\n"
            "请为每一项设置新值（环境变量优先于 config.yaml）。`sandan secrets --output /etc/sandan/secrets.env` "
            "会生成一份新的；公众号的 AppSecret 请从微信公众平台复制。")


def joint_settled(ticket_id: int) -> str:
    return f"已记录联席会议意见，工单 #{ticket_id} 移出议题。"


_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")   # 0731-88881234, 073188881234


def mask_phones(text: str, keep: frozenset[str] = frozenset()) -> str:
    """138****5678, 0731-****1234: phone numbers are never shown in full, in chat or in the public Open311 list,
    except the staff work numbers in ``keep`` (digits only) that a handler chose to give the resident."""
    def masked(m: re.Match[str]) -> str:
        return m.group(0) if m.group(0).replace("-", "") in keep else f"{m.group(1)}****{m.group(2)}"
    return _LANDLINE.sub(masked, _MOBILE.sub(masked, text or ""))


# ---- internal notes (「备注 12 …」): staff only, never to the reporter

DASHBOARD_STAFF = "工作台管理员"
NOTE_HOW = "请写上备注内容，例如「备注 12 住户白天不在家，约了晚上七点」。备注只有工作人员看得到。"


def internal_note_saved(ticket_id: int, told: int) -> str:
    to_whom = f"，已推送给 {told} 位同事" if told else ""
    return f"已记下工单 #{ticket_id} 的内部备注（仅工作人员可见，不会告诉反映人）{to_whom}。"


def internal_note_push(ticket_id: int, who: str, text: str) -> str:
    return f"【内部备注】工单 #{ticket_id} {who}：{text}"


def internal_note_lines(notes: list[tuple[str, str]]) -> str:
    """The newest internal notes under a staff member's 进度, each marked 内部."""
    return "\n".join(f"【内部】{at} {text[:60]}" for at, text in notes)


def bound(role: str, scope: str) -> str:
    if role == "volunteer":
        return (f"绑定成功！您现在是{scope}志愿者。社区征集志愿服务时会推送给您，回复「认领 工单号」即可。"
                f"发「我的服务时间 周末」「我的特长 水电维修」登记，方便社区找到合适的人。")
    return (f"绑定成功！您现在是{scope}{ROLE_NAMES.get(role, role)}。新工单会推送给您，"
            f"发「帮助」看看常用命令。")


# ---------------------------------------------------------------- rating reminders and 回访


def rating_reminder(ticket_id: int) -> str:
    return f"您反映的问题（工单 {ticket_id}）已办结，还没收到您的评价。{RATE_ASK}。"


def followup_list(rows: list[tuple[int, str, str]]) -> str:
    if not rows:
        return "目前没有待回访的工单。"
    lines = [f"待回访（办结后一直未评价，请电话回访）共 {len(rows)} 件："]
    lines += [f"#{n} {at} 办结｜{mask_phones(text)[:18]}" for n, at, text in rows]
    lines.append("回访后回复「回访 工单号 已解决/未解决 满意/基本满意/不满意」记录结果。")
    return "\n".join(lines)


def followups_waiting(count: int) -> str:
    return f"另有 {count} 件办结后未评价的工单待回访，发「回访」查看。"


def followup_note(solved: bool, satisfaction: str, note: str) -> str:
    parts = ["回访：" + ("已解决" if solved else "未解决"), satisfaction, mask_phones(note)]
    return "，".join(p for p in parts if p)


def followup_recorded(ticket_id: int, solved: bool, state: str) -> str:
    if state == "reopened":
        return f"已记录工单 #{ticket_id} 的回访结果：未解决，工单已退回原办理人重新办理。"
    return f"已记录工单 #{ticket_id} 的回访结果：{'已解决' if solved else '未解决'}，工单已结案。"


# ---------------------------------------------------------------- 帮办代办: staff file for a resident


def proxy_filed(name: str, phone: str, ack: str, code: str) -> str:
    return (f"已代{name}（{mask_phones(phone)}）登记。{ack}\n"
            f"请把居民码 {code} 交给{name}：在公众号发「绑定 {code}」后，每一步进展会直接告诉{name}。"
            f"在此之前进展发给您，请电话转告。")


PROXY_FORM_HOW = "请填写居民姓名、11 位手机号和要反映的问题（地点写在「地点」栏或问题里）。"


def proxy_linked(ticket_id: int) -> str:
    return f"绑定成功！工单 {ticket_id} 已关联到您，办理进展会直接告诉您。回复「进度 {ticket_id}」可随时查看。"


def proxy_linked_push(ticket_id: int, name: str) -> str:
    return f"{name}已绑定，工单 #{ticket_id} 的进展今后直接告诉居民本人，不再发给您。"


# ---------------------------------------------------------------- volunteers: roster, 征集 / 认领 / 确认

NOT_VOLUNTEER = "「认领」征集任务需要先成为志愿者：请向社区要志愿者邀请码，发「绑定 邀请码」。"


def volunteer_profile_saved(name: str, skills: str, free_times: str) -> str:
    return (f"已登记。{name}的志愿者资料：特长 {skills or '未填'}；服务时间 {free_times or '未填'}。")


def volunteer_call(ticket: dict[str, Any]) -> str:
    return (f"【志愿服务征集】工单 #{ticket['id']} {ticket['category']}｜{place_text(ticket)}\n"
            f"{mask_phones(ticket['text'])}\n能帮忙的请回复「认领 {ticket['id']}」，先到先得。")


def volunteer_call_sent(ticket_id: int, told: int, matched: bool, groups: list[str]) -> str:
    posted = f"，并发到了「{'」「'.join(groups)}」" if groups else ""
    if not told:
        return f"工单 #{ticket_id} 已开放志愿者认领{posted}，但本社区还没有绑定的志愿者。"
    who = f"{told} 位特长或时间合适的志愿者" if matched else f"{told} 位志愿者"
    return f"已向本社区 {who}征集工单 #{ticket_id}{posted}，有人认领会告诉您。"


def volunteer_claimed_reply(ticket_id: int) -> str:
    return f"认领成功！工单 #{ticket_id} 交给您了。完成后回复「完成 {ticket_id} 做了什么」，可以附上照片。"


def volunteer_taken(ticket_id: int, who: str) -> str:
    return f"谢谢您！工单 #{ticket_id} 已由志愿者{who}认领了，下次征集再请您帮忙。"


def volunteer_not_open(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 没有向您所在社区征集志愿者，暂时不能认领。"


def volunteer_claimed_push(ticket_id: int, who: str) -> str:
    return f"【志愿认领】工单 #{ticket_id} 已由志愿者{who}认领。"


def volunteer_reported_reply(ticket_id: int) -> str:
    return f"辛苦了！工单 #{ticket_id} 的完成情况已报给网格，确认后会计入您的志愿服务。"


VOLUNTEER_REPORT_HOW = "请说说做了什么，例如「完成 12 已换好灯泡」，可以附上照片。"


def volunteer_not_yours(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 不是您认领的任务；发「认领 {ticket_id}」先认领。"


def volunteer_report_push(ticket_id: int, who: str, note: str, photo: bool) -> str:
    with_photo = "（附照片）" if photo else ""
    return (f"【志愿反馈】志愿者{who}反馈工单 #{ticket_id} 已完成{with_photo}：{mask_phones(note) or '见照片'}\n"
            f"核实后请回复「确认 {ticket_id}」，将通知反映人评价。")


def volunteer_confirm_reply(ticket_id: int) -> str:
    return f"已确认工单 #{ticket_id} 的志愿服务，工单已办结，已通知反映人评价。"


def nothing_to_confirm(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 还没有待确认的志愿服务（志愿者完成后会发给您）。"


def volunteer_confirmed(ticket_id: int, points: int, hours: float) -> str:
    return f"工单 #{ticket_id} 的志愿服务已确认，感谢您！+{points} 志愿服务积分，服务时长 {hours:g} 小时。"


def volunteer_service_line(tasks: int, hours: float) -> str:
    return f"志愿服务：{tasks} 次，累计 {hours:g} 小时"


# ---------------------------------------------------------------- 微心愿: a resident's wish, a volunteer's claim

WISH_STATES = {"open": "待认领", "claimed": "志愿者已认领", "done": "志愿者已完成，待您确认", "confirmed": "已实现",
               "withdrawn": "已撤回"}
WISH_ASK_PLACE = ("请在心愿里写上小区和楼栋，例如「心愿：广场花苑小区3栋 想请人帮忙换个灯泡」，"
                  "附近的志愿者才能找到您。扫小区的帮办二维码后发就不用写了。")
WISH_HOW = "请说说想请人帮什么忙，例如「心愿：想请人帮忙换个灯泡」。"
WISH_ONLY_VOLUNTEERS = "「认领心愿」需要先成为志愿者：请向社区要志愿者邀请码，发「绑定 邀请码」。"
WISH_DONE_HOW = "请说说做了什么，例如「完成心愿 3 已换好灯泡」，可以附上照片。"
NO_WISHES = "您还没有许过心愿。发「心愿：想请人帮忙…」就能发布到社区的心愿墙，志愿者认领后会告诉您。"


def wish_too_long(limit: int) -> str:
    return f"心愿请简短些（{limit} 字以内），说清楚想请人帮什么忙就好。"


def wish_state_text(wish: dict[str, Any], volunteer: str) -> str:
    if wish["state"] in ("claimed", "done") and volunteer:
        return f"志愿者{volunteer}已认领" + ("，说已完成，待确认" if wish["state"] == "done" else "")
    return WISH_STATES.get(wish["state"], wish["state"])


def wish_posted(wish_id: int, place: str, community: str, told: int) -> str:
    who = f"已推送给 {told} 位志愿者，" if told else ""
    return (f"已收到您的微心愿，心愿号 {wish_id}：已发布到{community}的心愿墙（{place}），{who}"
            f"有人认领会告诉您。回复「心愿 {wish_id}」可随时查看。")


def wish_call(wish: dict[str, Any]) -> str:
    return (f"【微心愿】#{wish['id']}｜{wish['place']}\n{mask_phones(wish['text'])}\n"
            f"能帮忙的请回复「认领心愿 {wish['id']}」，先到先得。")


def _wish_line(wish: dict[str, Any]) -> str:
    """The wish with its place, said once (the wish's words often name it already)."""
    text = mask_phones(wish["text"])
    return text if wish["place"] in text else f"{wish['place']} {text}"


def wish_list(community: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"{community}的心愿墙暂时没有待认领的心愿，有新心愿会推送给您。"
    lines = [f"{community}的心愿墙（待认领 {len(rows)} 个）："]
    lines += [f"#{r['id']} {_wish_line(r)[:40]}" for r in rows]
    lines.append("能帮忙的请回复「认领心愿 编号」。")
    return "\n".join(lines)


def my_wishes(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return NO_WISHES
    lines = ["您的心愿："]
    lines += [f"#{r['id']} {_wish_line(r)[:30]}（{WISH_STATES.get(r['state'], r['state'])}）" for r in rows]
    lines.append("回复「心愿 编号」查看详情。")
    return "\n".join(lines)


def wish_status(wish: dict[str, Any], volunteer: str, posted_at: str) -> str:
    lines = [f"心愿 #{wish['id']}：{_wish_line(wish)}", f"状态：{wish_state_text(wish, volunteer)}",
             f"发布时间：{deadline_text(posted_at)}"]
    if wish["state"] == "done":
        lines.append(f"实现了请回复「确认心愿 {wish['id']} 满意」；还没有请回复「心愿未完成 {wish['id']} 原因」。")
    return "\n".join(lines)


def wish_not_found(wish_id: int) -> str:
    return f"没有找到心愿 {wish_id}，请核对编号；发「我的心愿」或「心愿」看看。"


def wish_claimed_reply(wish_id: int) -> str:
    return (f"认领成功！心愿 #{wish_id} 交给您了，发「心愿 {wish_id}」看地点。"
            f"完成后回复「完成心愿 {wish_id} 做了什么」。")


def wish_taken(wish_id: int, who: str) -> str:
    if not who:
        return f"心愿 #{wish_id} 已经不在心愿墙上了，发「心愿」看看还有哪些待认领。"
    return f"谢谢您！心愿 #{wish_id} 已由志愿者{who}认领了，发「心愿」看看还有哪些待认领。"


def wish_claimed_push(wish_id: int, who: str) -> str:
    return f"您的心愿 #{wish_id} 已由志愿者{who}认领，会尽快来帮忙。"


def wish_not_yours(wish_id: int) -> str:
    return f"心愿 #{wish_id} 不是您认领的；发「认领心愿 {wish_id}」先认领。"


def wish_not_the_wisher(wish_id: int) -> str:
    return f"心愿 #{wish_id} 不是您许的，只有许愿的居民可以确认。"


def wish_wrong_state(wish_id: int, state: str) -> str:
    return f"心愿 #{wish_id} 现在是「{WISH_STATES.get(state, state)}」，不能这样操作；发「心愿 {wish_id}」看看。"


def wish_done_reply(wish_id: int) -> str:
    return f"辛苦了！已请居民确认心愿 #{wish_id}，确认后会计入您的心愿积分。"


def wish_done_push(wish_id: int, who: str, note: str, photo: bool) -> str:
    with_photo = "（附照片）" if photo else ""
    return (f"志愿者{who}说您的心愿 #{wish_id} 已完成{with_photo}：{mask_phones(note) or '见照片'}\n"
            f"实现了请回复「确认心愿 {wish_id} 满意」（也可以说「基本满意」「不满意」）；"
            f"还没有请回复「心愿未完成 {wish_id} 原因」。")


def wish_confirmed_reply(wish_id: int, rating: str) -> str:
    return f"谢谢您的评价（{rating}）！心愿 #{wish_id} 已实现，已告诉志愿者。"


def wish_confirmed_push(wish_id: int, rating: str, note: str, earned: int) -> str:
    said = f"（{mask_phones(note)}）" if note else ""
    thanks = f"+{earned} 心愿积分，感谢您！" if earned else "感谢您的付出！"
    return f"您认领的心愿 #{wish_id} 居民已确认实现，评价：{rating}{said}。{thanks}"


def wish_not_done_reply(wish_id: int) -> str:
    return f"已告诉志愿者，心愿 #{wish_id} 还没完成，会再来帮忙。"


def wish_not_done_push(wish_id: int, note: str) -> str:
    why = f"：{mask_phones(note)}" if note else ""
    return f"居民说心愿 #{wish_id} 还没完成{why}。请再去看看，好了回复「完成心愿 {wish_id} 说明」。"


def wish_withdrawn_reply(wish_id: int) -> str:
    return f"已撤回心愿 #{wish_id}，已从心愿墙上撤下。"


def wish_withdrawn_push(wish_id: int, by_wisher: bool, reason: str) -> str:
    why = f"：{mask_phones(reason)}" if reason else "。"
    if by_wisher:
        return f"居民撤回了心愿 #{wish_id}，不用去了{why}"
    return f"社区撤下了心愿 #{wish_id}{why}"


def wish_points_reason(wish_id: int) -> str:
    return f"微心愿 #{wish_id}"


def wish_points_line(earned: int, count: int) -> str:
    return f"心愿积分：{earned} 分（实现 {count} 个微心愿）"
CHINESE_NUMBERS = "零一二三四五"


def stars_text(stars: int) -> str:
    """星级 as the roster and the export show it: ★★★ 三星, or 未评星."""
    return f"{'★' * stars} {CHINESE_NUMBERS[stars]}星" if stars else "未评星"


def stars_line(stars: int, next_level: Any, earned: int, hours: float) -> str:
    """积分's 星级 line: the stars, and what the next level still needs."""
    now = f"星级：{stars_text(stars)}志愿者" if stars else "星级：还未评星"
    if next_level is None:
        return f"{now}，已是最高星级，谢谢您！"
    need = []
    if next_level.points > earned:
        need.append(f"再得 {next_level.points - earned} 分")
    if next_level.hours > hours:
        need.append(f"服务再满 {next_level.hours - hours:g} 小时")
    return f"{now}；{'、'.join(need)}可评{CHINESE_NUMBERS[next_level.stars]}星"


def ratings_text(ratings: dict[str, int]) -> str:
    """How the reporters rated a volunteer's tasks: 满意 3、基本满意 1."""
    return "、".join(f"{k} {ratings[k]}" for k in ("满意", "基本满意", "不满意") if ratings.get(k))


#: The 民主评议 export of volunteers and team riders: column → header (phone numbers masked in every cell).
ROSTER_HEADERS = {
    "display_name": "姓名", "chosen_name": "自称", "community": "社区", "team": "小队", "skills": "特长",
    "free_times": "服务时间", "points": "志愿服务积分", "hours": "服务时长（小时）", "tasks": "志愿服务次数",
    "stars": "星级", "ratings": "居民评价",
}


def started(ticket_id: int) -> str:
    return f"已标记工单 #{ticket_id} 处理中，反映人会收到通知。办好后回复「办结 {ticket_id} 处理说明」。"


def reporter_started(ticket_id: int, note: str, keep: frozenset[str] = frozenset()) -> str:
    extra = f"：{mask_phones(note, keep)}" if note else ""
    return f"您反映的问题（工单 {ticket_id}）正在处理中{extra}。"


def assigned_reply(ticket_id: int, handler: str) -> str:
    return f"工单 #{ticket_id} 已派给{handler}，已通知对方。"


def handler_sent_back(ticket_id: int, department: str, reason: str) -> str:
    return f"【退回】工单 #{ticket_id} 被{department}退回：{mask_phones(reason)[:60]}。请网格处理或联系社区改派。"


SEND_BACK_IS_FOR_DEPARTMENTS = "「退回」是部门用的。网格办不了的，请「转交 编号 部门」，或请社区调度员改派。"


def already_in_progress(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 已经在处理中了。有新进展就写上，比如「处理中 {ticket_id} 电工明天上午到」。"


SEND_BACK_NEEDS_REASON = "请写上退回理由，比如「退回 12 小区内部路灯，归物业管」，我们会转告网格和社区。"


def sent_back_reply(ticket_id: int, grid: str) -> str:
    return f"工单 #{ticket_id} 已退回{grid}，理由已转告网格和社区。"


def transferred_reply(ticket_id: int, department: str) -> str:
    return f"工单 #{ticket_id} 已转交{department}，网格和社区已同步知晓。"


def reporter_assigned(ticket_id: int, handler: str) -> str:
    return f"您反映的问题（工单 {ticket_id}）已交给{handler}办理，我们会持续跟进。"


def handed_over(ticket_id: int, handler: str) -> str:
    return f"【改派】工单 #{ticket_id} 已改由{handler}办理，您不用再跟进了。"


def rejected_reply(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 已驳回，已把理由转告反映人。"


def reporter_rejected(ticket_id: int, reason: str) -> str:
    """驳回, told to the reporter: that it was not taken on, why (the dispatcher's words, when they may be told),
    and what they can do."""
    why = mask_phones(reason).rstrip("。.！!")
    cause = f"，原因是：{why}" if why else ""
    return (f"感谢您的反映！工单 {ticket_id} 社区没有受理{cause}。"
            f"如果问题还在，补充清楚地点或情况后可以重新反映，有疑问请发「转人工」。")


def handler_withdrawn(ticket_id: int, reason: str, by: str = "社区驳回") -> str:
    why = f"（{mask_phones(reason)[:40]}）" if reason else ""
    return f"【撤回】工单 #{ticket_id} 已被{by}{why}，不用再办理了。"


def withdrawn(ticket_id: int) -> str:
    return f"好的，工单 {ticket_id} 已撤回，网格那边不用再跑一趟了。谢谢告知！"


def already_withdrawn(ticket_id: int) -> str:
    return f"工单 {ticket_id} 已经撤回了，不用再发。"


def cannot_withdraw(ticket_id: int, state: str) -> str:
    return (f"工单 {ticket_id} 目前{STATE_NAMES.get(state, state)}，不能撤回了。"
            f"情况有变化的话，直接把新情况发给我，我转告办理人。")


def others_still_waiting(ticket_id: int) -> str:
    return f"工单 {ticket_id} 还有其他居民反映了同一问题，会继续办理；谢谢您告诉我们！"


def handler_merged(ticket_id: int, into_id: int) -> str:
    return f"【合并】工单 #{ticket_id} 与 #{into_id} 是同一问题，已并入 #{into_id}，#{ticket_id} 不用再单独办理。"


def already_assigned(ticket_id: int, state: str) -> str:
    return f"工单 #{ticket_id} 已经在这里（{STATE_NAMES.get(state, state)}），不用重复派单。"


def merged_reply(ticket_id: int, into_id: int) -> str:
    return f"工单 #{ticket_id} 已并入 #{into_id}，反映人会一起收到进展。"


def reporter_merged(ticket_id: int, into_id: int) -> str:
    return f"您反映的问题（工单 {ticket_id}）和工单 {into_id} 是同一件事，已合并办理，进展会同步告诉您。"


def more_reporters(ticket: dict[str, Any], text: str) -> str:
    return (f"【又有人反映】工单 #{ticket['id']} 目前共 {ticket['reporters']} 人反映，请抓紧办理。\n"
            f"新反映：{mask_phones(text)[:60]}")


def closed_by_default(ticket_id: int, days: int) -> str:
    return f"工单 {ticket_id} 办结后 {days} 天未收到评价，已按满意完结。如仍有问题，欢迎再次反映。"


def reminder(t: dict[str, Any], deadline: str | None, step: int, total: int) -> str:
    head = "【提醒】" if step < total else "【紧急提醒】"
    return (f"{head}工单 #{t['id']}（{place_text(t)}）将于 {deadline_text(deadline)} 到期，"
            f"请抓紧办理。\n{mask_phones(t['text'])[:40]}")


def escalation(t: dict[str, Any], handler: str, deadline: str | None, level: int) -> str:
    head = "【督办】" if level == 1 else "【督办·上报】"
    return (f"{head}工单 #{t['id']}（{handler}）已超过办结期限 {deadline_text(deadline)}，仍未办结：\n"
            f"{mask_phones(t['text'])[:40]}")


# ---- 接单时限 (response limits, 响应率): dispatch/responses.py

CLAIM_REMINDED_NOTE = "接单时限将到，提醒办理人接单"


def claim_limit_why(amount: float, unit: str) -> str:
    return f"接单时限 {amount:g} {'分钟' if unit == 'minutes' else '个工作小时'}"


def claim_reminder(t: dict[str, Any], limit: str | None) -> str:
    return (f"【接单提醒】工单 #{t['id']}（{place_text(t)}）还没有人接单，请于 {deadline_text(limit)} 前"
            f"回复「接单 {t['id']}」。\n{mask_phones(t['text'])[:40]}")


def claim_overdue(t: dict[str, Any], handler: str, limit: str | None) -> str:
    return (f"【接单超时】工单 #{t['id']}（{handler}）过了接单时限 {deadline_text(limit)} 仍无人接单，"
            f"请督促接单或改派：\n{mask_phones(t['text'])[:40]}")


def claim_overdue_note(limit: str | None) -> str:
    return f"超过接单时限（{deadline_text(limit)}）无人接单，已告知社区调度员"


def claim_time(seconds: float | None, unit: str | None) -> str:
    """Time to claim as people read it: 35 分钟, 1 小时 20 分钟 (工作时间 for a working-hours limit)."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    text = f"{minutes // 60} 小时 {minutes % 60} 分钟" if minutes >= 60 else f"{minutes} 分钟"
    return text.replace(" 0 分钟", "") + ("（工作时间）" if unit == "work_hours" else "")


# ---- 延期申请: the handler asks, the dispatcher decides, the reporter hears the new date

_SPAN_UNITS = {"days": "天", "work_days": "个工作日", "hours": "小时"}
EXTENSION_HOW = "延期请写明时长和理由，例如「延期 12 2天 等配件到货」（天、工作日或小时）。"
DECIDE_EXTENSION_IS_FOR_DISPATCHERS = "只有社区调度员可以审批延期申请。"


def extension_span(amount: int, unit: str) -> str:
    return f"{amount}{_SPAN_UNITS.get(unit, unit)}"


def extension_asked(ticket_id: int, span: str) -> str:
    return f"已提交工单 #{ticket_id} 延期 {span}的申请，等社区调度员审批，结果会告诉您。审批前请按原期限办理。"


def extension_for_dispatcher(t: dict[str, Any], who: str, span: str, old: str, new: str, reason: str) -> str:
    return (f"【延期申请】工单 #{t['id']}（{place_text(t)}）{who}申请延期 {span}：{reason}\n"
            f"原期限 {deadline_text(old)}，同意后延至 {deadline_text(new)}。\n"
            f"回复「同意延期 {t['id']}」或「不同意延期 {t['id']} 理由」，也可在工作台处理。")


def extension_pending(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 已有一份延期申请在等社区审批，请等审批结果。"


def no_extension_pending(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 没有待审批的延期申请。"


def extension_granted(ticket_id: int, deadline: str) -> str:
    return f"已同意工单 #{ticket_id} 延期，新期限 {deadline}，已告知办理人和反映人。"


def extension_refused(ticket_id: int) -> str:
    return f"已不同意工单 #{ticket_id} 延期，期限不变，已告知办理人。"


def extension_granted_for_handler(ticket_id: int, deadline: str) -> str:
    return f"【延期已同意】工单 #{ticket_id} 新的办结期限是 {deadline}。"


def extension_refused_for_handler(ticket_id: int, deadline: str, note: str) -> str:
    why = f"：{note}" if note else "。"
    return f"【延期未同意】工单 #{ticket_id} 仍须在 {deadline} 前办结{why}"


def extension_for_reporter(ticket_id: int, deadline: str) -> str:
    return f"您反映的问题（工单 {ticket_id}）办理需要多一些时间，预计 {deadline} 前办结，请您谅解。"


def review_overdue(t: dict[str, Any], urgent: bool = False) -> str:
    head = "【紧急·待审核提醒】" if urgent else "【待审核提醒】"
    return (f"{head}工单 #{t['id']} 还在等社区审核：{mask_phones(t['text'])[:40]}\n"
            f"回复「派单 {t['id']} 网格或部门」指派，或「驳回 {t['id']} 理由」。")


# ---- 主办/协办: one lead closes the ticket, co-handling departments report their parts

CO_HANDLE_IS_FOR_LEAD = "只有社区调度员或主办单位可以请部门协办。"
NO_PART = "您所在的部门没有这张工单的协办任务。"


def co_handler_added(ticket_id: int, department: str) -> str:
    return (f"已请{department}协办工单 #{ticket_id}。协办单位完成后会回复「协办完成 {ticket_id}」，"
            f"全部协办完成后由主办单位办结。")


def already_co_handling(ticket_id: int) -> str:
    return f"这个部门已经在办理工单 #{ticket_id} 了，不用重复添加。"


def co_handling_assignment(t: dict[str, Any], lead: str, note: str, deadline: str | None) -> str:
    ask = f"：{note}" if note else "。"
    return (f"【协办】工单 #{t['id']}（{place_text(t)}）由{lead}主办，请贵单位协办{ask}\n"
            f"{mask_phones(t['text'])[:40]}\n期限：{deadline_text(deadline)}。"
            f"完成后回复「协办完成 {t['id']} 情况」。")


def part_done(ticket_id: int, left: list[str]) -> str:
    more = f"还有{'、'.join(left)}未完成。" if left else "协办都已完成，主办单位可以办结了。"
    return f"已记录工单 #{ticket_id} 的协办完成情况，已告知主办单位。{more}"


def part_done_for_lead(ticket_id: int, department: str, note: str, left: list[str]) -> str:
    more = f"还在等：{'、'.join(left)}。" if left else f"协办已全部完成，可以回复「办结 {ticket_id} 情况」。"
    return f"【协办完成】工单 #{ticket_id} {department}：{note}\n{more}"


def parts_still_open(ticket_id: int, departments: list[str]) -> str:
    return f"工单 #{ticket_id} 还有协办未完成（{'、'.join(departments)}），请等协办单位回复「协办完成 {ticket_id}」后再办结。"


def joint_marked(t: dict[str, Any], reason: str) -> str:
    return f"【联席会议】工单 #{t['id']} 已列入联席会议议题：{reason}\n{mask_phones(t['text'])[:40]}"


def joint_added(ticket_id: int, added: bool) -> str:
    return f"工单 #{ticket_id} 已列入联席会议。" if added else f"工单 #{ticket_id} 已在联席会议议题里了。"


def joint_agenda(rows: list[dict[str, Any]], department_name: Any) -> str:
    lines = [f"联席会议待议 {len(rows)} 件："]
    for r in rows[:20]:
        names = "、".join(department_name(d) for d in r["departments"]) or "未转交"
        lines.append(f"#{r['id']} {mask_phones(r['text'])[:16]}｜涉及：{names}")
    return "\n".join(lines)


def ask_target(verb: str, ticket_id: int, grids: list[str], departments: list[str]) -> str:
    """「转交 25」 or 「派单 25」 with nobody named: ask whom, with the choices (the grids of one's own community)."""
    if verb in ("转交", "转办"):
        return (f"工单 #{ticket_id} 要转交给哪个部门？比如「{verb} {ticket_id} {departments[0] if departments else '部门名称'}」。"
                f"可选：{'、'.join(departments)}。")
    choices = "、".join(grids + departments)
    return f"工单 #{ticket_id} 要派给哪个网格或部门？比如「{verb} {ticket_id} {grids[0] if grids else '网格编号'}」。可选：{choices}。"


def unknown_target(target: str, candidates: list[str], hint: str = "") -> str:
    if candidates:
        return f"「{target[:16]}」对应多个：{'、'.join(candidates[:6])}，请写完整名称或编号。"
    return (hint or f"没找到「{target[:16]}」") + "。可以写网格编号（如 longxi-2）、网格名称或部门名称。"


#: Tickets the morning digest lists per part (超期, 今天到期); the rest are counted.
DIGEST_ROWS = 5


def daily_digest(grid: str, work: dict[str, list[dict[str, Any]]], tz: str) -> str:
    from dispatch.clock import local_text

    lines = [f"【今日待办】{grid}：在办 {len(work['open'])} 件，今天到期 {len(work['due_today'])} 件，"
             f"已超期 {len(work['overdue'])} 件。"]
    for label, rows in (("超期", work["overdue"]), ("今天到期", work["due_today"])):
        for t in rows[:DIGEST_ROWS]:
            lines.append(f"· {label} #{t['id']} {mask_phones(t['text'])[:16]}｜期限 "
                         f"{deadline_text(local_text(t['deadline_at'], tz))}")
        if len(rows) > DIGEST_ROWS:
            lines.append(f"· 另有 {len(rows) - DIGEST_ROWS} 件{label}，见工作台")
    return "\n".join(lines)


def percent(part: int, whole: int) -> int:
    """A share as a whole percentage, rounded half up (2 of 3 is 67%, not 66%)."""
    return (200 * part + whole) // (2 * whole)


# ---- 高频问题 and 主动治理

GOVERNANCE_REASON = "高频问题，社区主动治理"


def governance_text(place: str, category: str, days: int, ticket_ids: list[int]) -> str:
    linked = "、".join(f"#{i}" for i in ticket_ids[:10]) + (" 等" if len(ticket_ids) > 10 else "")
    return f"【主动治理】{place}{category}问题 {days} 天内反映 {len(ticket_ids)} 次（{linked}），请从根源上解决。"


def recurring_notice(place: str, category: str, count: int, days: int) -> str:
    return (f"【高频问题】{place}的{category}问题 {days} 天内已反映 {count} 次。"
            f"可在工作台「高频问题」立项主动治理，一次解决根源。")


def recurring_lines(problems: list[tuple[str, str, int, int | None]]) -> list[str]:
    """The weekly summary's 高频问题 lines: (place, category, count, 主动治理 ticket or None)."""
    if not problems:
        return []
    return ["高频问题："] + [f"· {place} {category} {count} 次" + (f"（主动治理 #{gov}）" if gov else "（未立项）")
                           for place, category, count, gov in problems[:5]]


def governance_opened(ticket_id: int, count: int) -> str:
    return f"已立项主动治理，工单 #{ticket_id}，关联 {count} 件反映。"


def already_governed(ticket_id: int) -> str:
    return f"这个问题已有主动治理工单 #{ticket_id}。"


NOT_RECURRING = "这个地点和类别目前不算高频问题，无需立项。"
GOVERNANCE_NEEDS_DISPATCHER = "这个社区还没有绑定社区调度员，请先用 sandan invite 邀请调度员，再立项主动治理。"


def rate_text(value: float | None) -> str:
    """A rate in a chat line: 67%, or — when there is nothing to measure yet."""
    return "—" if value is None else f"{int(value * 100 + 0.5)}%"      # half up, as percent() rounds


def three_rates(row: dict[str, Any]) -> str:
    """12345's 三率 in one phrase: 响应率 (claimed in time), 解决率, 满意率."""
    return (f"响应率 {rate_text(row['response_rate'])}，解决率 {rate_text(row['resolution_rate'])}，"
            f"满意率 {rate_text(row['satisfaction_rate'])}")


def weekly_summary(w: dict[str, Any]) -> str:
    rate = f"{percent(w['satisfied'], w['rated'])}%" if w["rated"] else "暂无评价"
    lines = [f"【本周小结】{w['name']}：新收 {w['new']} 件，办结 {w['resolved']} 件，完结 {w['closed']} 件；"
             f"满意率 {rate}；差评整改 {w['reopened']} 件；当前超期 {w['overdue']} 件，"
             f"待审核 {w['review']} 件，联席会议待议 {w['joint']} 件。"]
    if w.get("rates"):
        lines.append(f"本周新收工单{three_rates(w['rates'])}")
    for name, open_, overdue, *rates in w["grids"]:
        extra = f"；{three_rates(rates[0])}" if rates and rates[0] and rates[0]["received"] else ""
        lines.append(f"· {name}：在办 {open_}，超期 {overdue}{extra}")
    if w.get("extensions"):
        lines.append(f"待审批延期申请 {w['extensions']} 件，回复「同意延期 编号」或在工作台处理。")
    lines += recurring_lines(w.get("recurring", []))
    return "\n".join(lines)


# ---------------------------------------------------------------- NLU command line (`sandan nlu`)


def nlu_training(count: int) -> str:
    return f"正在训练（{count} 条）"


def nlu_trained(source: str, examples: int, labels: int, seconds: float, path: str, size: int) -> str:
    origin = "data/nlu 训练数据" if source == "nlu-data" else source
    return (f"模型已训练：{origin}，{examples} 条样本，{labels} 个类别，用时 {seconds:.1f} 秒；"
            f"已保存到 {path}（{size / 1024:.0f} KB）")
