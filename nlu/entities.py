"""Entities in a message: place (小区, road, landmark), building/unit/room, facility, phone."""

from __future__ import annotations

import re

from dataclasses import dataclass

from nlu.gazetteer import Gazetteer, PlaceName
from nlu.types import Entities
from settings import ESTATE_ENDINGS, PLACE_ENDINGS, too_generic

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"(\d{1,3}|[一二两三四五六七八九十]{1,3})"
_BUILDING = re.compile(_NUMBER + r"\s*(?:号楼|栋|幢|座|号楼栋)")
_UNIT = re.compile(_NUMBER + r"\s*单元")
_ROOM = re.compile(r"(\d{3,4})\s*(?:室|房|号房)?(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
#: How a road's name ends. A road the deployment lists is found by name; these read roads it does not list.
_ROAD_ENDING = re.compile(r"大道|路|街|巷")
#: Characters that, right after the ending, make it another word: 路灯, 路面, 路过, 街道, 巷子.
_NOT_A_ROAD_AFTER = {"路": "灯面牙沿障过人线程况费", "街": "道坊", "巷": "子", "大道": "理"}
#: Words never inside a road's name: the name starts after the last of them ("在幸福路" → 幸福路), and
#: "小区门口的路灯", "3栋门口的路" or "回家路上" leave no name at all.
_NOT_IN_ROAD_NAME = re.compile(r"的|了|在|是|我|你|他|她|这|那|条|个|家|去|到|从|往|向|门口|小区|栋|号楼|单元|"
                               r"旁边|附近|对面|边上|楼下|楼上|上班|下班|外卖|送餐")
_CHINESE_BEFORE = re.compile(r"[\u4e00-\u9fa5]{0,5}$")
#: Common words that end like a road but are none.
_NOT_ROADS = ("马路", "走路", "过路", "上路", "道路")
#: Words that put a matter in public space, where a department's duty applies: a 小区's gate opens onto the street.
_PUBLIC_SPACE = re.compile(r"(大|校|北|南|东|西|小区)?门口|门外|马路|路边|路口|路上|人行道|街上|公路|桥上|桥下|河边|公交站")
_LANDMARK = re.compile(r"([\u4e00-\u9fa5]{2,6}?(?:小学|中学|幼儿园|学校|医院|公园|广场|菜市场|农贸市场|市场|超市|银行|公交站|卫生站|服务站))")


def chinese_number(text: str) -> int:
    """'3' → 3, '十二' → 12, '二十' → 20."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)


def mask_phone(phone: str) -> str:
    """138****5678: shown wherever a phone number is displayed."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions each count one."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def near_miss(name: str, gazetteer: Gazetteer) -> PlaceName | None:
    """The one known 小区 a name is one character off ("桃源小区" for 仙源小区): a question to ask, never a route.

    Names shorter than four characters are never compared: one character is a quarter of them. When two
    known names are equally close ("平西小区": 平东小区 or 龙西小区?) there is nothing to ask about.
    """
    found = {p.name: p for p in gazetteer.places
             if p.kind == "estate" and len(p.surface) >= 4 and abs(len(p.surface) - len(name)) <= 1
             and edit_distance(name, p.surface) <= 1}
    return next(iter(found.values())) if len(found) == 1 else None


#: The longest ending first, so 「幼儿园」 is read as a kindergarten, not as a 小区 named 「幼儿」 + 「园」.
_ENDING = re.compile("|".join(sorted(PLACE_ENDINGS, key=len, reverse=True)))
#: Words never inside a 小区's name: the name starts after the last of them ("我住在桃源小区" → 桃源小区).
_NOT_IN_ESTATE_NAME = re.compile(
    r"的|了|在|是|我|你|他|她|们|这|那|个|家|去|到|从|往|向|对|给|把|被|和|与|跟|及|就|都|也|还|又|请|麻烦|反映|举报|"
    r"投诉|位于|咱|本|该|隔壁|对面|旁边|附近|整个|所在|哪|什么|有|社区|街道|说|叫|问|一下|看|来|住|门口|楼|栋|单元|号")
#: A character before a known name that makes it another one: 「新东湖小区」 is not 东湖小区.
_NAME_PREFIX = "新老东西南北中大小金银"


_CHINESE_BEFORE8 = re.compile(r"[\u4e00-\u9fa5]{0,8}$")


def _estate_names(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every word shaped like a 小区's name: two to six characters and an estate ending."""
    out: list[tuple[int, int, str]] = []
    for m in _ENDING.finditer(text):
        if m.group() not in ESTATE_ENDINGS or m.group() == "里" or (out and m.start() < out[-1][1]):
            continue      # 「楼里」「家里」 are no 小区; an ending inside the last name is part of it
        end = m.end()
        while (more := _ENDING.match(text, end)) and more.group() in ESTATE_ENDINGS and more.group() != "里":
            end = more.end()          # 「东方花园」 + 「小区」
        before = _CHINESE_BEFORE8.search(text, 0, m.start()).group()
        name = _NOT_IN_ESTATE_NAME.split(before)[-1][-6:]
        if len(name) >= 2 and not too_generic(name + m.group()):
            out.append((m.start() - len(name), end, name + text[m.start():end]))
    return out


def _goes_on(text: str, start: int, end: int, place: PlaceName) -> str | None:
    """The ending after a bare name (「东湖」 + 「花园」) or the letter before it (「新」 + 「东湖小区」) that makes the
    words another place's name; None when the words name the place itself."""
    if not place.surface.endswith(PLACE_ENDINGS) and (m := _ENDING.match(text, end)) and m.group() != "里":
        return m.group()
    if place.kind == "estate" and start > 0 and text[start - 1] in _NAME_PREFIX:
        return text[start - 1]
    return None


@dataclass(frozen=True)
class PlaceWords:
    """What a message says about its place: a listed one, or a 小区 the deployment does not list (and the
    listed one it may have meant)."""

    known: PlaceName | None = None
    unlisted: str | None = None
    suggestion: PlaceName | None = None


def read_place(text: str, gazetteer: Gazetteer) -> PlaceWords:
    """A listed place only when its exact name or alias stands as a whole name; otherwise the unlisted 小区
    the words name and, when one listed 小区 is a character off or inside it, that one as a suggestion."""
    taken: list[tuple[int, int]] = []
    inside: PlaceName | None = None
    for place in gazetteer.places:                        # longest first
        if place.surface not in text:                     # most are not there: no pattern to build or run
            continue
        for m in re.finditer(re.escape(place.surface), text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append(m.span())
            ending = _goes_on(text, m.start(), m.end(), place)
            if ending is None:
                return PlaceWords(known=place)
            if inside is None and (ending in ESTATE_ENDINGS or ending in _NAME_PREFIX):
                inside = place
    for _, _, name in _estate_names(text):
        return PlaceWords(unlisted=name, suggestion=near_miss(name, gazetteer) or inside)
    return PlaceWords(suggestion=inside)


def find_road(text: str) -> str | None:
    """A road the deployment does not list: a name of two to five characters before 路/街/大道/巷."""
    for ending in _ROAD_ENDING.finditer(text):
        next_char = text[ending.end():ending.end() + 1]
        if next_char and next_char in _NOT_A_ROAD_AFTER[ending.group()]:
            continue
        before = _CHINESE_BEFORE.search(text[max(0, ending.start() - 5):ending.start()]).group()
        name = _NOT_IN_ROAD_NAME.split(before)[-1]
        road = name + ending.group()
        if len(name) >= 2 and not road.endswith(_NOT_ROADS):
            return road
    return None


def find_entities(text: str, gazetteer: Gazetteer) -> Entities:
    e = Entities()
    words = read_place(text, gazetteer)
    if place := words.known:
        e.place, e.place_kind, e.community = place.name, place.kind, place.community
        if place.kind == "road":
            e.road = place.name
        elif place.kind == "landmark":
            e.landmark = place.name
    e.unlisted_place = words.unlisted
    if words.suggestion is not None:
        e.place_suggestion = words.suggestion.name
    if e.community is None:
        for surface, community_id in gazetteer.communities:
            if surface in text:
                e.community = community_id
                break
    if e.road is None:
        e.road = find_road(text)
    if e.landmark is None:
        if m := _LANDMARK.search(text):
            e.landmark = _NOT_IN_ESTATE_NAME.split(m.group(1))[-1] if len(m.group(1)) > 4 else m.group(1)
    e.public_space = bool(_PUBLIC_SPACE.search(text))
    if m := _BUILDING.search(text):
        e.building = f"{chinese_number(m.group(1))}栋"
    if m := _UNIT.search(text):
        e.unit = f"{chinese_number(m.group(1))}单元"
    if m := _PHONE.search(text):
        e.phone = m.group(1)
    elif e.unit and (m := _ROOM.search(text, text.find("单元"))):
        e.room = f"{m.group(1)}室"
    for facility in gazetteer.facilities:
        if facility in text:
            e.facility = facility
            break
    return e
