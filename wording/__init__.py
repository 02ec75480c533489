"""Every sentence a person reads from Sandan, in one place: short, friendly, plain Chinese.

Functions take plain values and return text, so bot/ and dispatch/ share the wording without
depending on each other.
"""

from __future__ import annotations

from typing import Any, Iterable

HANDLING_NAMES = {"reply": "回复解释", "self": "受理自办", "transfer": "转交办理"}
STATE_NAMES = {
    "received": "待社区审核", "routed": "已派单，待接单", "claimed": "已接单", "in_progress": "处理中",
    "resolved": "已办结，待评价", "closed": "已完结", "reopened": "整改中", "escalated": "已督办",
    "transferred": "已转交部门", "merged": "已并入其他工单", "rejected": "未受理", "answered": "已答复",
}
RATINGS = ("满意", "基本满意", "不满意")

HELP = (
    "您好，我是三单小助手 🐝\n"
    "· 直接发文字或照片反映问题，如「广场花苑小区3栋的垃圾桶坏了」\n"
    "· 问事情，如「老年出行卡怎么办？」\n"
    "· 「我的工单」「进度 12」查看办理情况\n"
    "· 「积分」「排行榜」查看志愿积分\n"
    "网格工作人员：「接单 12」「办结 12 已更换」，可附照片；「绑定 邀请码」绑定身份。"
)
GREETING = "您好！有什么问题直接告诉我，说清楚小区和几栋更快处理哦。发「帮助」看看我能做什么。"
CHITCHAT = "收到 😊 有问题随时发给我，发「帮助」看看我能做什么。"
WELCOME = (
    "欢迎关注！这里可以反映身边的问题：路灯不亮、垃圾没清、楼道堆物、需要上门看望的老人……\n"
    "直接发文字、照片或位置就行，说清楚小区和几栋更快处理。\n"
    "网格和社区工作人员请发「绑定 邀请码」绑定身份。"
)
ERROR = "抱歉，系统刚才开了个小差，您的消息已经保存，我们会尽快处理。"
TOO_LONG = "消息太长啦，请分几条发送，或者简单说说是哪里、什么问题。"
NOT_ALLOWED = "抱歉，这个操作只有负责该工单的网格或部门可以办理。"
NOT_STAFF = "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。"
ASK_PLACE = "请问是哪个小区、几栋？告诉我地点就能马上派给对应网格。"
NO_TICKETS = "您还没有反映过问题。直接发文字或照片就可以反映哦。"


def place_text(place: str | None, building: str | None) -> str:
    return f"{place or ''}{building or ''}" or "地点待确认"


def deadline_text(deadline_at_local: str | None) -> str:
    return deadline_at_local[5:16].replace("-", "月", 1).replace(" ", "日 ") if deadline_at_local else "尽快"


def ack_report(ticket_id: int, handler: str, deadline: str, needs_review: bool, handling: str) -> str:
    if needs_review:
        return (f"已收到，工单号 {ticket_id}。社区工作人员会尽快确认后派给负责的网格，"
                f"回复「进度 {ticket_id}」可随时查看。")
    how = "转交" if handling == "transfer" else "派给"
    return (f"已收到，工单号 {ticket_id}，已{how}{handler}处理，预计 {deadline_text(deadline)} 前办结。"
            f"回复「进度 {ticket_id}」可随时查看。")


def ack_duplicate(ticket_id: int, count: int) -> str:
    return (f"谢谢！这个问题已有人反映（工单 {ticket_id}），您的反映已并入，目前共 {count} 人反映。"
            f"办理进展也会告诉您。")


def assignment(ticket: dict[str, Any], deadline: str, handling: str) -> str:
    head = "【新工单·转交】" if handling == "transfer" else "【新工单】"
    return (f"{head}#{ticket['id']} {ticket['category']}｜{place_text(ticket['place'], ticket['building'])}\n"
            f"{ticket['text']}\n请于 {deadline_text(deadline)} 前办结，回复「接单 {ticket['id']}」认领。")


def informed_of_transfer(ticket: dict[str, Any], department: str) -> str:
    return (f"【知会】工单 #{ticket['id']}（{place_text(ticket['place'], ticket['building'])}）"
            f"已转交{department}办理，请协助跟进。\n{ticket['text']}")


def review_needed(ticket: dict[str, Any], why: str) -> str:
    return (f"【待审核】工单 #{ticket['id']}：{ticket['text']}\n原因：{why}\n"
            f"回复「派单 {ticket['id']} 网格编号」指派，或在工作台处理。")


def claimed(ticket_id: int) -> str:
    return f"已接单 #{ticket_id}。办好后回复「办结 {ticket_id} 处理说明」，可以附上照片。"


