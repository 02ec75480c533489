"""Places resolve or ask, never guess: every listed name and alias routes to its grid, and no invented 小区 name
(made up here, or one character off a listed one, or a listed one inside a longer name) reaches a grid unasked."""

from __future__ import annotations

import random

import pytest

from dispatch.routing import route
from settings import ESTATE_ENDINGS, Deployment, too_generic

#: Reports as people write them, the place at different spots, with and without a building.
TEMPLATES = [
    "{p}3栋的垃圾桶坏了",
    "我住在{p}，楼道的灯不亮了",
    "{p}门口积水很深，走不了路",
    "麻烦看看{p}12号楼的电梯，又坏了",
    "反映一下，{p}有人在楼道堆杂物",
    "{p}的路灯坏了好几天了",
    "今天送外卖到{p}，发现井盖没了",
    "{p}2单元楼下垃圾没人清运，臭得很",
]
#: Beginnings of invented names; none is a listed place's.
STEMS = ["桃源", "东方", "森林", "化工厂", "金色", "碧水", "明珠", "锦江", "紫荆", "翡翠", "长安", "和平", "新华", "朝阳",
         "红星", "电力", "铁路", "望江", "盛世", "天鹅", "蓝湾", "银杏", "丽景", "康乐", "清风", "御景", "水岸", "春华",
         "秋实", "梧桐", "海棠", "玫瑰", "百合", "嘉禾", "恒大", "万达", "兰亭", "凤凰", "龙湖", "鹿鸣", "青松", "白云",
         "建设", "机械厂", "粮食局", "棉纺厂", "税务局", "邮电", "教师", "医药"]
NAME_ENDINGS = ["小区", "花园", "花苑", "家园", "华庭", "新村", "宿舍", "家属院", "公寓", "大厦", "山庄", "苑", "花园小区"]


def _listed(deployment: Deployment) -> dict[str, str]:
    """Every name and alias → the place's name."""
    return {surface: place.name for c in deployment.communities for g in c.grids for place in g.places
            for surface in [place.name, *place.aliases]}


def invented_names(deployment: Deployment) -> list[str]:
    listed = _listed(deployment)
    rng = random.Random(13)
    made = {stem + ending for stem in STEMS for ending in NAME_ENDINGS}
    letters = "桃杏李梅竹松柏兰菊荷春夏秋冬金木水火土"
    for surface, name in listed.items():
        estate = next(p for c in deployment.communities for g in c.grids for p in g.places if p.name == name)
        if estate.kind != "estate":
            continue
        if len(surface) >= 4:      # one character off a listed name
            i = rng.randrange(len(surface) - 2)
            made.add(surface[:i] + rng.choice(letters) + surface[i + 1:])
        if not surface.endswith(ESTATE_ENDINGS):     # a listed name inside a longer one: 东湖 → 东湖花园
            made.add(surface + rng.choice(["花园", "山庄", "雅苑"]))
        made.add("新" + surface)
    return sorted(n for n in made if n not in listed and not too_generic(n))


def _expected_grid(deployment: Deployment, name: str, text: str) -> str | None:
    grids = [(g.id, p) for c in deployment.communities for g in c.grids for p in g.places if p.name == name]
    if len(grids) == 1:
        return grids[0][0]
    for grid_id, place in grids:
        if place.buildings and any(f"{n}栋" in text or f"{n}号楼" in text
                                   for n in range(place.buildings[0], place.buildings[1] + 1)):
            return grid_id
    return None


def test_more_than_three_hundred_invented_names_are_generated(engine):
    assert len(invented_names(engine.deployment)) >= 300


def test_no_invented_name_reaches_a_grid(engine):
    deployment = engine.deployment
    routed = []
    for name in invented_names(deployment):
        for template in TEMPLATES:
            parse = engine.parse(template.format(p=name))
            r = route(parse, deployment, 0.45)
            if r.grid_id is not None or not r.needs_review or parse.entities.place is not None:
                routed.append((template.format(p=name), r.grid_id))
    assert routed == []


def test_every_listed_name_and_alias_routes_to_its_grid(engine):
    deployment = engine.deployment
    wrong = []
    for surface, name in _listed(deployment).items():
        for template in TEMPLATES:
            text = template.format(p=surface)
            parse = engine.parse(text)
            r = route(parse, deployment, 0.0)
            if parse.entities.place != name or r.grid_id != _expected_grid(deployment, name, text):
                wrong.append((text, parse.entities.place, r.grid_id))
    assert wrong == []


@pytest.mark.parametrize("text, unlisted, suggestion", [
    ("桃源小区3栋的垃圾桶坏了", "桃源小区", "仙源小区"),          # one character off a listed name
    ("东方花园小区门口积水", "东方花园小区", None),
    ("森林小区的路灯坏了", "森林小区", "森工大厦小区"),
    ("化工厂宿舍楼道堆满杂物", "化工厂宿舍", None),
    ("新东湖小区停水了", "新东湖小区", "东湖小区"),              # a listed name inside a longer one
    ("广场花园小区3栋的垃圾桶坏了", "广场花园小区", "广场花苑小区"),
])
def test_an_unlisted_estate_is_a_place_for_review(engine, text, unlisted, suggestion):
    parse = engine.parse(text)
    r = route(parse, engine.deployment, 0.45)
    assert (parse.entities.unlisted_place, parse.entities.place_suggestion, r.grid_id) == (unlisted, suggestion, None)
    assert f"未登记的地点：{unlisted}" in r.reason.split("；")


@pytest.mark.parametrize("text", ["我们小区楼道灯坏了", "学校宿舍的热水器坏了", "楼顶花园漏水了", "幼儿园门口积水"])
def test_generic_words_are_no_unlisted_estate(engine, text):
    assert engine.parse(text).entities.unlisted_place is None


@pytest.mark.parametrize("old, new, expected", [
    ("aliases: [广场花苑]", "aliases: [广场花苑, 花苑小区, 实验小学]",
     "places: the aliases 花苑小区, 实验小学 are too generic to name one place"),
    ("aliases: [翠湖]", "aliases: [翠湖, 东湖]", "places: '东湖' names both 翠湖小区 and 东湖小区"),
])
def test_a_deployment_with_a_generic_or_shared_alias_is_refused(config_copy, tmp_path, old, new, expected):
    from tests.understanding.conftest import ROOT
    from settings import ConfigError, load_config

    text = (ROOT / "data/deployment.yaml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "deployment.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    config = config_copy.read_text(encoding="utf-8").replace(str(ROOT / "data/deployment.yaml"),
                                                            str(tmp_path / "deployment.yaml"))
    config_copy.write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_config(config_copy)
