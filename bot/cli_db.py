"""`sandan db migrate` and `sandan db copy`: bring a store's schema up to date, move a deployment's data."""

from __future__ import annotations

import click

from settings import ConfigError, load_config


def _location(url: str) -> str:
    """A store given on the command line: postgresql://…, sqlite:///path or a plain path."""
    return url if url.startswith(("postgresql://", "postgres://")) else url.removeprefix("sqlite:///")


@click.command(name="migrate")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="The deployment's config.yaml.")
@click.option("--url", default=None, help="Migrate this store instead of the config's store.url / store.path.")
def migrate(config_path: str, url: str | None) -> None:
    """Apply the pending migrations to the store (SQLite or PostgreSQL); safe to run again.

    \b
    Example:
        sandan db migrate
        sandan db migrate --url postgresql://sandan@db.example/sandan
    """
    from dispatch.store import StoreError, init_db, location, migrations

    try:
        target = _location(url) if url else location(load_config(config_path))
        db = init_db(target)
    except (ConfigError, StoreError) as e:
        raise click.ClickException(str(e))
    db.close()
    click.echo(f"数据库结构已是最新（{len(migrations._migrations)} 个迁移）")


@click.command(name="copy")
@click.option("--from", "source", required=True, help="The store to read: sqlite:///var/sandan.db or postgresql://…")
@click.option("--to", "target", required=True, help="An empty store to fill (migrated first): postgresql://…")
def copy(source: str, target: str) -> None:
    """Copy every ticket, event, point, photo record and user from one store into an empty one, then check
    each table's row count and checksum on both sides. Stop the web and worker processes first.

    \b
    Example:
        sandan db copy --from sqlite:///var/sandan.db --to postgresql://sandan@db.example/sandan
    """
    from dispatch.copy import CopyError, copy_store
    from dispatch.store import StoreError, connect, init_db

    try:
        src = connect(_location(source))
        dst = init_db(_location(target))
        report = copy_store(src, dst)
    except (StoreError, CopyError) as e:
        raise click.ClickException(str(e))
    for t in report:
        click.echo(f"{t.table:20} {t.rows:>9} 行  校验 {t.checksum}  {'一致' if t.same else '不一致'}")
    if not all(t.same for t in report):
        raise click.ClickException("some tables differ after the copy (see above); the target is incomplete, "
                                   "drop it and copy again")
    click.echo(f"已复制 {sum(t.rows for t in report)} 行，{len(report)} 张表，行数与校验和一致")
