"""The deployment's place and facility names, as a lookup the tokenizer and entity finder share."""

from __future__ import annotations

from dataclasses import dataclass

from settings import Deployment


@dataclass(frozen=True)
class PlaceName:
    surface: str        # the words as people write them (name or alias)
    name: str           # the canonical place name
    kind: str           # estate | road | landmark
    community: str      # community id


@dataclass(frozen=True)
class Gazetteer:
    places: tuple[PlaceName, ...]       # longest surface first, so "龙西小区" wins over "龙西"
    communities: tuple[tuple[str, str], ...]   # (surface, community id), longest first
    facilities: tuple[str, ...]

    def words(self) -> list[str]:
        """Every name the tokenizer must keep whole."""
        return sorted({p.surface for p in self.places} | {s for s, _ in self.communities} | set(self.facilities))


def build_gazetteer(deployment: Deployment) -> Gazetteer:
    places: dict[str, PlaceName] = {}
    communities: dict[str, str] = {}
    for community in deployment.communities:
        for surface in [community.name, *community.aliases]:
            communities[surface] = community.id
        for grid in community.grids:
            for place in grid.places:
                for surface in [place.name, *place.aliases]:
                    places.setdefault(surface, PlaceName(surface, place.name, place.kind, community.id))
    facilities = set(deployment.facilities) | {r.facility for r in deployment.authority}
    return Gazetteer(
        places=tuple(sorted(places.values(), key=lambda p: -len(p.surface))),
        communities=tuple(sorted(communities.items(), key=lambda kv: -len(kv[0]))),
        facilities=tuple(sorted(facilities, key=len, reverse=True)),
    )
