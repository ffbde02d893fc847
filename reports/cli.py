"""`xuncha report`: the workbook and brief for leaders, from the published warehouse only."""

from __future__ import annotations

import argparse
import sys

from home import Home


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"年度应为四位数字，例如 2024（收到：{text}）")
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "report", help="生成领导用统计表（Excel）和简报（HTML），可选转换为 PDF"
    )
    p.add_argument("--year", type=_year, help="统计年度 YYYY（默认：数据中最近的年度）")
    p.add_argument("--home", help="数据目录（默认：环境变量 XUNCHA_HOME 或 ./var）")
    p.add_argument(
        "--allow-stale",
        dest="allow_stale",
        action="store_true",
        help="最近一次刷新未通过质量检查时，仍用上次发布的数据出表（每页标注）",
    )
    p.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 将统计表转换为 PDF")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from reports.generate import ReportError, StaleDataError, convert_to_pdf, generate_reports

    home = Home.from_env(args.home).root
    try:
        paths = generate_reports(home, args.year, args.allow_stale)
    except StaleDataError as exc:
        print(f"未生成报表：{exc}", file=sys.stderr)
        return 2
    except ReportError as exc:
        print(f"未生成报表：{exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"已生成：{path}")
    if args.pdf:
        try:
            print(f"已生成：{convert_to_pdf(paths[0])}")
        except ReportError as exc:
            print(f"未生成 PDF：{exc}", file=sys.stderr)
            return 1
    return 0
