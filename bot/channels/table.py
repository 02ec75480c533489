"""One table from WeChat's MsgType / Event to what the bot does, for the Official Account and 企业微信.

Read from the raw XML fields (not wechatpy's message classes, which know only some types and differ
between its versions), so every documented type has a row, and a type WeChat adds later falls to
``NOTHING``: answered "success", which WeChat shows to nobody. The README's channel section is this
table in prose; tests/channels/test_every_type.py replays a documented sample of each row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Does(str, Enum):
    """What the bot does with one callback."""

    CONVERSE = "converse"        # words, photo, video, voice, location, link: the conversation answers
    FOLLOW = "follow"            # a follow, whatever its EventKey (qrscene_…): welcome, or welcome back
    SCAN = "scan"                # a follower scanned one of our QR codes: acknowledged
    UNFOLLOW = "unfollow"        # recorded, answered with nothing
    ENTER_AGENT = "enter_agent"  # someone opened the 企业微信 app: staff get their 待办 count
    ROSTER = "roster"            # a 企业微信 contact change: a bound staff member's row follows it; no answer
    NOTHING = "nothing"          # "success": nothing shown to anyone


@dataclass(frozen=True)
class Row:
    does: Does
    what: str              # the type in WeChat's words, for the README and the logs
    channels: str = "both"  # both | wechat | work_wechat


#: Ordinary messages, by MsgType.
MESSAGES: dict[str, Row] = {
    "text": Row(Does.CONVERSE, "文字"),
    "image": Row(Does.CONVERSE, "图片：证据，下载后附在工单上"),
    "voice": Row(Does.CONVERSE, "语音：有 Recognition 按文字处理；没有则保存录音，交社区人工收听"),
    "video": Row(Does.CONVERSE, "视频：证据，和缩略图一起下载后附在工单上"),
    "shortvideo": Row(Does.CONVERSE, "小视频：同视频", "wechat"),
    "location": Row(Does.CONVERSE, "位置：用来派到网格"),
    "link": Row(Does.CONVERSE, "链接：确认收到；标题像问题反映时按那句话处理"),
    "file": Row(Does.NOTHING, "文件", "work_wechat"),
    "miniprogrampage": Row(Does.NOTHING, "小程序卡片", "wechat"),
    "device_text": Row(Does.NOTHING, "硬件设备消息", "wechat"),
    "device_event": Row(Does.NOTHING, "硬件设备事件", "wechat"),
}

#: Events (MsgType "event"), by Event, lower-cased.
EVENTS: dict[str, Row] = {
    "subscribe": Row(Does.FOLLOW, "关注（含扫带参二维码 qrscene_…、扫商品码关注）：欢迎；再次关注说欢迎回来；"
                                  "企业微信里关注应用的是工作人员：同 enter_agent"),
    # wechatpy renames a follow through a QR code (EventKey qrscene_…) or a product code (scanbarcode|…)
    "subscribe_scan": Row(Does.FOLLOW, "扫带参二维码关注（wechatpy 的名字）", "wechat"),
    "subscribe_scan_product": Row(Does.FOLLOW, "扫商品码关注（wechatpy 的名字）", "wechat"),
    "unsubscribe": Row(Does.UNFOLLOW, "取消关注：记下，不回复"),
    "scan": Row(Does.SCAN, "已关注的人扫码：确认收到", "wechat"),
    "enter_agent": Row(Does.ENTER_AGENT, "进入企业微信应用：工作人员收到简短问候和待办数", "work_wechat"),
    "change_contact": Row(Does.ROSTER, "通讯录变更（sys）：已绑定的工作人员随之更新，不回复", "work_wechat"),
    # menus: the bot has no menu; the photo or place a menu sends arrives as its own message
    "click": Row(Does.NOTHING, "点击菜单"),
    "view": Row(Does.NOTHING, "菜单跳转链接"),
    "view_miniprogram": Row(Does.NOTHING, "菜单跳转小程序"),
    "scancode_push": Row(Does.NOTHING, "菜单扫码推事件"),
    "scancode_waitmsg": Row(Does.NOTHING, "菜单扫码（等待消息）"),
    "pic_sysphoto": Row(Does.NOTHING, "菜单拍照发图（照片随后另发）"),
    "pic_photo_or_album": Row(Does.NOTHING, "菜单拍照或相册发图（照片随后另发）"),
    "pic_weixin": Row(Does.NOTHING, "菜单微信相册发图（照片随后另发）"),
    "location_select": Row(Does.NOTHING, "菜单选择位置（位置随后另发）"),
    "location": Row(Does.NOTHING, "自动上报地理位置"),
    # the account's own jobs and settings
    "masssendjobfinish": Row(Does.NOTHING, "群发结果", "wechat"),
    "templatesendjobfinish": Row(Does.NOTHING, "模板消息送达结果", "wechat"),
    "subscribe_msg_popup_event": Row(Does.NOTHING, "订阅通知弹窗", "wechat"),
    "subscribe_msg_change_event": Row(Does.NOTHING, "订阅通知变更", "wechat"),
    "subscribe_msg_sent_event": Row(Does.NOTHING, "订阅通知发送结果", "wechat"),
    "qualification_verify_success": Row(Does.NOTHING, "资质认证成功", "wechat"),
    "qualification_verify_fail": Row(Does.NOTHING, "资质认证失败", "wechat"),
    "naming_verify_success": Row(Does.NOTHING, "名称认证成功", "wechat"),
    "naming_verify_fail": Row(Does.NOTHING, "名称认证失败", "wechat"),
    "annual_renew": Row(Does.NOTHING, "年审通知", "wechat"),
    "verify_expired": Row(Does.NOTHING, "认证过期", "wechat"),
    "kf_create_session": Row(Does.NOTHING, "客服接入会话", "wechat"),
    "kf_close_session": Row(Does.NOTHING, "客服关闭会话", "wechat"),
    "kf_switch_session": Row(Does.NOTHING, "客服转接会话", "wechat"),
    "merchant_order": Row(Does.NOTHING, "微信小店订单", "wechat"),
    "shakearounduser_shake": Row(Does.NOTHING, "摇一摇", "wechat"),
    "shakearoundusershake": Row(Does.NOTHING, "摇一摇", "wechat"),
    "wificonnected": Row(Does.NOTHING, "连 Wi-Fi", "wechat"),
    "user_authorize_invoice": Row(Does.NOTHING, "发票授权", "wechat"),
    "update_invoice_status": Row(Does.NOTHING, "发票状态", "wechat"),
    "submit_invoice_title": Row(Does.NOTHING, "发票抬头", "wechat"),
    "user_scan_product": Row(Does.NOTHING, "扫商品码", "wechat"),
    "user_scan_product_enter_session": Row(Does.NOTHING, "扫商品码进入会话", "wechat"),
    "user_scan_product_async": Row(Does.NOTHING, "扫商品码（异步）", "wechat"),
    "user_scan_product_verify_action": Row(Does.NOTHING, "商品审核结果", "wechat"),
    "user_enter_tempsession": Row(Does.NOTHING, "进入客服临时会话", "wechat"),
    "card_pass_check": Row(Does.NOTHING, "卡券审核", "wechat"),
    "card_not_pass_check": Row(Does.NOTHING, "卡券审核未通过", "wechat"),
    "user_get_card": Row(Does.NOTHING, "领取卡券", "wechat"),
    "user_del_card": Row(Does.NOTHING, "删除卡券", "wechat"),
    "user_consume_card": Row(Does.NOTHING, "核销卡券", "wechat"),
    "user_view_card": Row(Does.NOTHING, "查看会员卡", "wechat"),
    "poi_check_notify": Row(Does.NOTHING, "门店审核", "wechat"),
    "wxa_media_check": Row(Does.NOTHING, "小程序内容检测", "wechat"),
    # 企业微信 system events, from "sys": never answered
    "batch_job_result": Row(Does.NOTHING, "异步任务完成（sys）", "work_wechat"),
    "open_approval_change": Row(Does.NOTHING, "审批状态变化（sys）", "work_wechat"),
    "sys_approval_change": Row(Does.NOTHING, "审批申请状态变化（sys）", "work_wechat"),
    "share_agent_change": Row(Does.NOTHING, "共享应用变化（sys）", "work_wechat"),
    "share_chain_change": Row(Does.NOTHING, "上下游变化（sys）", "work_wechat"),
    "change_external_contact": Row(Does.NOTHING, "客户联系变更（sys）", "work_wechat"),
    "change_external_chat": Row(Does.NOTHING, "客户群变更（sys）", "work_wechat"),
    "change_external_tag": Row(Does.NOTHING, "客户标签变更（sys）", "work_wechat"),
    "template_card_event": Row(Does.NOTHING, "模板卡片按钮", "work_wechat"),
    "template_card_menu_event": Row(Does.NOTHING, "模板卡片菜单", "work_wechat"),
    "taskcard_click": Row(Does.NOTHING, "任务卡片按钮", "work_wechat"),
    "add_calendar": Row(Does.NOTHING, "新建日历（sys）", "work_wechat"),
    "modify_calendar": Row(Does.NOTHING, "修改日历（sys）", "work_wechat"),
    "delete_calendar": Row(Does.NOTHING, "删除日历（sys）", "work_wechat"),
    "add_schedule": Row(Does.NOTHING, "新建日程（sys）", "work_wechat"),
    "modify_schedule": Row(Does.NOTHING, "修改日程（sys）", "work_wechat"),
    "delete_schedule": Row(Does.NOTHING, "删除日程（sys）", "work_wechat"),
    "respond_schedule": Row(Does.NOTHING, "回复日程邀请（sys）", "work_wechat"),
    "book_meeting_room": Row(Does.NOTHING, "预定会议室（sys）", "work_wechat"),
    "cancel_meeting_room": Row(Does.NOTHING, "取消会议室（sys）", "work_wechat"),
    "living_status_change": Row(Does.NOTHING, "直播状态（sys）", "work_wechat"),
    "msgaudit_notify": Row(Does.NOTHING, "会话存档（sys）", "work_wechat"),
    "kf_msg_or_event": Row(Does.NOTHING, "微信客服消息（sys）", "work_wechat"),
    "close_inactive_agent": Row(Does.NOTHING, "停用不活跃应用（sys）", "work_wechat"),
    "reopen_inactive_agent": Row(Does.NOTHING, "重启应用（sys）", "work_wechat"),
}

#: Anything the table does not name: not acted on, answered with nothing.
UNKNOWN = Row(Does.NOTHING, "未列出的类型")

#: 企业微信 sends its system notices (contacts, approvals, calendars…) from this sender.
SYSTEM_SENDER = "sys"


def fields(message: Any) -> dict[str, str]:
    """The callback's raw XML fields (wechatpy keeps them on every parsed message, known type or not)."""
    raw = getattr(message, "_data", None) or {}
    return {k: v for k, v in raw.items() if isinstance(v, str)}


def row_for(raw: dict[str, str]) -> Row:
    """The table's row for one callback's fields; system senders other than a contact change do nothing."""
    msg_type = (raw.get("MsgType") or "").strip().lower()
    if msg_type == "event":
        row = EVENTS.get((raw.get("Event") or "").strip().lower(), UNKNOWN)
    else:
        row = MESSAGES.get(msg_type, UNKNOWN)
    if raw.get("FromUserName") == SYSTEM_SENDER and row.does != Does.ROSTER:
        return UNKNOWN if row.does != Does.NOTHING else row
    return row
