"""`sandan db migrate` and `sandan db copy`: bring a store's schema up to date, move a deployment's data."""

from __future__ import annotations

from pathlib import Path

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
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="The deployment's config.yaml (store.media_dir, store.media).")
@click.option("--media", "media_place", type=click.Choice(["local", "database"]), default=None,
              help="Where the target keeps photos: its media_files table (default on PostgreSQL) or the media "
                   "folder (default on SQLite).")
@click.option("--media-dir", type=click.Path(file_okay=False), default=None,
              help="The media folder (instead of the config's store.media_dir): where the source's photos are "
                   "read from, and a local target's are written.")
def copy(source: str, target: str, config_path: str, media_place: str | None, media_dir: str | None) -> None:
    """Copy every ticket, event, point, photo and user from one store into an empty one, then check each
    table's row count and checksum, and every photo's, on both sides. Stop the web and worker processes first.

    Photos are read from the source's media_files table or from store.media_dir, and kept in the target's
    media_files table (PostgreSQL) or in store.media_dir (SQLite) under the same names.

    \b
    Example:
        sandan db copy --from sqlite:///var/sandan.db --to postgresql://sandan@db.example/sandan
    """
    from dispatch import media
    from dispatch.copy import CopyError, copy_media, copy_store
    from dispatch.store import StoreError, connect, init_db

    try:
        folder, setting = _media_settings(config_path)
        folder = Path(media_dir) if media_dir else folder
        src, dst = _location(source), _location(target)
        src_db, dst_db = connect(src), init_db(dst)
        report = copy_store(src_db, dst_db)
        place = media.place(media_place or setting, dst)
        kept = media.DatabaseFiles(dst, None) if place == media.DATABASE else media.LocalFiles(folder)
        files = copy_media(src_db, media.DatabaseFiles(src, folder), dst_db, kept) \
            if all(t.same for t in report) else None
    except (StoreError, CopyError, ConfigError) as e:
        raise click.ClickException(str(e))
    for t in report:
        click.echo(f"{t.table:20} {t.rows:>9} 行  校验 {t.checksum}  {'一致' if t.same else '不一致'}")
    if files is None:
        raise click.ClickException("some tables differ after the copy (see above); the target is incomplete, "
                                   "drop it and copy again")
    click.echo(f"{'媒体文件':16} {files.files:>9} 个  校验 {files.checksum}  {'一致' if files.same else '不一致'}")
    for name in files.missing:
        click.echo(f"源库缺少文件（行里有，文件不在）：{name}", err=True)
    if not files.same:
        raise click.ClickException("some photos differ after the copy; drop the target and copy again")
    click.echo(f"已复制 {sum(t.rows for t in report)} 行，{len(report)} 张表，{files.files} 个媒体文件，"
               "行数与校验和一致")


def _media_settings(config_path: str) -> tuple[Path, str]:
    """store.media_dir (from the config's folder) and store.media; the defaults when there is no config."""
    if not Path(config_path).exists():
        return Path("var/media"), ""
    config = load_config(config_path)
    return config.path(config.settings.store.media_dir), config.settings.store.media
