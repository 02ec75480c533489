"""Group-chat text: reading exported chat logs, and telling chit-chat from reports.

Two export shapes are read:

* WeChat's text export (as written by the common export tools): a header line with the time and the
  sender, then the message on the following lines, blocks separated by blank lines::

      2024-05-01 10:23:45 张三
      广场花苑小区3栋的垃圾桶坏了

  The sender may also come first ("张三 2024-05-01 10:23:45"), and seconds may be missing.
* CSV with a header row: time,sender,text (the WeChatMsg columns StrTime,NickName,StrContent also work).

Only read_chat_file touches the disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from nlu.engine import Engine

TIME = r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)"
TIME_FIELDS = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?")
HEADER_TIME_FIRST = re.compile(rf"^{TIME}\s+(.{{1,64}}?)\s*$")
HEADER_SENDER_FIRST = re.compile(rf"^(.{{1,64}}?)\s+{TIME}\s*$")
#: WeChat's inline emoji codes ([强], [微笑], [捂脸]…) and the placeholders exports write for media.
WECHAT_CODES = re.compile(r"\[[^\[\]\s]{1,6}\]")
PLACEHOLDERS = {"[图片]", "[表情]", "[动画表情]", "[语音]", "[视频]", "[文件]", "[链接]", "[位置]", "[红包]",
                "[转账]", "[拍一拍]", "[撤回了一条消息]"}
#: Short lines that are never a report, however the model reads them.
CHATTER = re.compile(r"^(谢谢|感谢|多谢|谢啦|辛苦|好的|好滴|好|收到|嗯|哈|呵|赞|棒|对|是的|ok|okay|thanks|早|晚安|午安|"
                     r"大家好|在吗|\+1|1)+(了|啦|呀|啊|哦|喔|大家|你|您|师傅|书记|各位|老师)*$", re.IGNORECASE)
CSV_COLUMNS = (("time", "sender", "text"), ("StrTime", "NickName", "StrContent"), ("时间", "发送人", "内容"))


@dataclass
class ChatLine:
    time: str
    sender: str
    text: str

    def sent_at(self, tz: str) -> datetime | None:
        """The line's time (local to the deployment's time zone ``tz``) in UTC; None when unreadable."""
        m = TIME_FIELDS.fullmatch(self.time.strip())
        if not m:
            return None
        try:
            local = datetime(*(int(part or 0) for part in m.groups()), tzinfo=ZoneInfo(tz))
        except ValueError:
            return None
        return local.astimezone(timezone.utc)

    @property
    def msg_id(self) -> str:
        """A stable id, so importing the same log twice files nothing twice."""
        return hashlib.sha1(f"{self.time}\n{self.sender}\n{self.text}".encode("utf-8")).hexdigest()[:20]


def _core(text: str) -> str:
    """The text without emoji, WeChat emoji codes, punctuation and spaces."""
    text = WECHAT_CODES.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def is_chatter(text: str, engine: Engine | None = None) -> bool:
    """True for chit-chat, thanks and emoji-only lines: nothing there is a report or a question."""
    stripped = text.strip()
    if not stripped or stripped in PLACEHOLDERS:
        return True
    core = _core(stripped)
    if not core or (len(core) <= 12 and CHATTER.match(core)):
        return True
    if engine is not None:
        return engine.parse(stripped).intent in ("chitchat", "greeting")
    return False


def parse_text_export(text: str) -> Iterator[ChatLine]:
    """Blocks of "time sender" then the message lines."""
    current: ChatLine | None = None
    body: list[str] = []
    for raw in text.splitlines():
        line = raw.strip("\ufeff").rstrip()
        header = HEADER_TIME_FIRST.match(line) or HEADER_SENDER_FIRST.match(line)
        if header:
            if current is not None:
                current.text = "\n".join(body).strip()
                yield current
            time, sender = (header.group(1), header.group(2)) if header.re is HEADER_TIME_FIRST else (
                header.group(2), header.group(1))
            current, body = ChatLine(re.sub(r"\s+", " ", time), sender.strip(), ""), []
        elif current is not None:
            body.append(line)
    if current is not None:
        current.text = "\n".join(body).strip()
        yield current


def parse_csv(text: str) -> Iterator[ChatLine]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = set(reader.fieldnames or ())
    columns = next((c for c in CSV_COLUMNS if set(c) <= fields), None)
    if columns is None:
        raise ValueError(f"CSV needs the columns {','.join(CSV_COLUMNS[0])} (found: {','.join(sorted(fields))})")
    for row in reader:
        yield ChatLine(*((row.get(c) or "").strip() for c in columns))


def parse_chat_log(text: str, name: str = "") -> list[ChatLine]:
    """Read an exported log; CSV by its .csv name or its header row, else WeChat's text export."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if name.lower().endswith(".csv") or any(",".join(c) in first for c in CSV_COLUMNS):
        return list(parse_csv(text))
    lines = list(parse_text_export(text))
    if not lines and text.strip():
        raise ValueError("no message headers found; expected lines like '2024-05-01 10:23:45 张三' "
                         "followed by the message, or a CSV with time,sender,text")
    return lines


def read_chat_file(path: Path) -> list[ChatLine]:
    """Read a log file: UTF-8 (with or without BOM), else GB18030 as Windows exports often are."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return parse_chat_log(data.decode(encoding), path.name)
        except UnicodeDecodeError:
            continue
    raise ValueError("not UTF-8 or GB18030 text; save it as UTF-8")
