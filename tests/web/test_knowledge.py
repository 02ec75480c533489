"""The knowledge base on the dashboard: seeded from data/knowledge.yaml, the unanswered questions most asked
first, an editor whose preview is the chat's reply, and chat answering from a saved item at once."""

from __future__ import annotations

QUESTION = "宠物狗怎么办狗证？"
ANSWER = ("关于「犬只登记（狗证）办理」，一次说清：\n· 带齐材料：身份证、狂犬疫苗接种证明、犬只照片\n"
          "· 办理地点：十里派出所户籍窗口\n· 咨询电话：0792-8123499")


def test_an_unanswered_question_becomes_an_item_and_is_answered_next_time(chat, dash):
    assert chat.say("r1", QUESTION) == "这个问题我还答不上来，已转给社区工作人员，会尽快回复您。"
    chat.say("r2", QUESTION)
    chat.say("r3", "社区有没有免费理发服务？")
    page = dash.page("/dashboard/knowledge/")
    assert page.index(f"<td>{QUESTION}</td><td>2</td>") < page.index("<td>社区有没有免费理发服务？</td><td>1</td>")
    assert "老年人出行卡（敬老卡）办理" in page                                      # seeded from the file
    editor = dash.page(f"/dashboard/knowledge/new?question={QUESTION}")
    assert f">{QUESTION}</textarea>" in editor
    form = {"title": "犬只登记（狗证）办理", "questions": f"{QUESTION}\n养狗要登记吗",
            "materials": "身份证、狂犬疫苗接种证明、犬只照片", "place": "十里派出所户籍窗口", "phone": "0792-8123499"}
    preview = dash.post("/dashboard/knowledge/new", action="preview", **form).get_data(as_text=True)
    assert f'<pre class="preview" id="preview">{ANSWER}</pre>' in preview
    assert "犬只登记（狗证）办理" not in dash.page("/dashboard/knowledge/")       # a preview saves nothing
    r = dash.post("/dashboard/knowledge/new", action="save", **form)
    assert r.status_code == 302
    assert "已保存「犬只登记（狗证）办理」，居民再问就会自动回复。" in dash.page(r.headers["Location"])
    assert chat.say("r4", QUESTION) == ANSWER
    assert chat.say("r5", "老年出行卡怎么办？").startswith("关于「老年人出行卡（敬老卡）办理」，一次说清：")
    again = dash.post("/dashboard/knowledge/new", action="save", **form).get_data(as_text=True)
    assert "已经有一条「犬只登记（狗证）办理」，请换个标题或直接修改那一条。" in again