def claimed_by_other(ticket_id: int, who: str) -> str:
    return f"工单 #{ticket_id} 已由{who}接单，不用重复认领。"


def reporter_claimed(ticket_id: int, who: str) -> str:
    return f"您反映的问题（工单 {ticket_id}）已由{who}接单，正在处理。"


def resolved(ticket_id: int) -> str:
    return f"工单 #{ticket_id} 已办结，已通知反映人评价。辛苦了！"


def reporter_resolved(ticket_id: int, note: str, photos: int) -> str:
    with_photo = "（附处理照片）" if photos else ""
    return (f"您反映的问题（工单 {ticket_id}）已办结{with_photo}：{note or '已处理'}\n"
            f"请回复「满意」「基本满意」或「不满意」评价，帮助我们做得更好。")


def thanks_for_rating(ticket_id: int, value: str) -> str:
    if value == "不满意":
        return f"抱歉没让您满意。工单 {ticket_id} 已重新交办整改，社区会跟进督促。"
    return f"谢谢您的评价！工单 {ticket_id} 已完结。"


def reopened_for_handler(ticket_id: int, deadline: str, comment: str) -> str:
    extra = f"，意见：{comment}" if comment else ""
    return f"【差评整改】工单 #{ticket_id} 反映人不满意{extra}。请于 {deadline_text(deadline)} 前整改办结。"


def no_such_ticket(ticket_id: int) -> str:
    return f"没有找到您的工单 {ticket_id}，请核对编号；发「我的工单」看看您的全部工单。"


def nothing_to_rate() -> str:
    return "您目前没有待评价的工单。"


def wrong_state(ticket_id: int, state: str) -> str:
    return f"工单 #{ticket_id} 当前「{STATE_NAMES.get(state, state)}」，不能这样操作。"


def ticket_line(t: dict[str, Any]) -> str:
    return f"#{t['id']} {STATE_NAMES.get(t['state'], t['state'])}｜{t['text'][:18]}"


def my_tickets(tickets: Iterable[dict[str, Any]], total: int) -> str:
    lines = [ticket_line(t) for t in tickets]
    more = f"\n（共 {total} 件，显示最近 {len(lines)} 件）" if total > len(lines) else ""
    return "您的工单：\n" + "\n".join(lines) + more + "\n回复「进度 编号」看详情。"


def status(t: dict[str, Any], handler: str, deadline: str, last_update: str, photos: int) -> str:
    lines = [f"工单 #{t['id']}：{t['text'][:40]}", f"状态：{STATE_NAMES.get(t['state'], t['state'])}",
             f"办理：{handler}"]
    if t["state"] not in ("closed", "resolved", "answered", "rejected", "merged"):
        lines.append(f"期限：{deadline_text(deadline)}")
    lines.append(f"最近：{last_update}")
    if photos:
        lines.append(f"处理照片 {photos} 张")
    if t["state"] == "resolved":
        lines.append("请回复「满意」「基本满意」或「不满意」评价。")
    return "\n".join(lines)


def unknown_command(text: str) -> str:
    return f"没看懂「{text[:20]}」😅 发「帮助」看看可以怎么说。"


def answer(title: str, fields: list[tuple[str, str]]) -> str:
    body = "\n".join(f"· {k}：{v}" for k, v in fields if v)
    return f"关于「{title}」，一次说清：\n{body}"


def no_answer() -> str:
    return "这个问题我还答不上来，已转给社区工作人员，会尽快回复您。"


# ---------------------------------------------------------------- channels: WeChat, web chat, group chats

UNSUPPORTED_MESSAGE = "暂时只能看懂文字、照片、语音和位置哦，请换一种方式发给我。"
VOICE_UNCLEAR = "语音没听清 😅 请再说一遍，或者直接打字告诉我。"
CHAT_DEMO_NOTICE = ("演示页面：可以扮演居民、骑手、网格书记或社区调度员，和三单小助手对话。"
                    "消息走真实的处理流程，但不验证身份，请勿用于正式工作。")
CHAT_PHOTO_TOO_BIG = "照片太大了，请换一张小一点的。"
CHAT_PHOTO_BAD = "只能发 JPG、PNG、GIF 或 WEBP 图片。"


def import_summary(messages: int, filed: int, skipped: int, dry_run: bool) -> str:
    if dry_run:
        return f"共 {messages} 条消息，其中 {filed} 条像是问题反映（试运行，未立单），{skipped} 条闲聊已跳过。"
    return f"共 {messages} 条消息，立单 {filed} 件，{skipped} 条闲聊已跳过。"
