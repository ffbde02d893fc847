"""`xuncha docs`: the dbt documentation site (data dictionary) of one home.

`dbt docs generate` writes `index.html`, `manifest.json` and `catalog.json` to
HOME/docs, plus `static_index.html` with both embedded, which opens straight from
disk. Descriptions are the models' Chinese ones (dbt_project/models/**.yml). The
catalog (column types) is read from the home's work warehouse, opened read-only
through the profile's `docs` target, so the warehouse file is not modified; with
no warehouse yet it comes from an empty database and lists no tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from home import Home


def generate_docs(home: Home) -> Path:
    """Generate the site into HOME/docs and return the path of its index.html."""
    from orchestration.dbt_launcher import dbt_executable, die_with_parent
    from orchestration.dbt_manifest import DBT_PROJECT_DIR

    home.docs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xuncha-docs-") as scratch:
        if home.warehouse.exists():
            warehouse, target = home.warehouse, "docs"
        else:
            # No refresh yet: an empty database (READ_ONLY cannot create one).
            warehouse, target = Path(scratch) / "empty.duckdb", "work"
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        result = subprocess.run(
            [
                dbt_executable(),
                "docs",
                "generate",
                "--static",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target",
                target,
                "--target-path",
                str(home.docs),
                "--log-path",
                str(home.docs),
                "--vars",
                json.dumps({"warehouse": str(warehouse)}),
            ],
            env=env,
            cwd=DBT_PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
        )
    index = home.docs / "index.html"
    if result.returncode != 0 or not index.exists():
        tail = (result.stdout + result.stderr).strip()[-2000:]
        raise RuntimeError(f"dbt docs generate 失败（工作仓库可能正被刷新占用）：\n{tail}")
    return index


def serve_docs(home: Home, port: int) -> int:
    """Serve HOME/docs on 127.0.0.1:`port` until Ctrl+C (no dbt, no activated venv needed)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # one line per request would bury the address printed below

    handler = functools.partial(QuietHandler, directory=str(home.docs))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        print(f"错误：无法在端口 {port} 启动网站（{exc.strerror}）：请用 --port 换一个端口。")
        return 1
    print(f"数据字典网站：http://127.0.0.1:{server.server_address[1]}/（Ctrl+C 退出）", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("已停止数据字典网站。")
    finally:
        server.server_close()
    return 0


__all__ = ["generate_docs", "serve_docs"]
