"""The `sandan` command: a thin wrapper over bot/, nlu/ and dispatch/."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TextIO

import click

from dispatch.store import location as store_location
from settings import ConfigError, load_config

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.chatlog import ChatLine


def config_option(fn: Callable) -> Callable:
    return click.option("--config", "config_path", default="config.yaml", show_default=True,
                        type=click.Path(dir_okay=False), help="The deployment's config.yaml.")(fn)


def _services(config_path: str, overrides: dict[str, Any] | None = None):
    from bot.services import build_services

    try:
        return build_services(config_path, overrides)
    except ConfigError as e:
        raise click.ClickException(str(e))


@click.group()
@click.version_option("0.1.0", prog_name="sandan")
def cli() -> None:
    """三单 Sandan: 居民点单、社区派单、网格接单 — the community chat bot."""


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8800, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="Run only the web server (use `sandan worker` beside it).")
def serve(config_path: str, host: str, port: int, no_scheduler: bool) -> None:
    """Run the production server (gunicorn, ops.workers workers) with the scheduler in one of them.

    Refuses to start while a secret still has its demo value; `sandan secrets` makes fresh ones.
    Put nginx or caddy in front for TLS (README, Deploying).

    \b
    Example:
        sandan secrets --output /etc/sandan/secrets.env
        set -a; . /etc/sandan/secrets.env; set +a
        sandan serve --port 8800
    """
    services = _services(config_path)
    _refuse_demo_secrets(services.config)
    _serve(services, host, port, not no_scheduler)


def _refuse_demo_secrets(config: Any) -> None:
    from bot.serve import DemoSecrets, refuse_demo_secrets

    try:
        refuse_demo_secrets(config)
    except DemoSecrets as e:
        raise click.ClickException(str(e))


def _serve(services: Any, host: str, port: int, scheduler: bool) -> None:
    from bot.serve import serve

    warn_calendar(services.config)
    click.echo(f"三单 Sandan 已启动：http://{host}:{port}/  (Ctrl+C 停止)")
    try:
        serve(services, host, port, scheduler)
    except ConfigError as e:             # a channel's settings that cannot work (e.g. a bad aes_key)
        raise click.ClickException(str(e))


@cli.command()
@config_option
def worker(config_path: str) -> None:
    """Run only the scheduler (outbox delivery, deadlines), beside a multi-worker web server.

    \b
    Example:
        gunicorn -w 2 'bot.wsgi:app' & sandan worker
    """
    import time

    from bot.worker import build_scheduler

    from bot.logs import redact_logs

    services = _services(config_path)
    _refuse_demo_secrets(services.config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact_logs(services.config)
    warn_calendar(services.config)
    build_scheduler(services).start()
    click.echo("三单 worker 已启动 (Ctrl+C 停止)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8800, show_default=True, type=int)
def demo(config_path: str, host: str, port: int) -> None:
    """Start the shipped demo: a fresh database with 90 days of history (fixed seed), then serve, with the
    no-login /chat page on.

    \b
    Example:
        sandan demo
    """
    from bot.demo_history import fill
    from dispatch.clock import utcnow
    from dispatch.store import connect

    services = _services(config_path, {"web": {"demo_chat": True}})
    path = _fresh_database(services.config)
    db = connect(path)
    steps = fill(services, db, utcnow())
    db.close()
    click.echo(f"演示数据库：{path}（已按真实流程生成近 90 天的工单历史，{steps} 步）")
    _start_standin(services.config)
    _serve(services, host, port, scheduler=True)


def _start_standin(config: Any) -> None:
    """The demo's local WeChat stand-in, on the host and port that wechat.api_base_url names."""
    from urllib.parse import urlsplit

    from standin import accounts_from_config, serve_in_thread

    url = urlsplit(config.settings.wechat.api_base_url)
    if url.hostname not in ("127.0.0.1", "localhost"):
        return                       # a real WeChat API: nothing to stand in for
    try:
        server, _, _ = serve_in_thread(accounts_from_config(config), url.hostname, url.port or 80)
    except OSError as e:
        click.echo(f"微信模拟服务没有启动（{e}）；端口 {url.port} 被占用时可改 wechat.api_base_url", err=True)
        return
    click.echo(f"微信模拟服务：http://{url.hostname}:{server.server_port}/_standin/sent 可查看发出的消息")


def _fresh_database(config: Any) -> str:
    from dispatch.clock import utcnow
    from dispatch.store import init_db
    from dispatch.users import seed_staff

    path = store_location(config)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = init_db(path)
    seed_staff(db, config.deployment, utcnow())
    db.close()
    return path


