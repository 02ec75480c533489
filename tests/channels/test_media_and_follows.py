"""Videos, voice, follows and links as people send them, through the real app and the WeChat stand-in."""

from __future__ import annotations

import re

import wording
from dispatch import media
from dispatch.clock import iso, utcnow
from dispatch.users import get_user, set_role
from tests.channels.conftest import tiny_png

RIDER = "oRider000000000000000000007"
SECRETARY = "oSecretary00000000000000007"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(2000)     # the head of an MP4 file; the bot only stores it


def ticket_no(text: str) -> int:
    m = re.search(r"工单号 (\d+)", text)
    assert m, text
    return int(m.group(1))


def _secretary(db) -> str:
    set_role(db, f"wechat:{SECRETARY}", "grid_secretary", utcnow(), grid_id="longxi-1", community_id="longxi",
             display_name="王书记")
    db.execute("UPDATE users SET last_inbound_at = ? WHERE id = ?", [iso(utcnow()), f"wechat:{SECRETARY}"])
    return SECRETARY


def test_a_video_then_words_make_one_ticket_with_the_video_and_the_grid_push_shows_it(wechat, db, push, download,
                                                                                         standin, services):
    secretary = _secretary(db)
    first = wechat.video(RIDER, VIDEO, tiny_png())
    assert first.status == 200 and first.text == wording.ask_for_words("视频")
    n = ticket_no(wechat.text(RIDER, "骑手反映：广场花苑小区8栋门口栏杆断了，很危险").text)
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    [video] = list(db.query("SELECT * FROM media WHERE ticket_id = ?", [n]))
    assert video["kind"] == "video" and video["thumb_media_id"]
    push()
    [to_grid] = [m["text"] for m in standin.sent() if m["touser"] == secretary]
    assert f"#{n}" in to_grid and "栏杆" in to_grid and "视频 1 段" in to_grid
    assert download() == 1
    [video] = list(db.query("SELECT * FROM media WHERE ticket_id = ?", [n]))
    files = media.for_config(services.config)          # the media folder, or the store on PostgreSQL
    assert files.read(video["path"], db) == VIDEO and files.read(video["thumb_path"], db) == tiny_png()


def test_a_short_video_is_evidence_too(wechat, db):
    wechat.video(RIDER, VIDEO, tiny_png(), msg_type="shortvideo")
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text)
    assert [r["kind"] for r in db.query("SELECT kind FROM media WHERE ticket_id = ?", [n])] == ["video"]


def test_a_video_waits_while_the_media_api_is_down_and_is_fetched_after(wechat, db, download, standin):
    wechat.video(RIDER, VIDEO, tiny_png())
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    standin.fault(down=1000)
    assert download() == 0
    assert db.execute("SELECT path FROM media").fetchone()[0] is None
    standin.fault(down=0)
    assert download() == 1


def test_a_video_over_the_limit_is_not_kept_and_its_sender_is_told_kindly(wechat, db, download, push, services,
                                                                        standin):
    limit = services.config.settings.store.video_max_mb
    wechat.video(RIDER, bytes(int(limit * 1024 * 1024) + 1), tiny_png())
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    assert download() == 0
    assert db.execute("SELECT path, note FROM media").fetchone() == ("", "too_big")
    push()
    told = [m["text"] for m in standin.sent() if m["touser"] == RIDER]
    assert told == [wording.VIDEO_TOO_BIG.format(max_mb=limit)]


def test_a_follow_through_a_qr_code_is_welcomed_and_a_repeat_follow_welcomed_back(wechat):
    assert wechat.event(RIDER, "subscribe", 1700000000, EventKey="qrscene_42", Ticket="T").text == wording.WELCOME
    assert wechat.replay().text == wording.WELCOME
    assert wechat.event(RIDER, "unsubscribe", 1700000100).body == "success"
    assert wechat.event(RIDER, "subscribe", 1700000200).text == wording.WELCOME_BACK


def test_a_scan_by_a_follower_is_acknowledged(wechat):
    assert wechat.event(RIDER, "SCAN", EventKey="42", Ticket="T").text == wording.SCAN_ACK


