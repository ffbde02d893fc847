#!/usr/bin/env bash
# Start a throw-away local PostgreSQL and publish xuncha's warehouse into a DuckLake whose
# catalog lives in it (docs/scaling.md, "The warehouse as a lake").
#
#   bench/postgres_ducklake.sh [HOME]
#
# HOME is an XUNCHA_HOME with a published.duckdb (default: $XUNCHA_HOME or ./var; when it
# has none, `xuncha demo` builds one first). The lake's Parquet files go to HOME/lake/.
# PostgreSQL runs from a temporary data directory on a Unix socket only (no TCP port),
# as the `postgres` OS user when started as root, and is stopped again on exit.
#
# The DuckDB extensions come from PyPI packages (the `postgres` extra of pyproject.toml),
# never from DuckDB's extension site. Exit status: 0 published; other: failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${XUNCHA_BIN:-$ROOT/.venv/bin}
HOME_DIR=$(realpath -m "${1:-${XUNCHA_HOME:-$ROOT/var}}")
cd "$ROOT"
export GX_ANALYTICS_ENABLED=False DAGSTER_DISABLE_TELEMETRY=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "installing PostgreSQL (Debian package postgresql) …"
    apt-get install -y -q postgresql >/dev/null
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

PGDATA=$(mktemp -d /tmp/xuncha-pg.XXXXXX)
PGPORT=${PGPORT:-55432}
AS=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PGDATA"
    AS=(runuser -u postgres --)
fi
stop() {
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PGDATA"
}
trap stop EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -A trust -U xuncha -E UTF8 --locale=C >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
    -o "-p $PGPORT -k $PGDATA -c listen_addresses=''" start >/dev/null
"$PGBIN/createdb" -h "$PGDATA" -p "$PGPORT" -U xuncha xuncha_lake
echo "$("$PGBIN/postgres" --version) up on socket $PGDATA port $PGPORT, database xuncha_lake"

if [ ! -f "$HOME_DIR/published.duckdb" ]; then
    echo "no $HOME_DIR/published.duckdb: running xuncha demo first …"
    "$BIN/xuncha" demo --home "$HOME_DIR" >/dev/null
fi

"$BIN/python" -m pip install --quiet -e "$ROOT[postgres]"
mkdir -p "$HOME_DIR/lake"
status=0
"$BIN/xuncha" lake --home "$HOME_DIR" \
    --catalog "ducklake:postgres:dbname=xuncha_lake host=$PGDATA port=$PGPORT user=xuncha" \
    --data-path "$HOME_DIR/lake/" || status=$?
if [ "$status" = 0 ]; then
    echo "DuckLake catalog tables in PostgreSQL:"
    psql -h "$PGDATA" -p "$PGPORT" -U xuncha -d xuncha_lake -Atc \
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ducklake_%' ORDER BY 1" \
        | head -30
    psql -h "$PGDATA" -p "$PGPORT" -U xuncha -d xuncha_lake -Atc \
        "SELECT 'snapshots: ' || count(*) FROM ducklake_snapshot"
fi
exit "$status"
