"""Routing by the three factors: the nature of the matter (category), the authority it needs
(handling type, department) and the place (小区 / 楼栋 / road / landmark / shared location → grid)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dispatch.memo import per_object
from nlu.types import Parse
from nlu.rules import any_of
from settings import AuthorityRule, Category, Community, Deployment, Grid, Place


@dataclass(frozen=True)
class Route:
    handling: str                 # reply | self | transfer
    category: str
    community_id: str | None
    grid_id: str | None
    department_id: str | None
    needs_review: bool            # goes to the community dispatcher's queue instead of a guess
    reason: str                   # why, in words, for the ticket's events


def _grid_places(deployment: Deployment):
    for community in deployment.communities:
        for grid in community.grids:
            for place in grid.places:
                yield community, grid, place


@per_object
def _places_by_name(deployment: Deployment) -> dict[str, list[tuple[Community, Grid, Place]]]:
    """Every (community, grid, place) by the place's name: each report looks its place up."""
    index: dict[str, list[tuple[Community, Grid, Place]]] = {}
    for c, g, p in _grid_places(deployment):
        index.setdefault(p.name, []).append((c, g, p))
    return index


def grid_for_place(deployment: Deployment, place_name: str, building: str | None) -> tuple[Community, Grid] | None:
    """The grid covering a named place; a 小区 split between grids is split by building number.

    Without a building that settles it, a split 小区 has no single grid (None): a guess would send half
    of its reports to the wrong branch, so the community's dispatcher chooses instead.
    """
    matches = _places_by_name(deployment).get(place_name, [])
    if not matches:
        return None
    number = int(building.rstrip("栋")) if building and building.rstrip("栋").isdigit() else None
    if number is not None:
        for c, g, p in matches:
            if p.buildings and p.buildings[0] <= number <= p.buildings[1]:
                return c, g
    if len({g.id for _, g, _ in matches}) > 1:
        return None
    return matches[0][0], matches[0][1]


