"""The dashboard's 代办 form (the chat's 代办 path: the resident binds later with the code and hears the next step;
the phone is shown masked), its 心愿 page (every wish, 撤下 tells who is concerned) and its 二维码 page (a poster
for any estate or building, whose code reads back)."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image

from tests.dispatch.conftest import ticket_number


def test_staff_file_for_a_resident_from_the_dashboard_and_the_resident_binds_later(dash, chat):
    assert dash.post("/dashboard/proxy", name="李奶奶", phone="139 0000 5678", place="",
                     text="").status_code == 302
    assert "请填写居民姓名、11 位手机号和要反映的问题" in dash.page("/dashboard/proxy")
    r = dash.post("/dashboard/proxy", name="李奶奶", phone="139 0000 5678", place="广场花苑小区5栋",
                  text="家里水管漏水，楼下也渗水了")
    assert r.status_code == 302
    html = dash.page("/dashboard/proxy")
    flashed = re.search(r'<p class="flash ok">([^<]+)</p>', html).group(1).replace("&#34;", '"')
    n = ticket_number(flashed)
    code = re.search(r"居民码 ([A-Z0-9]{8})", flashed).group(1)
    assert flashed.startswith(f"已代李奶奶（139****5678）登记。已收到，工单号 {n}，已派给龙西社区第一网格党支部处理，")
    assert "13900005678" not in html and "139****5678" in html
    assert chat.pushed("sec-longxi-1")[0].startswith(f"【新工单】#{n} ")
    assert chat.say("li-nainai", f"绑定 {code}") == (
        f"绑定成功！工单 {n} 已关联到您，办理进展会直接告诉您。回复「进度 {n}」可随时查看。")
    chat.say("sec-longxi-1", f"办结 {n} 已更换水管接头")
    assert chat.pushed("li-nainai") == [
        f"您反映的问题（工单 {n}）已办结：已更换水管接头\n问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。"]
    assert "13900005678" not in dash.page(f"/dashboard/tickets/{n}")


def test_the_wishes_page_lists_wishes_and_takes_one_down(dash, chat):
    reply = chat.say("r1", "心愿：金桂园小区2栋 想请人教我用智能手机挂号")
    n = int(reply.split("心愿号 ")[1].split("：")[0])
    html = dash.page("/dashboard/wishes")
    assert "金桂园小区2栋 想请人教我用智能手机挂号" in html and "待认领" in html
    assert dash.post(f"/dashboard/wishes/{n}/withdraw", reason="已转社区养老服务站").status_code == 302
    assert f"已撤回心愿 #{n}，已从心愿墙上撤下。" in dash.page("/dashboard/wishes?state=withdrawn")
    assert chat.pushed("r1") == [f"社区撤下了心愿 #{n}：已转社区养老服务站"]
    assert "还没有心愿" in dash.page("/dashboard/wishes?state=open")


def test_the_qrcode_page_gives_a_poster_whose_code_opens_the_web_chat_at_the_place(dash, client):
    assert "森工大厦小区" in dash.page("/dashboard/qrcodes")
    r = client.get("/dashboard/qrcodes/poster?place=森工大厦小区&building=2&channel=web&format=png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    codes = [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(r.data)))]
    assert codes == ["http://127.0.0.1:8800/chat?place=%E6%A3%AE%E5%B7%A5%E5%A4%A7%E5%8E%A6%E5%B0%8F%E5%8C%BA"
                     "&building=2%E6%A0%8B"]
    pdf = client.get("/dashboard/qrcodes/poster?place=森工大厦小区&channel=web&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert client.get("/dashboard/qrcodes/poster?place=桃源小区&channel=web&format=png").status_code == 302
    assert "没有叫「桃源小区」的小区" in dash.page("/dashboard/qrcodes")