def test_staff_opening_the_work_app_get_their_open_work_count(wechat, work, db):
    set_role(db, "work_wechat:WangShuJi", "grid_secretary", utcnow(), grid_id="longxi-1", community_id="longxi",
             display_name="王书记")
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    wechat.text(RIDER, "广场花苑小区5栋楼道灯不亮了")
    assert work.event("WangShuJi", "enter_agent", EventKey="").text == wording.staff_welcome("王书记", 2)


def test_a_contact_change_follows_a_bound_staff_member_and_is_never_answered(work, db):
    set_role(db, "work_wechat:WangShuJi", "grid_secretary", utcnow(), grid_id="longxi-1", community_id="longxi",
             display_name="王书记")
    renamed = work.event("sys", "change_contact", ChangeType="update_user", UserID="WangShuJi",
                         NewUserID="WangXiaoMing", Name="王晓明")
    assert renamed.body == "success"
    moved = get_user(db, "work_wechat:WangXiaoMing")
    assert (moved["role"], moved["grid_id"], moved["display_name"]) == ("grid_secretary", "longxi-1", "王晓明")
    assert get_user(db, "work_wechat:WangShuJi")["role"] == "resident"
    assert work.event("sys", "change_contact", ChangeType="delete_user", UserID="WangXiaoMing").body == "success"
    assert get_user(db, "work_wechat:WangXiaoMing")["role"] == "resident"
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


def test_a_shared_link_is_acknowledged_never_asked_for_a_place(wechat, db):
    reply = wechat.link(RIDER, "垃圾分类新规解读", "九江日报", "https://example.invalid/a")
    assert reply.text == wording.link_received("垃圾分类新规解读")
    reply = wechat.link(RIDER, "垃圾桶坏了没人管", "", "https://example.invalid/b")
    assert reply.text == wording.link_received("垃圾桶坏了没人管")
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_the_dashboard_plays_the_video_with_its_thumbnail(wechat, db, download, client):
    from tests.web.conftest import Dashboard

    wechat.video(RIDER, VIDEO, tiny_png())
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text)
    download()
    [media_id] = [r["id"] for r in db.query("SELECT id FROM media WHERE ticket_id = ?", [n])]
    dash = Dashboard(client)
    dash.login()
    page = dash.page(f"/dashboard/tickets/{n}")
    assert (f'<video controls preload="none" src="/dashboard/media/{media_id}" '
            f'poster="/dashboard/media/{media_id}/thumb">') in page
    assert client.get(f"/dashboard/media/{media_id}/thumb").data == tiny_png()
    assert client.get(f"/dashboard/media/{media_id}").data == VIDEO


def test_the_standin_makes_a_scene_qr_code_whose_follow_is_welcomed(wechat, services, standin):
    from bot.channels.wechat import WeChatChannel

    client = WeChatChannel(services.config).client
    code = client.call(lambda: client.qrcode.create({"action_name": "QR_LIMIT_STR_SCENE",
                                                     "action_info": {"scene": {"scene_str": "helper-7"}}}))
    assert code["ticket"].startswith("QR_") and code["url"].endswith(code["ticket"])
    reply = wechat.event(RIDER, "subscribe", EventKey="qrscene_helper-7", Ticket=code["ticket"])
    assert reply.text == wording.WELCOME


AMR = b"#!AMR\n" + (b"\x3c" + bytes(31)) * 50      # one second of AMR-NB, the format WeChat records voice in


def test_a_voice_without_recognition_is_filed_for_a_person_to_hear_with_its_audio(wechat, db, download, client,
                                                                                   services):
    from tests.web.conftest import Dashboard

    reply = wechat.voice(RIDER, "", content=AMR)
    n = ticket_no(reply.text)
    assert reply.text == wording.voice_for_a_person(n)
    assert wechat.replay().text == reply.text
    ticket = db.execute("SELECT state, text FROM tickets").fetchall()
    assert ticket == [("received", wording.VOICE_TICKET_TEXT)]            # the dispatcher's review queue
    assert download() == 1
    [audio] = list(db.query("SELECT * FROM media WHERE ticket_id = ?", [n]))
    converted = audio["path"].endswith(".wav")
    assert audio["kind"] == "voice" and (converted or audio["note"] == wording.RECORDING_AS_SENT.format(fmt="amr"))
    dash = Dashboard(client)
    dash.login()
    assert f'<audio controls preload="none" src="/dashboard/media/{audio["id"]}">' in dash.page(f"/dashboard/tickets/{n}")
    assert "语音留言" in dash.page("/dashboard/queue")
