"""python -m standin [--config config.yaml] [--port 8801]: run the WeChat stand-in API on its own."""

from __future__ import annotations

import argparse

from settings import load_config
from standin import accounts_from_config, create_standin


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m standin", description=__doc__)
    parser.add_argument("--config", default="config.yaml", help="the bot's config.yaml (its app id and secrets)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=8801, type=int)
    args = parser.parse_args()
    app = create_standin(accounts_from_config(load_config(args.config)))
    print(f"WeChat stand-in on http://{args.host}:{args.port}/cgi-bin/  (sent log: /_standin/sent)")
    app.run(args.host, args.port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
