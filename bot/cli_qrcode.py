"""`sandan qrcode`: printable 帮办二维码 posters (PNG and PDF) per estate or building."""

from __future__ import annotations

from pathlib import Path

import click

from settings import ConfigError, load_config


@click.command(name="qrcode")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="The deployment's config.yaml.")
@click.option("--place", "places", multiple=True, help="An estate (小区) by name or alias; repeat for more. "
                                                       "Default: every estate of the deployment.")
@click.option("--building", "buildings", multiple=True, help="A building of the estate (3 or 3栋); repeat for "
                                                             "more. Default: one poster for the whole estate.")
@click.option("--channel", type=click.Choice(["wechat", "web"]), default="wechat", show_default=True,
              help="wechat: a parametric code made through WeChat's qrcode/create; web: the web chat's address.")
@click.option("--format", "kinds", type=click.Choice(["png", "pdf"]), multiple=True,
              help="png, pdf or both (the default).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the posters (default qrcode.out_dir).")
def qrcode(config_path: str, places: tuple[str, ...], buildings: tuple[str, ...], channel: str,
           kinds: tuple[str, ...], out_dir: str | None) -> None:
    """Write 帮办二维码 posters: the estate's name, its QR code, a short how-to and the grid's contact.

    Scanning the code tells the bot the place, so the resident's report needs no 「哪个小区？」.

    \b
    Example:
        sandan qrcode                                   # every estate, WeChat codes, PNG and PDF
        sandan qrcode --place 广场花苑小区 --building 3 --building 5
        sandan qrcode --channel web --format png --out posters/
    """
    import wording
    from bot.channels.qrcodes import QrCodeFailed
    from bot.posters import FontMissing, file_name, pdf_bytes, png_bytes, poster_for
    from dispatch import scenes
    from dispatch.clock import utcnow
    from dispatch.store import StoreError, init_db, location

    try:
        config = load_config(config_path)
        db = init_db(location(config))
    except (ConfigError, StoreError) as e:
        raise click.ClickException(str(e))
    known = [p.name for _, _, p in scenes.estates(config.deployment)]
    spots = []
    for name in places or dict.fromkeys(known):
        for building in buildings or ("",):
            spot = scenes.spot(config.deployment, name, building)
            if spot is None:
                raise click.ClickException(wording.unknown_estate(f"{name}{building}", list(dict.fromkeys(known))))
            spots.append(spot)
    folder = Path(out_dir) if out_dir else config.path(config.settings.qrcode.out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    s = config.settings.qrcode
    writers = {"png": png_bytes, "pdf": pdf_bytes}
    try:
        for spot in spots:
            poster = poster_for(config, db, spot, channel, utcnow())
            for kind in kinds or ("png", "pdf"):
                path = folder / file_name(poster, channel, kind)
                path.write_bytes(writers[kind](poster, config.path(s.font), s.dpi))
                click.echo(str(path))
    except (FontMissing, QrCodeFailed) as e:
        raise click.ClickException(str(e))
    finally:
        db.close()
