"""Command line of the bridge: serve, worker, db upgrade, create-agent, setup-demo, assess."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import Sequence

from handoff.config import BridgeConfig, ConfigError, load_config
from handoff.store.db import current_revision, head_revision, make_engine, upgrade
from handoff.store.repo import Store


def _store(config: BridgeConfig) -> Store:
    store = Store(make_engine(config.database_url))
    upgrade(store.engine)
    return store


def ensure_demo_agents(config: BridgeConfig, store: Store) -> list[str]:
    from handoff.web.auth import create_agent

    made = []
    for demo in config.demo_agents:
        if store.agent_by_username(demo.username) is None:
            create_agent(store, demo.username, demo.password, demo.role, demo.display_name)
            made.append(demo.username)
    return made


def _serve(config: BridgeConfig, host: str, port: int) -> int:
    from werkzeug.serving import run_simple

    from handoff.app import create_app

    ensure_demo_agents(config, _store(config))
    app = create_app(config)
    print(f"[handoff] serving on http://{host}:{port} (chat /chat, console /console/)", flush=True)
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0


def _worker(config: BridgeConfig) -> int:
    from handoff.app import build_services
    from handoff.worker import RetryLoop

    loop = RetryLoop(build_services(config))
    print("[handoff] retry worker running (Ctrl-C stops)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        loop.run_forever()
    return 0


def _create_agent(config: BridgeConfig, args: argparse.Namespace) -> int:
    from handoff.web.auth import create_agent

    store = _store(config)
    if store.agent_by_username(args.name) is not None:
        print(f"agent {args.name!r} exists already", file=sys.stderr)
        return 1
    password = os.environ.get("HANDOFF_AGENT_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
    try:
        create_agent(store, args.name, password, args.role, args.display_name)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created {args.role} {args.name}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["assess"]:
        from handoff.assess.cli import run

        return run(argv[1:], sys.stdin, sys.stdout)
    parser = argparse.ArgumentParser(prog="python -m handoff", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the bridge (HTTP) with its retry loop")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("worker", help="run only the retry loop (when serve runs with BRIDGE_WORKER=0)")
    db = sub.add_parser("db", help="schema migrations")
    db.add_argument("action", choices=["upgrade", "current"])
    agent = sub.add_parser("create-agent", help="add an agent (password from $HANDOFF_AGENT_PASSWORD or prompt)")
    agent.add_argument("name")
    agent.add_argument("--role", choices=["agent", "supervisor"], default="agent")
    agent.add_argument("--display-name", default=None)
    sub.add_parser("setup-demo", help="upgrade the schema and create the demo agents of conf/bridge.yaml")
    sub.add_parser("assess", help="run the handoff decision on one JSON conversation from stdin")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(config, args.host, args.port)
    if args.command == "worker":
        return _worker(config)
    if args.command == "db":
        engine = make_engine(config.database_url)
        if args.action == "upgrade":
            print(f"schema at {upgrade(engine)} (head {head_revision()})")
        else:
            print(current_revision(engine) or "empty")
        return 0
    if args.command == "create-agent":
        return _create_agent(config, args)
    made = ensure_demo_agents(config, _store(config))
    print(f"demo agents created: {', '.join(made) or 'none (all exist)'}")
    return 0
