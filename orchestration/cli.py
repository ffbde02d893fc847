"""The `xuncha` command line: refresh, demo, status, report."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from home import Home
from orchestration.preflight import EXIT_USAGE, UserError, check_home, check_inbox, parse_as_of

MAX_PATHS = 5
EXIT_KEY = 3  # the encryption key is configured but cannot be used (ingest/secrets.py)


def duckdb_command() -> str:
    """The `duckdb` command of this installation (duckdb-cli in the project's venv)."""
    candidate = Path(sys.executable).with_name("duckdb")
    return str(candidate) if candidate.exists() else "duckdb"


def _print_outputs(outcome) -> None:  # type: ignore[no-untyped-def]
    """Where the operator finds what the refresh wrote."""
    published = Home(Path(outcome.home)).published
    print(f"  已发布仓库：{published}")
    print(f"    命令行查询：{duckdb_command()} -readonly {published}")
    outputs = outcome.outputs or {}
    reports = outputs.get("reports") or []
    if reports:
        print("  领导报表：")
        for path in reports:
            print(f"    {path}")
    feedback = outputs.get("feedback") or []
    if feedback:
        print(f"  退回修改清单：{len(feedback)} 个工作簿，位于 {Path(outcome.home) / 'feedback'}")
        for path in feedback[:MAX_PATHS]:
            print(f"    {path}")
        if len(feedback) > MAX_PATHS:
            print(f"    …… 另有 {len(feedback) - MAX_PATHS} 个")
    if outcome.log_file:
        print(f"  详细日志（dbt、Dagster）：{outcome.log_file}")


def _print_refresh(outcome) -> None:  # type: ignore[no-untyped-def]
    """The summary after the stage lines: the counts `xuncha status` shows, and the paths."""
    from orchestration.status import Counts

    if outcome.unchanged:
        print(
            f"收件箱无变化（{outcome.inbox}），截至日期 {outcome.as_of}、模板与程序也与上次发布时相同："
            f"沿用已发布版本，未重新计算（上次发布于 {outcome.finished_at}）。"
        )
        print(f"发布位置：{Path(outcome.home) / 'published.duckdb'}")
        print("如需重新计算，请加 --force。")
        return
    if outcome.published:
        print(f"刷新完成：已发布，数据截至 {outcome.as_of}")
    else:
        print("刷新完成：未发布，上次发布的仓库保持不变。")
    if outcome.counts:
        counts = Counts(**outcome.counts)
        print(f"  {counts.files_line()}")
        print(f"  {counts.rows_line()}")
    for w in outcome.warnings:
        print(f"  提示 {w['rule']} {w['check']}：{w['failing_count']} 项")
    print(f"  工作仓库：{Path(outcome.home) / 'warehouse.duckdb'}")
    _print_outputs(outcome)
    if outcome.published:
        return
    print("未发布：上次发布的仓库保持不变。", file=sys.stderr)  # the why follows on stderr
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
    as_of = parse_as_of(args.as_of)
    check_home(home)
    files = check_inbox(Path(args.inbox))
    print(f"收件箱：{Path(args.inbox).resolve()}（{files} 个文件）；数据目录：{home.root}")
    sys.stdout.flush()
    with _collection_paused():
        with _writer_errors() as failed:
            outcome = run_refresh(Path(args.inbox), home, as_of, force=args.force, wait=args.wait)
            _print_refresh(outcome)
            return 0 if outcome.published else 1
        return failed.code


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No garbage collection while Dagster, dbt and the definitions are imported and built,
    and none of the refresh's heap at interpreter exit.

    Nearly everything imported stays for the whole process: refresh._execute_refresh_job
    freezes it and turns collection back on before the run. After a refresh the process
    holds Dagster's, dbt's and Great Expectations' objects (~900 MB at scale 1), and the
    full collection at interpreter exit walked them all for seconds after the last line
    was printed (py-spy: `gc_collect_main` under `Py_FinalizeEx`); `gc.freeze()` at exit
    (atexit runs before that collection) moves them to the permanent generation, which it
    skips. Files and the DuckDB and SQLite connections are closed by then (with-blocks,
    Dagster's storage at atexit, logging.shutdown). An in-process caller (a test calling
    `main`) gets collection back as it was, also when the refresh stopped early.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    atexit.unregister(gc.freeze)  # once, however many refreshes this process runs
    atexit.register(gc.freeze)
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Failed:
    code = 1


@contextlib.contextmanager
def _writer_errors() -> Iterator[_Failed]:
    """A busy home or an unusable key is the operator's to fix: a Chinese message and
    its own exit code (lock.EXIT_BUSY for a busy home), never a traceback."""
    from ingest.secrets import KeyUnavailable
    from orchestration.lock import EXIT_BUSY, WriterBusy

    failed = _Failed()
    try:
        yield failed
    except WriterBusy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        failed.code = EXIT_BUSY
    except KeyUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        failed.code = EXIT_KEY


def add_wait(p: argparse.ArgumentParser) -> None:
    """`--wait SECONDS` for every command that writes the home (orchestration/lock.py)."""
    p.add_argument(
        "--wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="数据目录正被另一写入进程占用时最多等待的秒数（默认取 XUNCHA_LOCK_WAIT，否则 300）",
    )


def cmd_docs(args: argparse.Namespace) -> int:
    from orchestration.docs import generate_docs, serve_docs
    from orchestration.lock import writer_lock

    home = Home.from_env(args.home)
    generated = False
    with _writer_errors() as failed:
        with writer_lock(home.root, "xuncha docs", args.wait):
            try:
                index = generate_docs(home)
            except RuntimeError as exc:
                print(f"错误：{exc}", file=sys.stderr)
                return 1
        generated = True
        print(f"数据字典（dbt 文档）已生成：{index}")
        print(f"单文件版（可直接用浏览器打开）：{index.with_name('static_index.html')}")
        if not args.serve:
            print(f"或启动本地网站：xuncha docs --serve --home {home.root}")
    if not generated:
        return failed.code
    # served after the lock is released: a refresh may run while someone reads the docs
    return serve_docs(home, args.port) if args.serve else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from demo import generate_demo_inbox
    from orchestration.headline import print_headlines
    from orchestration.lock import writer_lock
    from orchestration.refresh import run_refresh

    home = Home.from_env(args.home)
    inbox = home.root / "demo_inbox"
    as_of = parse_as_of(args.as_of)
    check_home(home)
    with _writer_errors() as failed, writer_lock(home.root, "xuncha demo", args.wait):
        summary = generate_demo_inbox(inbox)
        print(f"演示省份收件箱：{inbox}（{summary.get('files_written', '?')} 个文件）")
        sys.stdout.flush()
        outcome = run_refresh(inbox, home, as_of, command="xuncha demo")
        _print_refresh(outcome)
        if outcome.published:
            print_headlines(home.published)
        return 0 if outcome.published else 1
    return failed.code


def cmd_publications(args: argparse.Namespace) -> int:
    """List the kept publications, newest first; a reader: takes no lock."""
    from orchestration import publications

    home = Home.from_env(args.home)
    kept = publications.history(home.root)
    if not kept:
        print(f"数据目录 {home.root} 还没有保存的发布版本。")
        return 0
    current = publications.current_id(home.root)
    print(f"已保存的发布版本（最新在前，保留最近 {publications.keep_count()} 个）：")
    print(
        "  编号                      数据截至    发布时间             刷新编号  输入指纹      行数"
    )
    for pub in kept:
        mark = "*" if pub.publication_id == current else " "
        rows = sum(n for t, n in pub.row_counts.items() if t.startswith(("fct_", "rpt_", "dim_")))
        print(
            f"{mark} {pub.publication_id:<25} {pub.as_of:<11} {pub.published_at:<20} "
            f"{pub.refresh_id[:8]:<9} {pub.input_fingerprint[:12]:<13} {rows}"
        )
    print("* = 当前发布版本（published.duckdb）。恢复旧版本：xuncha rollback 编号")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Put a kept publication back, under the writer lock, and show the row counts change."""
    from orchestration import publications
    from orchestration.lock import writer_lock

    home = Home.from_env(args.home)
    with _writer_errors() as failed:
        with writer_lock(home.root, f"xuncha rollback {args.id}", args.wait):
            try:
                pub, before = publications.rollback(home.root, args.id)
            except publications.PublicationError as exc:
                print(f"错误：{exc}", file=sys.stderr)
                return 1
        print(
            f"已恢复发布版本 {pub.publication_id}（数据截至 {pub.as_of}，发布于 {pub.published_at}，"
            f"刷新编号 {pub.refresh_id}）为当前发布版本：{home.published}"
        )
        after = publications.row_counts(home.published)
        print(f"  {'表':<34}{'恢复前':>10}{'恢复后':>10}")
        for table in sorted(set(before) | set(after)):
            old, new = before.get(table), after.get(table)
            if old != new or args.all:
                print(
                    f"  {table:<36}{'-' if old is None else old:>10}{'-' if new is None else new:>10}"
                )
        if all(before.get(t) == after.get(t) for t in set(before) | set(after)):
            print("  各表行数与恢复前相同。")
        print("下次刷新会重新计算并发布（若收件箱问题未改正，会再次发布同样的数据）。")
        return 0
    return failed.code


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
    add_wait(p)
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("docs", help="生成数据字典（dbt 文档网站，含中文说明）")
    p.add_argument("--home")
    p.add_argument("--serve", action="store_true", help="生成后在本机启动网站（Ctrl+C 退出）")
    p.add_argument("--port", type=int, default=8080, help="--serve 的端口（默认 8080）")
    add_wait(p)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("demo", help="生成演示省份的报送文件并刷新")
    p.add_argument("--home")
    p.add_argument("--as-of", dest="as_of")
    add_wait(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("publications", help="列出保存的发布版本（数据截至日期、刷新编号、行数）")
    p.add_argument("--home")
    p.set_defaults(func=cmd_publications)

    p = sub.add_parser("rollback", help="把某个保存的发布版本恢复为当前发布版本")
    p.add_argument("id", help="发布编号（见 xuncha publications）")
    p.add_argument("--home")
    p.add_argument("--all", action="store_true", help="列出所有表的行数，不只是有变化的")
    add_wait(p)
    p.set_defaults(func=cmd_rollback)

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

    parser.add_argument(
        "--debug", action="store_true", help="出错时显示 Python 调用栈（供开发人员排查）"
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    args = parser.parse_args([a for a in argv if a != "--debug"])
    try:
        return int(args.func(args))
    except UserError as exc:
        if debug:
            raise
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