def _inside(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Ray casting; polygons are small enough that lat/lon can be treated as flat."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


#: A shared location farther than this from every place is not in the deployment's area: a person decides.
NEAREST_PLACE_KM = 2.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance of two (lat, lon) points; flat-earth is exact enough over a few kilometres."""
    lat = math.radians((a[0] + b[0]) / 2)
    return 111.2 * math.hypot(a[0] - b[0], (a[1] - b[1]) * math.cos(lat))


#: A place closer than this to a shared location names it for the people sent there (「广场花苑小区附近」).
NEAR_PLACE_KM = 0.3


def _nearest_place(deployment: Deployment,
                   location: tuple[float, float]) -> tuple[float, Community, Grid, Place] | None:
    """The known place closest to a location, with its distance in km; None when no place has a point."""
    best: tuple[float, Community, Grid, Place] | None = None
    for community, grid, place in _grid_places(deployment):
        if place.location:
            d = _km(location, place.location)
            if best is None or d < best[0]:
                best = (d, community, grid, place)
    return best


def place_near(deployment: Deployment, location: tuple[float, float]) -> str | None:
    """The name of a known place within NEAR_PLACE_KM of a location, to tell a person where it is."""
    best = _nearest_place(deployment, location)
    return best[3].name if best and best[0] <= NEAR_PLACE_KM else None


def grid_for_location(deployment: Deployment, location: tuple[float, float]) -> tuple[Community, Grid, str] | None:
    """The grid whose area contains a shared location, else the one with the nearest place within
    NEAREST_PLACE_KM; None when the location is far from all of them."""
    for community in deployment.communities:
        for grid in community.grids:
            if grid.area and _inside(location, list(grid.area)):
                return community, grid, "位置在网格范围内"
    best = _nearest_place(deployment, location)
    if best is None or best[0] > NEAREST_PLACE_KM:
        return None
    return best[1], best[2], f"离{best[3].name}最近"


def _duty(parse: Parse, deployment: Deployment) -> AuthorityRule | None:
    """The first department duty whose facility or words the message names, where the matter is: a "road" duty
    on a road or at a landmark, a "public" one also at a 小区's gate or on the street, an "anywhere" one everywhere."""
    e = parse.entities
    on_road = e.place_kind in ("road", "landmark") or (e.place_kind is None and bool(e.road or e.landmark))
    applies = {"anywhere": True, "public": on_road or e.public_space, "road": on_road}
    for rule in deployment.authority:
        if applies[rule.where] and (
                rule.facility == e.facility or rule.facility in parse.words
                or any_of(tuple(rule.words)).search(parse.words)):
            return rule
    return None


def _handling(category: Category, rule: AuthorityRule | None,
              deployment: Deployment) -> tuple[Category, str, str | None, str]:
    """Who acts on a matter of this category: the department whose duty the words name, the category's
    department, or the grid itself; with the reason people read."""
    if rule:
        owner = deployment.department(rule.department)
        category = next((c for c in deployment.categories if c.name == rule.category), category)
        return category, "transfer", rule.department, f"「{rule.facility}」属{owner.name if owner else rule.department}职责"
    if category.handling == "transfer":
        return category, "transfer", category.department, f"「{category.name}」需部门办理"
    return category, "self", None, f"「{category.name}」由网格自办"


def _decision_confidence(parse: Parse, categories: dict[str, Category], rule: AuthorityRule | None,
                         deployment: Deployment) -> float:
    """How sure the routing is, rather than the category: when the likely categories all send the matter the
    same way (楼道灯: 物业服务, 基础设施维护 or 安全隐患, each the grid's own), not knowing which of them it is
    needs no dispatcher."""
    if not parse.category_odds or parse.intent_confidence is None:
        return parse.confidence
    def way(name: str) -> tuple[str, str | None]:
        _, handling, department, _ = _handling(categories.get(name, categories["其他"]), rule, deployment)
        return handling, department
    chosen = way(parse.category)
    same = sum(p for name, p in parse.category_odds.items() if way(name) == chosen)
    return min(parse.intent_confidence, max(same, parse.confidence))


def route(parse: Parse, deployment: Deployment, review_threshold: float,
          location: tuple[float, float] | None = None) -> Route:
    categories = {c.name: c for c in deployment.categories}
    e = parse.entities
    found = grid_for_place(deployment, e.place, e.building) if e.place else None
    place_reason = f"地点「{e.place}」属于该网格" if found else ""
    if found is None and location is not None and (near := grid_for_location(deployment, location)):
        c, g, place_reason = near
        found = (c, g)
    community_id = found[0].id if found else e.community
    grid_id = found[1].id if found and not parse.about_staff else None

    if parse.intent == "question":
        return Route("reply", parse.category, community_id, grid_id, None, False, "咨询类，知识库答复")

    rule = _duty(parse, deployment)
    category, handling, department, reason = _handling(categories.get(parse.category, categories["其他"]),
                                                       rule, deployment)
    sure = _decision_confidence(parse, categories, rule, deployment)

    # people read these reasons (the review push, the timeline): what was decided and why, never a model score
    reasons = [r for r in (place_reason, "" if parse.about_staff else reason) if r]
    needs_review = grid_id is None or sure < review_threshold
    if found is None and e.unlisted_place:
        reasons.append(f"未登记的地点：{e.unlisted_place}")
    if found is None and e.place_suggestion:
        reasons.append(f"疑似「{e.place_suggestion}」，待确认")
    if parse.about_staff:
        reasons.append("投诉的是网格或社区工作人员，不派给被投诉的人，转社区审核")
    elif grid_id is None:
        reasons.append("未能确定网格，转社区审核")
    elif sure < review_threshold:
        reasons.append("看不准是什么问题，转社区审核")
    return Route(handling, category.name, community_id, grid_id, department, needs_review, "；".join(reasons))


# ---------------------------------------------------------------- the dispatcher's choice: 派单 12 longxi-2

#: Words that mean "the grid handles it itself" rather than a named grid or department.
SELF_WORDS = ("自办", "网格", "网格自办", "self")


class UnknownTarget(Exception):
    """A 派单 / 转交 target that names no grid or department, or several."""

    def __init__(self, target: str, candidates: list[str], hint: str = "") -> None:
        super().__init__(f"unknown target {target!r}" + (f": {', '.join(candidates)}" if candidates else ""))
        self.target, self.candidates, self.hint = target, candidates, hint


def _plain_grid_name(name: str) -> str:
    """「龙西社区第二网格党支部」 → 「龙西二网格」, as staff say it."""
    return name.replace("党支部", "").replace("社区", "").replace("第", "")


def resolve_target(deployment: Deployment, target: str,
                   community_id: str | None = None) -> tuple[str | None, str | None]:
    """(grid_id, department_id) for a grid id or name, a department id or name, or a 自办 word (None, None).

    Exact ids and names win; otherwise a unique name containing the text (or contained in it) is taken,
    so "路灯维护所" and "龙西二网格" work; among several grids those of ``community_id`` are preferred.
    Several matches raise UnknownTarget with the candidates.
    """
    text = target.strip()
    if text.lower() in SELF_WORDS:
        return None, None
    grids = [g for c in deployment.communities for g in c.grids]
    for g in grids:
        if text.lower() == g.id.lower() or text == g.name:
            return g.id, None
    for d in deployment.departments:
        if text.lower() == d.id.lower() or text == d.name or text in d.aliases:
            return None, d.id
    short = _plain_grid_name(text)
    found: list[tuple[str | None, str | None, str]] = []
    for g in grids:
        plain = _plain_grid_name(g.name)
        if short and (short in plain or plain in short):
            found.append((g.id, None, g.name))
    for d in deployment.departments:
        if short and (short in d.name or d.name in short or short in d.duties.split("、")):
            found.append((None, d.id, d.name))
    community = deployment.community(community_id)
    if len(found) > 1 and community is not None:
        own = {g.id for g in community.grids}
        found = [f for f in found if f[0] in own] or found
    if len(found) > 1:   # "城管" → 区城管局, not 区城管局路灯维护所: the name the others extend
        inner = [f for f in found if all(f[2] in other[2] for other in found)]
        found = inner or found
    if len(found) == 1:
        return found[0][0], found[0][1]
    raise UnknownTarget(target, [name for _, _, name in found])


def target_choices(deployment: Deployment, community_id: str | None) -> tuple[list[str], list[str]]:
    """What a dispatcher may name in 派单 / 转交: their community's grids as staff say them (龙西二网格; every
    grid when the community is not known), and the departments."""
    community = deployment.community(community_id)
    communities = [community] if community is not None else deployment.communities
    grids = [_plain_grid_name(g.name) for c in communities for g in c.grids]
    return grids, [d.name for d in deployment.departments]
