"""The `xuncha` command line: refresh, demo, status, report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from orchestration.home import Home

DBT_PROJECT_HINT = Path(__file__).resolve().parents[1] / "dbt_project"


def _print_refresh(outcome) -> None:  # type: ignore[no-untyped-def]
    if outcome.unchanged:
        print(
            f"收件箱无变化（{outcome.inbox}），截至日期 {outcome.as_of}、模板与程序也与上次发布时相同："
            f"沿用已发布版本，未重新计算（上次发布于 {outcome.finished_at}）。"
        )
        print(f"发布位置：{Path(outcome.home) / 'published.duckdb'}")
        print("如需重新计算，请加 --force。")
        return
    ingest = outcome.ingest
    print(f"仓库位置：{Path(outcome.home) / 'warehouse.duckdb'}")
    print(f"发布位置：{Path(outcome.home) / 'published.duckdb'}")
    if ingest:
        print(
            "文件：载入 {files_loaded}，拒收 {files_rejected}，未变 {files_unchanged}，"
            "被替代 {files_superseded}".format(**ingest)
        )
        print(f"行：载入 {ingest['rows_loaded']}，隔离 {ingest['rows_quarantined']}（入库阶段）")
        by_rule = ingest.get("quarantined_by_rule") or {}
        if by_rule:
            print("按规则：" + "，".join(f"{k} {v}" for k, v in sorted(by_rule.items())))
    for w in outcome.warnings:
        print(f"提示 {w['rule']} {w['check']}：{w['failing_count']} 项")
    if outcome.published:
        print(f"已发布，数据截至 {outcome.as_of}")
        return
    print("未发布：上次发布的仓库保持不变。", file=sys.stderr)
    for f in outcome.blocking_failures:
        print(
            f"阻断 {f['rule']} {f['check']}：{f['failing_count']} 项；示例：{f['examples']}",
            file=sys.stderr,
        )
    for e in outcome.errors:
        print(f"错误：{e}", file=sys.stderr)


def cmd_refresh(args: argparse.Namespace) -> int:
    from orchestration.refresh import run_refresh

    home = Home.from_env(args.home)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    outcome = run_refresh(Path(args.inbox), home, as_of, force=args.force)
    _print_refresh(outcome)
    return 0 if outcome.published else 1


def cmd_docs(args: argparse.Namespace) -> int:
    from orchestration.docs import generate_docs

    home = Home.from_env(args.home)
    try:
        index = generate_docs(home)
    except RuntimeError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(f"数据字典（dbt 文档）已生成：{index}")
    print(f"单文件版（可直接用浏览器打开）：{index.with_name('static_index.html')}")
    print(f"或启动本地服务：cd {DBT_PROJECT_HINT} && dbt docs serve --target-path {index.parent}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.demo import generate_demo_inbox
    from orchestration.headline import print_headlines
    from orchestration.refresh import run_refresh

    home = Home.from_env(args.home)
    inbox = home.root / "demo_inbox"
    summary = generate_demo_inbox(inbox)
    print(f"演示省份收件箱：{inbox}（{summary.get('files_written', '?')} 个文件）")
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    outcome = run_refresh(inbox, home, as_of)
    _print_refresh(outcome)
    if outcome.published:
        print_headlines(home.published)
    return 0 if outcome.published else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xuncha", description="巡视巡察数据仓库")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("refresh", help="解析收件箱、构建仓库、检查并发布")
    p.add_argument("--inbox", required=True)
    p.add_argument("--home")
    p.add_argument("--as-of", dest="as_of")
    p.add_argument(
        "--force", action="store_true", help="即使收件箱与上次发布时相同，也重新计算并发布"
    )
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("docs", help="生成数据字典（dbt 文档网站，含中文说明）")
    p.add_argument("--home")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("demo", help="生成演示省份的报送文件并刷新")
    p.add_argument("--home")
    p.add_argument("--as-of", dest="as_of")
    p.set_defaults(func=cmd_demo)

    # Sub-commands owned by other modules register themselves; each module
    # exposes `register(subparsers)` and keeps its imports lazy.
    from importlib import import_module

    for module in ("orchestration.status", "reports.cli", "orchestration.ui", "orchestration.lake"):
        try:
            mod = import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(sub)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
