"""`sandan export volunteers`: the 民主评议 table of volunteers and team riders, as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import click

from settings import ConfigError, load_config


@click.group(name="export")
def export_group() -> None:
    """Export tables for work done outside Sandan (民主评议, 星级志愿者评定)."""


@export_group.command(name="volunteers")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="The deployment's config.yaml.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--community", default="", help="Only this community's people (its id, e.g. longxi).")
def volunteers(config_path: str, fmt: str, out: str, community: str) -> None:
    """Write volunteers and team riders: name, community, team, points, hours, tasks, stars and ratings
    (phone numbers masked), for 民主评议.

    \b
    Example:
        sandan export volunteers --format xlsx --out 志愿者.xlsx
        sandan export volunteers --format csv --out longxi.csv --community longxi
    """
    import wording
    from dispatch import points, roster, sheets
    from dispatch.clock import utcnow
    from dispatch.store import init_db, location

    try:
        config = load_config(config_path)
    except ConfigError as e:
        raise click.ClickException(str(e))
    if community and config.deployment.community(community) is None:
        raise click.ClickException(f"no community '{community}'; use one of: "
                                   + ", ".join(c.id for c in config.deployment.communities))
    db = init_db(location(config))
    try:
        points.sync(db, config, utcnow())
        rows = roster.export_rows(db, config, roster.Filter(community=community))
    finally:
        db.close()
    headers = wording.ROSTER_HEADERS.values()
    if fmt == "csv":
        Path(out).write_text(sheets.csv_text(headers, rows), encoding="utf-8")
    else:
        Path(out).write_bytes(sheets.xlsx_bytes("志愿者", headers, rows))
    click.echo(f"已导出 {len(rows)} 人到 {out}")
