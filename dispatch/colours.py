"""红/蓝/黄 by fixed shares (天长's quarterly 张榜: each colour a set share of the units), beside stats.colour_for's
cut-offs. Which one a deployment uses is rating.colour_by."""

from __future__ import annotations

import math


def by_share(scores: list[float | None], red_share: float, yellow_share: float) -> list[str]:
    """A colour for each score, in the order given: the best ``red_share`` of the rated are 红, the last
    ``yellow_share`` 黄, the rest 蓝 (shares rounded half up); equal scores share the better colour; an
    unrated unit (None) gets ""."""
    rated = sorted((s for s in scores if s is not None), reverse=True)
    reds = math.floor(len(rated) * red_share + 0.5)
    yellows = min(len(rated) - reds, math.floor(len(rated) * yellow_share + 0.5))
    best: dict[float, str] = {}
    for rank, score in enumerate(rated):
        colour = "红" if rank < reds else "黄" if rank >= len(rated) - yellows else "蓝"
        best.setdefault(score, colour)          # the first (best) rank of a score decides for its ties
    return [best[s] if s is not None else "" for s in scores]
