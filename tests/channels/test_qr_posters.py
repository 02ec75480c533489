"""帮办二维码 posters: `sandan qrcode` writes PNG and PDF pages whose printed code reads back (zxing-cpp) as the web
chat's address with the place, or as the WeChat code made through the stand-in's qrcode/create for the place's
scene (made once, then reused); a missing font is one clear error."""

from __future__ import annotations

import io
from pathlib import Path

import zxingcpp
from click.testing import CliRunner
from PIL import Image

from bot.cli import cli
from bot.posters import poster_for, png_bytes
from dispatch import scenes
from dispatch.clock import utcnow
from tests.conftest import ROOT


def read_codes(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def pdf_codes(pdf: bytes) -> list[str]:
    """The codes on a poster's PDF page (Pillow embeds the page as one JPEG stream)."""
    assert pdf.startswith(b"%PDF-") and b"/Count 1" in pdf, "not a one-page PDF"
    return read_codes(pdf[pdf.index(b"\xff\xd8"):pdf.index(b"endstream")])


def cli_config(tmp_path: Path, font: str | None = None) -> Path:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8").replace(
        "path: var/sandan.db", f"path: {tmp_path / 'cli.db'}").replace(
        "deployment_file: data/", f"deployment_file: {ROOT}/data/").replace(
        "knowledge_file: data/", f"knowledge_file: {ROOT}/data/")
    if font:
        text = text.replace("font: /usr/share/fonts/truetype/wqy/wqy-microhei.ttc", f"font: {font}")
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_cli_writes_png_and_pdf_posters_whose_code_opens_the_web_chat_at_the_place(tmp_path):
    out = tmp_path / "posters"
    done = CliRunner().invoke(cli, ["qrcode", "--config", str(cli_config(tmp_path)), "--place", "广场花苑",
                                    "--building", "3", "--building", "5栋", "--channel", "web", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert done.output.split() == [str(out / f"帮办二维码-广场花苑小区{b}栋-web.{k}") for b in (3, 5) for k in ("png", "pdf")]
    png = (out / "帮办二维码-广场花苑小区3栋-web.png").read_bytes()
    assert read_codes(png) == ["http://127.0.0.1:8800/chat?place=%E5%B9%BF%E5%9C%BA%E8%8A%B1%E8%8B%91%E5%B0%8F%E5%8C%BA"
                               "&building=3%E6%A0%8B"]
    assert Image.open(io.BytesIO(png)).size == (874, 1240)          # A5 at qrcode.dpi 150
    assert pdf_codes((out / "帮办二维码-广场花苑小区5栋-web.pdf").read_bytes()) == [
        "http://127.0.0.1:8800/chat?place=%E5%B9%BF%E5%9C%BA%E8%8A%B1%E8%8B%91%E5%B0%8F%E5%8C%BA&building=5%E6%A0%8B"]


def test_the_cli_names_an_unknown_estate_and_a_missing_font(tmp_path):
    config = cli_config(tmp_path, font=str(tmp_path / "no-such-font.ttc"))
    unknown = CliRunner().invoke(cli, ["qrcode", "--config", str(config), "--place", "桃源小区", "--channel", "web"])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: 没有叫「桃源小区」的小区；可选：广场花苑小区、龙西小区、金桂园小区、森工大厦小区、")
    no_font = CliRunner().invoke(cli, ["qrcode", "--config", str(config), "--place", "仙源小区", "--channel", "web",
                                       "--out", str(tmp_path)])
    assert no_font.exit_code == 1
    assert no_font.output == (
        f"Error: 找不到中文字体 {tmp_path / 'no-such-font.ttc'}，海报没法写字：请安装 fonts-wqy-microhei"
        "（apt-get install fonts-wqy-microhei），或在 config.yaml 的 qrcode.font 写上一个中文字体文件（.ttf/.ttc）的路径。\n")


def test_a_wechat_poster_carries_the_parametric_code_made_once_for_the_place(services, db, standin):
    spot = scenes.spot(services.config.deployment, "龙西小区", "20")
    poster = poster_for(services.config, db, spot, "wechat", utcnow())
    made = [s for s in standin.sent() if s["api"] == "qrcode"]
    assert [m["scene"] for m in made] == [{"scene_str": "place:龙西小区:20栋"}]
    assert poster.payload == f"http://weixin.qq.com/q/{made[0]['ticket']}"
    assert poster.contact == ["网格：龙西社区第三网格党支部", "联系人：龙西三网格张书记"]
    fs = services.config.settings.qrcode
    assert read_codes(png_bytes(poster, fs.font, fs.dpi)) == [poster.payload]
    assert poster_for(services.config, db, spot, "wechat", utcnow()).payload == poster.payload   # kept, not made again
    assert len([s for s in standin.sent() if s["api"] == "qrcode"]) == 1
