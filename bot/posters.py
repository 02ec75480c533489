"""帮办二维码 posters: an A5 page for an estate's (or a building's) notice board, as PNG and PDF.

The page carries the estate's name, the QR code (segno), a short how-to and the grid's contact. The code is a
WeChat parametric code (``qrcode/create`` with the place as its scene, bot/channels/qrcodes.py) or, for the web
chat, the address /chat?place=…. Text is drawn with the font in ``qrcode.font`` (a Chinese one: Debian's
fonts-wqy-microhei); nothing is downloaded. The PDF is the same page, embedded at ``qrcode.dpi``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import segno
from PIL import Image, ImageDraw, ImageFont
from sqlite_utils import Database

import wording
from dispatch import scenes
from settings import Config

#: A5 portrait, in millimetres.
PAGE_MM = (148, 210)
RED = (200, 16, 46)
INK = (34, 34, 34)
GREY = (96, 96, 96)
CHANNELS = ("wechat", "web")


class FontMissing(Exception):
    """The configured font file is not there (or is not a font)."""


@dataclass(frozen=True)
class Poster:
    place: str           # 广场花苑小区3栋
    community: str
    payload: str         # what the QR code encodes
    how_to: list[str]
    contact: list[str]


def payload_for(config: Config, db: Database, spot: scenes.Spot, channel: str, now: datetime) -> str:
    """What the code encodes: WeChat's code for the place's scene, or the web chat's address with the place."""
    if channel == "web":
        query = {"place": spot.place.name, **({"building": spot.building} if spot.building else {})}
        return f"{config.settings.qrcode.public_url.rstrip('/')}/chat?{urlencode(query)}"
    from bot.channels.qrcodes import wechat_code_url   # only the WeChat channel imports wechatpy

    return wechat_code_url(config, db, spot.scene, now)


def poster_for(config: Config, db: Database, spot: scenes.Spot, channel: str, now: datetime) -> Poster:
    contact = wording.poster_contact(spot.grid.name, scenes.grid_contacts(db, config.deployment, spot.grid.id))
    return Poster(spot.label, spot.community.name, payload_for(config, db, spot, channel, now),
                  wording.POSTER_HOW_TO[channel], contact)


def load_font(path: str | Path, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        raise FontMissing(wording.font_missing(str(path)))


def render(poster: Poster, font_path: str | Path, dpi: int) -> Image.Image:
    """The poster as a picture of an A5 page at ``dpi``."""
    width, height = (round(mm / 25.4 * dpi) for mm in PAGE_MM)
    unit = width / 100                                   # layout in hundredths of the page's width
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    title, big, body = (load_font(font_path, round(unit * k)) for k in (9, 7, 4))
    band = round(unit * 18)
    draw.rectangle([0, 0, width, band], fill=RED)
    _centred(draw, wording.POSTER_TITLE, title, width, round(unit * 4.5), "white")
    y = band + round(unit * 5)
    for line in _wrapped(poster.place, big, width - 10 * unit):
        y = _centred(draw, line, big, width, y, INK) + round(unit * 1.5)
    y = _centred(draw, poster.community, body, width, y, GREY) + round(unit * 3)
    code = _qr_image(poster.payload, round(width * 0.58))
    page.paste(code, ((width - code.width) // 2, y))
    y += code.height + round(unit * 3)
    for line in poster.how_to:
        y = _left(draw, f"· {line}", body, round(unit * 8), y, width - 16 * unit, INK) + round(unit * 1.2)
    y += round(unit * 2)
    draw.line([round(unit * 8), y, width - round(unit * 8), y], fill=GREY, width=max(1, round(unit * 0.2)))
    y += round(unit * 2)
    for line in poster.contact:
        y = _left(draw, line, body, round(unit * 8), y, width - 16 * unit, GREY) + round(unit * 1)
    return page


def png_bytes(poster: Poster, font_path: str | Path, dpi: int) -> bytes:
    out = io.BytesIO()
    render(poster, font_path, dpi).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def pdf_bytes(poster: Poster, font_path: str | Path, dpi: int) -> bytes:
    out = io.BytesIO()
    # Pillow embeds an RGB page as JPEG: a high quality keeps the code's edges sharp for the printer
    render(poster, font_path, dpi).save(out, "PDF", resolution=dpi, quality=95,
                                        title=f"{wording.POSTER_TITLE} {poster.place}")
    return out.getvalue()


def file_name(poster: Poster, channel: str, kind: str) -> str:
    return f"{wording.POSTER_TITLE}-{poster.place}-{channel}.{kind}"


def _qr_image(payload: str, size: int) -> Image.Image:
    code = segno.make(payload, error="m", micro=False)
    out = io.BytesIO()
    scale = max(1, size // (code.symbol_size(border=2)[0]))
    code.save(out, kind="png", scale=scale, border=2)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Lines of the text that fit the width (Chinese breaks between any two characters)."""
    lines, line = [], ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def _centred(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int, y: int,
             fill: object) -> int:
    """Draw one line centred; returns the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (right - left)) / 2, y), text, font=font, fill=fill)
    return y + bottom


def _left(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, x: float, y: int, width: float,
          fill: object) -> int:
    """Draw text from the left, wrapped to the width; returns the y below it."""
    for line in _wrapped(text, font, width):
        draw.text((x, y), line, font=font, fill=fill)
        y += draw.textbbox((0, 0), line, font=font)[3] + 2
    return y
