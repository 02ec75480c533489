"""Entities in a message: place (小区, road, landmark), building/unit/room, facility, phone."""

from __future__ import annotations

import re

from nlu.gazetteer import Gazetteer, PlaceName
from nlu.types import Entities

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


#: How a 小区 name ends; only words ending like this are compared with known names for typos.
ESTATE_ENDINGS = ("小区", "花园", "花苑", "家园", "华庭", "新村", "宿舍", "大厦", "公寓", "苑", "园", "里")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions each count one."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def fuzzy_place(text: str, gazetteer: Gazetteer) -> PlaceName | None:
    """A 小区 written one character off ("广场花园小区" for 广场花苑小区), looked for only before estate-like endings.

    Names shorter than four characters are never guessed: one character is a quarter of them. When two
    known names are equally close ("平西小区": 平东小区 or 龙西小区?) nothing is guessed.
    """
    ends = {m.end() for ending in ESTATE_ENDINGS for m in re.finditer(ending, text)}
    found: dict[str, PlaceName] = {}
    for place in gazetteer.places:
        n = len(place.surface)
        if place.kind != "estate" or n < 4:
            continue
        letters = set(place.surface)
        for end in ends:
            for size in (n, n - 1, n + 1):
                window = text[max(0, end - size):end]
                if len(window) == size and len(letters & set(window)) >= n - 1 \
                        and edit_distance(window, place.surface) <= 1:
                    found.setdefault(place.name, place)
    return next(iter(found.values())) if len(found) == 1 else None


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


def _known_place(text: str, gazetteer: Gazetteer) -> PlaceName | None:
    return next((p for p in gazetteer.places if p.surface in text), None) or fuzzy_place(text, gazetteer)


def find_entities(text: str, gazetteer: Gazetteer) -> Entities:
    e = Entities()
    if place := _known_place(text, gazetteer):
        e.place, e.place_kind, e.community = place.name, place.kind, place.community
        if place.kind == "road":
            e.road = place.name
        elif place.kind == "landmark":
            e.landmark = place.name
    if e.community is None:
        for surface, community_id in gazetteer.communities:
            if surface in text:
                e.community = community_id
                break
    if e.road is None:
        e.road = find_road(text)
    if e.landmark is None:
        m = _LANDMARK.search(text)
        if m:
            e.landmark = m.group(1)
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
