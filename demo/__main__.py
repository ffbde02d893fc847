"""`python -m demo TARGET [--seed N] [--scale X]`: write the demo province's inbox only
(`xuncha demo` writes it into the home and refreshes it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from demo.generate import generate_demo_inbox


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m demo", description="生成演示省份的报送文件")
    p.add_argument("target", type=Path, help="写入的收件目录")
    p.add_argument("--seed", type=int, default=7, help="随机种子（同一种子生成相同文件）")
    p.add_argument("--scale", type=float, default=1.0, help="规模（1：三年数百次巡察）")
    args = p.parse_args(argv)
    summary = generate_demo_inbox(args.target, seed=args.seed, scale=args.scale)
    print(
        f"已生成 {summary['files_written']} 个文件，{summary['inspections']} 次巡察：{args.target}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
