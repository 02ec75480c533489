"""The dashboard's people pages: the volunteer roster (filters, stars, the 民主评议 export as CSV and XLSX, and
`sandan export volunteers`), the teams' standings, and the 代办 tickets — behind the login, user text escaped,
phone numbers masked."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from bot.cli import cli
from tests.conftest import ROOT
from tests.volunteers.conftest import local, volunteer_code  # noqa: F401 - fixture

PAGES = ["/dashboard/volunteers", "/dashboard/teams", "/dashboard/proxies", "/dashboard/volunteers/export.csv",
         "/dashboard/volunteers/export.xlsx"]
HEADER = ["姓名", "自称", "社区", "小队", "特长", "服务时间", "志愿服务积分", "服务时长（小时）", "志愿服务次数", "星级",
          "居民评价"]


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_need_a_login(anonymous, path):
    r = anonymous.client.get(path)
    assert r.status_code == 302 and "/dashboard/login" in r.headers["Location"]


@pytest.fixture
def people(chat, volunteer_code):  # noqa: F811
    """Two volunteers (one has served a task, rated 满意) and a rider in a team, by the real chat."""
    wu, zhao = volunteer_code("吴阳春"), volunteer_code("赵敏", "furong")
    with freeze_time(local(2026, 11, 23, 9, 0)):
        chat.say("v-wu", f"绑定 {wu}")
        chat.say("v-zhao", f"绑定 {zhao}")
        chat.say("v-wu", "我的特长 水电维修，电话13800001234")
        chat.say("v-wu", "我的服务时间 周末")
        chat.say("v-zhao", "我的服务时间 工作日晚上")
        chat.say("rider-li", "加入 龙西小哥队", name="<b>李</b>")     # the name the rider's channel gives
        chat.say("rider-li", "广场花苑小区3栋的垃圾桶坏了")
        n = int(re.search(r"工单号 (\d+)", chat.say("r1", "金桂园小区3栋楼道灯泡坏了")).group(1))
        chat.say("sec-longxi-3", f"征集 {n}")
        chat.say("v-wu", f"认领 {n}")
        chat.say("v-wu", f"完成 {n} 已换好灯泡")
        chat.say("sec-longxi-3", f"确认 {n}")
        chat.say("r1", "满意")
        chat.say("v-wu", "金桂园小区5栋门口垃圾没人清")
    return n


def rows_of(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "<td" in row]


def test_the_roster_filters_and_grades(dash, people):
    html = dash.page("/dashboard/volunteers")
    assert rows_of(html, "roster") == [
        ["吴阳春", "龙西社区", "—", "水电维修，电话138****1234", "周末", "30", "1", "1", "★ 一星", "满意 1"],
        ["&lt;b&gt;李&lt;/b&gt;", "龙西社区", "龙西小哥队", "—", "—", "10", "0", "0", "未评星", "—"],
        ["赵敏", "芙蓉社区", "—", "—", "工作日晚上", "0", "0", "0", "未评星", "—"]]
    assert "<b>李</b>" not in html and "13800001234" not in html
    assert [r[0] for r in rows_of(dash.page("/dashboard/volunteers?skill=水电"), "roster")] == ["吴阳春"]
    assert [r[0] for r in rows_of(dash.page("/dashboard/volunteers?free_time=晚上"), "roster")] == ["赵敏"]
    assert [r[0] for r in rows_of(dash.page("/dashboard/volunteers?community=furong"), "roster")] == ["赵敏"]
    assert [r[0] for r in rows_of(dash.page("/dashboard/volunteers?stars=1"), "roster")] == ["吴阳春"]
    assert rows_of(dash.page("/dashboard/volunteers?stars=5"), "roster") == [["没有符合条件的志愿者"]]


def test_the_export_for_the_review_masks_phones(dash, people):
    r = dash.client.get("/dashboard/volunteers/export.csv?community=longxi")
    assert r.status_code == 200 and r.headers["Content-Disposition"] == "attachment; filename=volunteers.csv"
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert table == [HEADER,
                     ["吴阳春", "", "龙西社区", "", "水电维修，电话138****1234", "周末", "30", "1.0", "1", "★ 一星", "满意 1"],
                     ["<b>李</b>", "", "龙西社区", "龙西小哥队", "", "", "10", "0.0", "0", "未评星", ""]]
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(dash.client.get("/dashboard/volunteers/export.xlsx").get_data()))
    sheet = [list(row) for row in book["志愿者"].iter_rows(values_only=True)]
    assert sheet[0] == HEADER and sheet[1][:3] == ["吴阳春", None, "龙西社区"] and len(sheet) == 4
    assert dash.client.get("/dashboard/volunteers/export.pdf").status_code == 404


def test_sandan_export_volunteers_writes_the_same_table(services, people, tmp_path):
    if services.config.settings.store.url:
        pytest.skip("the CLI test reads the SQLite file the config names")
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text(encoding="utf-8").replace(
        "path: var/sandan.db", f"path: {tmp_path / 'sandan.db'}").replace("deployment_file: data/", f"deployment_file: {ROOT}/data/")
        .replace("knowledge_file: data/", f"knowledge_file: {ROOT}/data/"), encoding="utf-8")
    out = tmp_path / "评议.csv"
    result = CliRunner().invoke(cli, ["export", "volunteers", "--config", str(config), "--format", "csv",
                                      "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output == f"已导出 3 人到 {out}\n"
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert table[0] == HEADER and [r[0] for r in table[1:]] == ["吴阳春", "<b>李</b>", "赵敏"]
    assert "13800001234" not in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["export", "volunteers", "--config", str(config), "--out", str(out),
                                   "--community", "nowhere"])
    assert bad.exit_code == 1 and "no community 'nowhere'; use one of: longxi" in bad.output


def test_the_team_page_ranks_teams_and_names_members(dash, people):
    html = dash.page("/dashboard/teams")
    assert rows_of(html, "team-standings") == [["1", "龙西小哥队", "龙西社区", "王师傅", "1", "10"],
                                               ["2", "芙蓉骑士队", "芙蓉社区", "周师傅", "0", "0"]]
    assert "&lt;b&gt;李&lt;/b&gt;" in html and "<b>李</b>" not in html
    assert "还没有队员；骑手发「加入 芙蓉骑士队」即可加入" in html
    assert "&lt;b&gt;李&lt;/b&gt;" in dash.page("/dashboard/leaderboard")


def test_the_proxy_list_says_who_filed_for_whom(chat, dash):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = int(re.search(r"工单号 (\d+)", chat.say("dispatcher-longxi", "代办 张阿姨 13800001234 广场花苑小区5栋 水管漏水")).group(1))
    html = dash.page("/dashboard/proxies")
    assert rows_of(html, "proxies") == [[str(n), "2026-11-23 09:00", "龙西社区调度员", "张阿姨", "138****1234", "物业服务",
                                         "广场花苑小区5栋", "已派单，待接单", "未绑定（进展发给代办人）"]]
    assert "13800001234" not in html
    assert rows_of(dash.page("/dashboard/proxies?community=furong"), "proxies") == [["还没有代办的工单"]]