@cli.command(name="secrets")
@click.option("--output", type=click.Path(dir_okay=False), help="Write them to this file (mode 600) instead of "
              "printing them.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
def new_secrets(output: str | None, force: bool) -> None:
    """Make fresh secrets as SANDAN_* lines (an environment file for systemd or docker compose).

    The WeChat token and EncodingAESKey made here are pasted into the WeChat console (服务器配置);
    the AppSecret comes from there and is left for you to fill in.

    \b
    Example:
        sandan secrets --output /etc/sandan/secrets.env
        sandan secrets > .env
    """
    import os
    import secrets as random

    def letters(n: int) -> str:      # WeChat takes letters and digits only for the token and the AES key
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "".join(random.choice(alphabet) for _ in range(n))

    lines = [
        "# 三单 Sandan secrets (sandan secrets); keep this file private (chmod 600)",
        f"SANDAN_SECRET_KEY={random.token_urlsafe(48)}",
        f"SANDAN_ADMIN_PASSWORD={random.token_urlsafe(12)}",
        f"SANDAN_API_KEY={random.token_urlsafe(32)}",
        f"SANDAN_METRICS_TOKEN={random.token_urlsafe(24)}",
        f"SANDAN_WECHAT_TOKEN={letters(32)}",
        f"SANDAN_WECHAT_AES_KEY={letters(43)}",
        f"SANDAN_WORK_WECHAT_TOKEN={letters(32)}",
        f"SANDAN_WORK_WECHAT_AES_KEY={letters(43)}",
        "# from the WeChat console (公众平台 → 设置与开发 → 基本配置 → AppSecret):",
        "SANDAN_WECHAT_APP_SECRET=",
        "# from 企业微信 (应用管理 → 自建应用 → Secret), when work_wechat.enabled:",
        "SANDAN_WORK_WECHAT_SECRET=",
    ]
    text = "\n".join(lines) + "\n"
    if not output:
        click.echo(text, nl=False)
        return
    if os.path.exists(output) and not force:
        raise click.ClickException(f"{output} exists; pass --force to replace it (the old secrets stop working)")
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(output, 0o600)
    click.echo(f"已写入 {output}；填上 SANDAN_WECHAT_APP_SECRET 后由 systemd 的 EnvironmentFile 或 compose 的 env_file 读取",
               err=True)


@cli.group(name="db")
def db_group() -> None:
    """The store: SQLite, or PostgreSQL when store.url names one."""


@db_group.command(name="init")
@config_option
def db_init(config_path: str) -> None:
    """Create or migrate the database and bind the staff listed in the deployment.

    \b
    Example:
        sandan db init
    """
    from dispatch.clock import utcnow
    from dispatch.store import StoreError, init_db
    from dispatch.users import seed_staff

    try:
        config = load_config(config_path)
        db = init_db(store_location(config))
    except (ConfigError, StoreError) as e:
        raise click.ClickException(str(e))
    count = seed_staff(db, config.deployment, utcnow())
    click.echo(f"数据库已就绪：{store_location(config)}（{count} 名工作人员）")
    warn_calendar(config)


def warn_calendar(config: Any) -> None:
    """Say so (stderr and the log) when this or next year's days off are unknown: deadlines would be guessed."""
    from dispatch.clock import utcnow
    from dispatch.deadlines import calendar_warning

    if text := calendar_warning(config, utcnow()):
        click.secho(text, err=True, fg="yellow")
        logging.getLogger("sandan.calendar").warning(text)


@db_group.command(name="backup")
@config_option
@click.argument("path", type=click.Path(), default="")
def db_backup(config_path: str, path: str) -> None:
    """Write a consistent backup (database and photos, one tar file) while the server runs.

    PATH is a file, or a folder for a dated file inside (default: ops.backup_dir).

    \b
    Example:
        sandan db backup /srv/backups/
        sandan db backup var/backups/before-upgrade.tar
    """
    from dispatch.backup import BackupError, backup

    config = _config(config_path)
    s = config.settings
    try:
        folder = config.path(s.ops.backup_dir) if not path else Path(path) if path.endswith("/") else None
        written = backup(store_location(config), config.path(s.store.media_dir),
                         _ensure_dir(folder) if folder else Path(path))
    except BackupError as e:
        raise click.ClickException(str(e))
    click.echo(f"已备份：{written}（{written.stat().st_size // 1024} KB）")


@db_group.command(name="restore")
@config_option
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Restore even though a scheduler seems to be running on this store.")
def db_restore(config_path: str, path: str, force: bool) -> None:
    """Replace the database with a backup and put its photos back. Stop the server first. On PostgreSQL,
    store.url must name a new, empty database: the backup's rows are copied into it and checked.

    \b
    Example:
        systemctl stop sandan-web sandan-worker
        sandan db restore /srv/backups/sandan-20261203-030000.tar
        systemctl start sandan-web sandan-worker
    """
    from dispatch.backup import BackupError, restore, server_running

    config = _config(config_path)
    s = config.settings
    db_path = store_location(config)
    if server_running(db_path) and not force:
        raise click.ClickException("the server still runs on this store (its scheduler lease is fresh); stop it "
                                   "first, or pass --force if it is really down")
    try:
        photos = restore(Path(path), db_path, config.path(s.store.media_dir))
    except BackupError as e:
        raise click.ClickException(str(e))
    shown = "PostgreSQL" if "://" in db_path else db_path
    click.echo(f"已恢复：{shown}（照片 {photos} 张）。启动前可运行 sandan db init 升级到当前版本。")


def _config(config_path: str) -> Any:
    try:
        return load_config(config_path)
    except ConfigError as e:
        raise click.ClickException(str(e))


def _ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@cli.command()
@config_option
@click.option("--role", required=True,
              type=click.Choice(["grid_secretary", "dispatcher", "department", "leader", "volunteer"]))
@click.option("--grid", "grid_id", help="Grid id, for --role grid_secretary.")
@click.option("--department", "department_id", help="Department id, for --role department.")
@click.option("--community", "community_id",
              help="Community id, for --role dispatcher or volunteer (optional for leader).")
@click.option("--name", default="", help="The person's name as colleagues will see it.")
def invite(config_path: str, role: str, grid_id: str | None, department_id: str | None, community_id: str | None,
           name: str) -> None:
    """Print a single-use invite code; the person sends "绑定 CODE" to the bot to take the role.

    Codes expire after dispatch.invite_valid_days.

    \b
    Example:
        sandan invite --role grid_secretary --grid longxi-1 --name 王书记
        sandan invite --role dispatcher --community longxi
        sandan invite --role volunteer --community longxi --name 吴阳春
    """
    from dispatch import invites
    from dispatch.clock import utcnow
    from dispatch.store import StoreError, init_db

    try:
        config = load_config(config_path)
        db = init_db(store_location(config))
        code = invites.create(db, config, role, utcnow(), grid_id, department_id, community_id, name)
    except (ConfigError, StoreError, invites.InviteError) as e:
        raise click.ClickException(str(e))
    click.echo(code)
    click.echo(f"有效期 {config.settings.dispatch.invite_valid_days:g} 天，仅可使用一次。请对机器人发送：绑定 {code}",
               err=True)


def triage_record(services: Any, text: str, knowledge: Any = None) -> dict[str, Any]:
    """The decision the bot would make for one message, as a flat dict; nothing is stored.

    :param knowledge: the knowledge base chat answers from (the database's items once staff keep them there,
        dispatch/knowledge_items.current); the shipped file when None.
    """
    from dispatch.routing import route
    from nlu.knowledge import answer

    config = services.config
    knowledge = knowledge or services.knowledge
    parse = services.engine.parse(text, knowledge)
    item = answer(parse, knowledge)
    r = route(parse, config.deployment, config.settings.nlu.review_threshold)
    e = parse.entities
    community = config.deployment.community(r.community_id)
    grid = config.deployment.grid(r.grid_id)
    department = config.deployment.department(r.department_id)
    return {
        "text": text, "intent": parse.intent, "category": r.category, "handling": r.handling,
        "urgency": parse.urgency, "emergency": parse.emergency, "community": community.name if community else None,
        "place": e.where, "building": e.building,
        "grid": grid.name if grid else None, "department": department.name if department else None,
        "confidence": parse.confidence, "grid_id": r.grid_id, "department_id": r.department_id,
        "needs_review": r.needs_review, "reason": r.reason, "answer": item.title if item else None,
    }


def _stored_knowledge(services: Any) -> Any:
    """The knowledge base chat answers from: the store's items when a store exists and keeps them, else the
    shipped file. Only read: triage creates no store and writes nothing."""
    from dispatch import knowledge_items
    from dispatch.store import connect

    where = store_location(services.config)
    if "://" not in where and not Path(where).exists():
        return services.knowledge
    try:
        db = connect(where)
    except Exception:      # no store to read: the file answers, as before staff kept items
        return services.knowledge
    try:
        return knowledge_items.current(db, services.knowledge)
    except Exception:      # a store not migrated yet has no knowledge_items table
        return services.knowledge
    finally:
        db.close()


@cli.command()
@config_option
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
def triage(config_path: str, source: TextIO) -> None:
    """Triage messages, one per line, from a file or stdin; print one JSON object per line.

    Nothing is written to the database.

    \b
    Example:
        echo 广场花苑小区3栋的垃圾桶坏了 | sandan triage
        sandan triage exported-chat.txt > triage.jsonl
    """
    services = _services(config_path)
    knowledge = _stored_knowledge(services)
    for line in source:
        text = line.strip()
        if text:
            click.echo(json.dumps(triage_record(services, text, knowledge), ensure_ascii=False))
            sys.stdout.flush()


from bot.cli_nlu import nlu_group  # noqa: E402  (sandan nlu train/parse/eval/export-rasa)
from bot.cli_db import copy as db_copy, migrate as db_migrate  # noqa: E402  (sandan db migrate/copy)
from bot.cli_qrcode import qrcode  # noqa: E402  (sandan qrcode: 帮办二维码 posters)
from bot.cli_export import export_group  # noqa: E402  (sandan export volunteers)

cli.add_command(nlu_group)
cli.add_command(qrcode)
cli.add_command(export_group)
db_group.add_command(db_migrate)
db_group.add_command(db_copy)


@cli.command(name="import-chat")
@config_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Print the triage of each complaint as JSON lines; store nothing.")
@click.option("--group", default="", help="The id of the group the log came from, as in the deployment's groups "
                                         "(default: the file's name).")
def import_chat(config_path: str, file: str, dry_run: bool, group: str) -> None:
    """File the complaints in an exported group-chat log (WeChat text export or CSV time,sender,text).

    A line is a complaint when the bot would file it in the group (the same test, the same
    nlu.group_report_threshold), so --dry-run lists exactly what a real run files. Chit-chat, thanks and
    emoji-only lines are skipped; a ticket's time is the line's time; importing the same log again files
    nothing twice.

    \b
    Example:
        sandan import-chat 蜂巢驿站.txt --dry-run > triage.jsonl
        sandan import-chat chat.csv --group fengchao
    """
    from tqdm import tqdm

    import wording
    from bot.chatlog import is_chatter, read_chat_file
    from bot.conversation import files_in_group
    from dispatch.store import init_db

    try:
        lines = read_chat_file(Path(file))
    except ValueError as e:
        raise click.ClickException(f"{file}: {e}")
    services = _services(config_path)
    groups = services.config.deployment.groups
    if group and group not in groups:
        known = ", ".join(f"{gid} ({name})" for gid, name in groups.items()) or "none in the deployment"
        raise click.ClickException(f"unknown group {group!r}; --group takes one of the deployment's group ids: {known}")
    db = None if dry_run else init_db(store_location(services.config))
    counts = dict.fromkeys(("reports", "new", "joined", "before", "skipped"), 0)
    for line in tqdm(lines, desc="导入", unit="条", file=sys.stderr):
        if is_chatter(line.text) or not files_in_group(services.config, services.engine.parse(line.text)):
            counts["skipped"] += 1
        elif db is None:
            click.echo(json.dumps({"time": line.time, "sender": line.sender, **triage_record(services, line.text)},
                                  ensure_ascii=False))
            counts["reports"] += 1
        else:
            counts[_import_line(services, db, line, group or Path(file).stem)] += 1
    if dry_run:
        click.echo(wording.import_preview(len(lines), counts["reports"], counts["skipped"]), err=True)
    else:
        click.echo(wording.import_summary(len(lines), counts["new"], counts["joined"], counts["before"],
                                          counts["skipped"]), err=True)


def _import_line(services: Any, db: Database, line: ChatLine, chat: str) -> str:
    """File one complaint of a chat log as its sender's group message; says what became of it:
    "new" ticket, "joined" an open one, imported "before", or "skipped" (the bot filed nothing)."""
    from bot.conversation import handle
    from bot.inbound import Inbound
    from dispatch import messages
    from dispatch.clock import utcnow

    if messages.seen(db, "import", line.msg_id):
        return "before"              # the same line never files a second ticket
    inbound = Inbound(channel="import", sender=line.sender, msg_id=line.msg_id, text=line.text, chat=chat,
                      display_name=line.sender[:64], sent_at=line.sent_at(services.config.settings.dispatch.timezone))
    reply = handle(services, db, inbound, utcnow())
    return {"filed": "new", "joined": "joined"}.get(reply.outcome, "skipped")


def main() -> None:
    cli()
