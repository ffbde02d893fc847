"""`xuncha ui`: the Dagster UI (webserver and daemon) over the warehouse of one XUNCHA_HOME.

The daemon runs the schedules and the inbox sensor; runs queue one at a time
(dagster.yaml). Listens on 127.0.0.1 only: put a reverse proxy with
authentication in front of it before exposing it to the office network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from home import Home

DEFAULT_PORT = 3000


def dagster_executable() -> str:
    candidate = Path(sys.executable).with_name("dagster")
    return str(candidate) if candidate.exists() else (shutil.which("dagster") or "dagster")


def dagster_dev_command(port: int) -> list[str]:
    return [
        dagster_executable(),
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]


def cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.refresh import use_instance_home

    home = Home.from_env(args.home)
    prepare_manifest()
    use_instance_home(home)  # copies dagster.yaml, sets DAGSTER_HOME
    # the webserver, the daemon and their run workers are new processes: they find the
    # home (XunchaSettings' default) in their environment
    os.environ["XUNCHA_HOME"] = str(home.root)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    if args.inbox:
        os.environ["XUNCHA_INBOX"] = str(Path(args.inbox).resolve())
    from orchestration.schedule_config import configured_inbox

    inbox = configured_inbox(home)
    command = dagster_dev_command(args.port)
    print(f"Dagster 界面：http://127.0.0.1:{args.port}（数据目录 {home.root}，Ctrl+C 退出）")
    print(f"收件箱传感器监视：{inbox.path}（{inbox.source}）")
    sys.stdout.flush()
    try:
        os.execve(command[0], command, os.environ)
    except OSError as exc:
        print(f"无法启动 dagster dev：{exc}", file=sys.stderr)
        return 127
    return 0  # not reached: execve replaces this process


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ui", help="启动 Dagster 界面（调度、传感器、运行记录）")
    p.add_argument("--home", help="数据目录（默认 XUNCHA_HOME 或 ./var）")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"端口（默认 {DEFAULT_PORT}）")
    p.add_argument(
        "--inbox", help="收件箱（默认 XUNCHA_INBOX，否则上次刷新所用的收件箱，否则 数据目录/inbox）"
    )
    p.set_defaults(func=cmd_ui)
