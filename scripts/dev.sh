#!/usr/bin/env bash
# Development environment for customer_credit: Python venv, Odoo source, PostgreSQL, odoo.conf.
# Usage: scripts/dev.sh setup|run|test|stop|bench|load|replica|shell|screenshots|env
# Every step is idempotent: a second run reinstalls nothing that did not change.
#   WORKERS=4 scripts/dev.sh run    prefork (--workers=4 --max-cron-threads=2)
#   REPLICA=1 scripts/dev.sh run    read-only routes on a streaming replica (.local/pgreplica)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
ODOO_SRC="${ODOO_SRC:-$HOME/.cache/customer-credit/odoo-18.0}"
ODOO_URL="https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"
PGPORT_LOCAL="${CC_PGPORT:-5439}"
PGDATA_LOCAL="$LOCAL/pgdata"
PGRUN_LOCAL="$LOCAL/run"
# The streaming replica of the project cluster (REPLICA=1): its own data and socket directory.
REPLICA_PORT_LOCAL="${CC_REPLICA_PORT:-$((PGPORT_LOCAL + 1))}"
REPLICA_DATA_LOCAL="$LOCAL/pgreplica"
REPLICA_RUN_LOCAL="$LOCAL/run-replica"
DB_ROLE=odoo
DEMO_DB="${DEMO_DB:-credit_demo}"
CONF="${ODOO_CONF:-$LOCAL/odoo.conf}"
HTTP_PORT="${HTTP_PORT:-8069}"

say() { printf '[customer_credit] %s\n' "$*" >&2; }
die() { printf '[customer_credit] ERROR: %s\n' "$*" >&2; exit 1; }

ensure_venv() {
    local stamp="$VENV/.requirements.sha"
    local want
    want=$(cat "$ROOT/requirements.txt" | sha256sum | cut -d' ' -f1)
    if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "installing Python dependencies into .venv (requirements.txt changed or venv missing)"
    [ -x "$PY" ] || python3 -m venv "$VENV"
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip wheel setuptools
    "$PY" -m pip install -q --disable-pip-version-check --prefer-binary -r "$ROOT/requirements.txt"
    echo "$want" > "$stamp"
}

ensure_venv_oca() {
    # OCA modules for the coexistence test: --no-deps, their only requirement is odoo itself.
    local stamp="$VENV/.requirements-oca.sha"
    local want
    want=$(sha256sum < "$ROOT/requirements-oca.txt" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "installing the OCA modules of requirements-oca.txt into .venv (--no-deps)"
    "$PY" -m pip install -q --disable-pip-version-check --no-deps -r "$ROOT/requirements-oca.txt"
    echo "$want" > "$stamp"
}

ensure_odoo() {
    if [ -f "$ODOO_SRC/odoo-bin" ] && [ -d "$ODOO_SRC/addons/sale_management" ]; then
        return 0
    fi
    say "no Odoo 18 source at $ODOO_SRC; trying to download the official 18.0 branch"
    mkdir -p "$ODOO_SRC.part"
    if command -v curl >/dev/null && curl -fsSL --max-time 900 "$ODOO_URL" | tar -xz --strip-components=1 -C "$ODOO_SRC.part" 2>/dev/null \
        && [ -f "$ODOO_SRC.part/odoo-bin" ]; then
        rm -rf "$ODOO_SRC" && mv "$ODOO_SRC.part" "$ODOO_SRC"
        return 0
    fi
    rm -rf "$ODOO_SRC.part"
    die "Odoo 18.0 source not found. Put an Odoo 18.0 Community source tree (the directory holding odoo-bin, odoo/ and addons/) at $ODOO_SRC, or point ODOO_SRC at one."
}

pg_external_ok() {
    # The standard PG* variables name a server that answers.
    [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ] || return 1
    command -v pg_isready >/dev/null || return 1
    pg_isready -q -t 3 >/dev/null 2>&1
}

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
    dirname "$(command -v initdb)"
}

as_pg_owner() {
    # initdb and postgres refuse to run as root: run them as the 'postgres' system user then.
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_local_pg() {
    local bin
    bin=$(pg_bin)
    mkdir -p "$LOCAL"
    if [ ! -f "$PGDATA_LOCAL/PG_VERSION" ]; then
        say "creating a project-local PostgreSQL cluster in .local/pgdata"
        mkdir -p "$PGDATA_LOCAL" "$PGRUN_LOCAL"
        [ "$(id -u)" = 0 ] && chown postgres: "$PGDATA_LOCAL" "$PGRUN_LOCAL"
        chmod 700 "$PGDATA_LOCAL"
        as_pg_owner "$bin/initdb" -D "$PGDATA_LOCAL" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >> "$PGDATA_LOCAL/postgresql.conf" <<EOF
listen_addresses = ''
port = $PGPORT_LOCAL
unix_socket_directories = '$PGRUN_LOCAL'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
max_connections = 200
EOF
    fi
    mkdir -p "$PGRUN_LOCAL"
    [ "$(id -u)" = 0 ] && chown postgres: "$PGRUN_LOCAL"
    if ! "$bin/pg_isready" -q -h "$PGRUN_LOCAL" -p $PGPORT_LOCAL >/dev/null 2>&1; then
        if as_pg_owner "$bin/pg_ctl" -D "$PGDATA_LOCAL" status >/dev/null 2>&1; then
            # Running but not answering on its socket (the socket file was removed): restart.
            say "restarting PostgreSQL (.local/pgdata): its socket is gone"
            as_pg_owner "$bin/pg_ctl" -D "$PGDATA_LOCAL" -l "$PGDATA_LOCAL/server.log" -w -t 60 -m fast restart >/dev/null
        else
            say "starting PostgreSQL (.local/pgdata, socket in .local/run)"
            as_pg_owner "$bin/pg_ctl" -D "$PGDATA_LOCAL" -l "$PGDATA_LOCAL/server.log" -w -t 60 start >/dev/null
        fi
    fi
    if ! psql -h "$PGRUN_LOCAL" -p $PGPORT_LOCAL -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_ROLE'" | grep -q 1; then
        psql -q -h "$PGRUN_LOCAL" -p $PGPORT_LOCAL -U postgres -d postgres -c "CREATE ROLE $DB_ROLE LOGIN SUPERUSER"
    fi
    if [ "$(id -u)" = 0 ] && ! psql -h "$PGRUN_LOCAL" -p $PGPORT_LOCAL -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='root'" | grep -q 1; then
        psql -q -h "$PGRUN_LOCAL" -p $PGPORT_LOCAL -U postgres -d postgres -c "CREATE ROLE root LOGIN SUPERUSER"
    fi
    export PGHOST="$PGRUN_LOCAL" PGPORT=$PGPORT_LOCAL PGUSER=$DB_ROLE
    unset PGPASSWORD
}

primary_replication_ready() {
    # primary_replication_ready HOST PORT: wal_level, WAL senders and a 'local replication'
    # pg_hba line: what pg_basebackup and a streaming standby need from the primary
    # (PostgreSQL 15 defaults have the first two).
    local q="SELECT current_setting('wal_level') IN ('replica', 'logical')
                AND current_setting('max_wal_senders')::int > 0
                AND EXISTS (SELECT 1 FROM pg_hba_file_rules
                             WHERE type = 'local' AND 'replication' = ANY(database))"
    [ "$(psql -h "$1" -p "$2" -U postgres -d postgres -tAc "$q")" = t ]
}

ensure_replica() {
    # ensure_replica HOST PORT: a streaming replica (pg_basebackup -R) of the cluster whose
    # socket directory is HOST, in this checkout's .local/pgreplica, socket in
    # .local/run-replica, port CC_REPLICA_PORT (default: the primary's + 1). The socket
    # directory is this checkout's, so the same port in another checkout does not clash;
    # it listens on no TCP address.
    local bin primary_host=$1 primary_port=$2
    bin=$(pg_bin)
    if ! primary_replication_ready "$primary_host" "$primary_port"; then
        # Only the project-local cluster is ours to reconfigure and restart.
        [ "$primary_host" = "$PGRUN_LOCAL" ] \
            || die "the PostgreSQL server in $primary_host (port $primary_port) does not accept streaming replication (wal_level = replica, max_wal_senders > 0, a 'local replication' line in pg_hba.conf): ask its owner, or set DB_REPLICA_HOST (and DB_REPLICA_PORT) to an existing replica"
        say "enabling streaming replication on the project cluster (restarts it)"
        printf 'wal_level = replica\nmax_wal_senders = 10\n' >> "$PGDATA_LOCAL/postgresql.conf"
        echo "local replication all trust" >> "$PGDATA_LOCAL/pg_hba.conf"
        as_pg_owner "$bin/pg_ctl" -D "$PGDATA_LOCAL" -l "$PGDATA_LOCAL/server.log" -w -t 60 -m fast restart >/dev/null
    fi
    if [ ! -f "$REPLICA_DATA_LOCAL/PG_VERSION" ]; then
        say "creating the streaming replica in .local/pgreplica (pg_basebackup -R)"
        rm -rf "$REPLICA_DATA_LOCAL"
        mkdir -p "$REPLICA_DATA_LOCAL" "$REPLICA_RUN_LOCAL"
        [ "$(id -u)" = 0 ] && chown postgres: "$REPLICA_DATA_LOCAL" "$REPLICA_RUN_LOCAL"
        chmod 700 "$REPLICA_DATA_LOCAL"
        as_pg_owner "$bin/pg_basebackup" -h "$primary_host" -p "$primary_port" -U postgres \
            -D "$REPLICA_DATA_LOCAL" -R -X stream -c fast
        # The copied postgresql.conf names the primary's port and socket: the last line wins.
        printf "port = %s\nunix_socket_directories = '%s'\nlisten_addresses = ''\nhot_standby = on\n" \
            "$REPLICA_PORT_LOCAL" "$REPLICA_RUN_LOCAL" >> "$REPLICA_DATA_LOCAL/postgresql.conf"
    fi
    mkdir -p "$REPLICA_RUN_LOCAL"
    [ "$(id -u)" = 0 ] && chown postgres: "$REPLICA_RUN_LOCAL"
    if ! "$bin/pg_isready" -q -h "$REPLICA_RUN_LOCAL" -p "$REPLICA_PORT_LOCAL" >/dev/null 2>&1; then
        say "starting the replica (.local/pgreplica, socket in .local/run-replica)"
        as_pg_owner "$bin/pg_ctl" -D "$REPLICA_DATA_LOCAL" -l "$REPLICA_DATA_LOCAL/server.log" -w -t 60 start >/dev/null
    fi
    [ "$(psql -h "$REPLICA_RUN_LOCAL" -p "$REPLICA_PORT_LOCAL" -U postgres -d postgres -tAc 'SELECT pg_is_in_recovery()')" = t ] \
        || die "the server in .local/pgreplica is not a standby (pg_is_in_recovery() is false)"
}

replica_args() {
    # Odoo's options for read-only routes on a replica: DB_REPLICA_HOST/DB_REPLICA_PORT name
    # an existing one; otherwise the cluster of PG* (a socket directory on this machine:
    # the project cluster, or the one a worktree shares) gets a replica in this checkout.
    if [ -n "${DB_REPLICA_HOST:-}" ]; then
        echo "--db_replica_host=$DB_REPLICA_HOST --db_replica_port=${DB_REPLICA_PORT:-5432}"
    elif [ -d "${PGHOST:-}" ]; then
        ensure_replica "$PGHOST" "${PGPORT:-5432}"
        echo "--db_replica_host=$REPLICA_RUN_LOCAL --db_replica_port=$REPLICA_PORT_LOCAL"
    else
        die "REPLICA=1 makes a streaming replica of a cluster on this machine (PGHOST a socket directory), but PG* name a remote server: set DB_REPLICA_HOST (and DB_REPLICA_PORT) to its replica"
    fi
}

ensure_pg() {
    if pg_external_ok; then
        say "using the PostgreSQL server named by PG* variables"
        return 0
    fi
    ensure_local_pg
}

write_conf() {
    mkdir -p "$LOCAL/addons" "$LOCAL/filestore"
    # The repository root is the addon: expose it under its technical name, as a directory
    # of links to its visible entries, so that Odoo's file scans never enter .venv or .local.
    local addon="$LOCAL/addons/customer_credit" entry
    [ -L "$addon" ] && rm -f "$addon"
    mkdir -p "$addon"
    find "$addon" -maxdepth 1 -type l -delete
    for entry in "$ROOT"/*; do
        ln -s "$entry" "$addon/"
    done
    cat > "$CONF.tmp" <<EOF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$LOCAL/addons
data_dir = $LOCAL/filestore
db_host = ${PGHOST:-}
db_port = ${PGPORT:-5432}
db_user = ${PGUSER:-$DB_ROLE}
db_password = ${PGPASSWORD:-False}
admin_passwd = admin
list_db = True
http_interface = 127.0.0.1
EOF
    mv "$CONF.tmp" "$CONF"
}

setup() {
    ensure_odoo
    ensure_venv
    ensure_venv_oca
    ensure_pg
    write_conf
}

# Odoo's command line, started as odoo-bin does (TZ=UTC, the source first on sys.path) but
# without running odoo-bin: a copy of the 18.0 source has its body twice, so a command that
# returns (the shell) ran a second time and stopped with KeyError: 'load_language'.
# sys.argv[0] names odoo-bin itself: prefork starts the websocket (gevent) process with it.
ODOO_MAIN='import os, sys; os.environ["TZ"] = "UTC"; sys.path[0] = sys.argv.pop(1); sys.argv[0] = os.path.join(sys.path[0], "odoo-bin"); import odoo; odoo.cli.main()'

odoo_cli() {
    "$PY" -c "$ODOO_MAIN" "$ODOO_SRC" "$@"
}

odoo() {
    odoo_cli -c "$CONF" "$@"
}

db_exists() {
    psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1
}

ensure_demo_db() {
    if ! db_exists "$DEMO_DB" || ! psql -d "$DEMO_DB" -tAc "SELECT 1 FROM ir_module_module WHERE name='customer_credit' AND state='installed'" 2>/dev/null | grep -q 1; then
        say "creating demo database $DEMO_DB (first run only)"
        odoo -d "$DEMO_DB" -i customer_credit --stop-after-init --log-level=warn
    fi
}

cmd_run() {
    setup
    ensure_demo_db
    local extra=()
    if [ "${WORKERS:-0}" != 0 ]; then
        # prefork: HTTP workers, two cron processes, the websocket (gevent) process
        extra+=(--workers="$WORKERS" --max-cron-threads=2 --gevent-port="${GEVENT_PORT:-8072}")
    fi
    if [ "${REPLICA:-0}" != 0 ]; then
        local replica
        replica=$(replica_args)
        # shellcheck disable=SC2206 # two options, no spaces inside
        extra+=($replica)
        say "read-only routes use the replica: $replica"
    fi
    say "serving http://localhost:$HTTP_PORT (database $DEMO_DB, login admin / admin)"
    exec "$PY" -c "$ODOO_MAIN" "$ODOO_SRC" -c "$CONF" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" \
        --http-port="$HTTP_PORT" "${extra[@]}" "$@"
}

run_tests() {
    # run_tests DB MODULES TAGS LOG: install MODULES into a fresh database with their tests.
    local db=$1 modules=$2 tags=$3 log=$4 rc
    set +e
    odoo -d "$db" -i "$modules" --test-enable --test-tags "$tags" \
        --stop-after-init --log-level=test --http-port="${TEST_HTTP_PORT:-8169}" 2>&1 | tee "$log" | grep -E --line-buffered \
        "(ERROR|FAIL|Starting|tests when loading|skipped|WARNING odoo\.tests)" >&2
    rc=${PIPESTATUS[0]}
    set -e
    [ -n "${KEEP_DB:-}" ] || dropdb --if-exists "$db" >/dev/null 2>&1 || true
    return "$rc"
}

cmd_test() {
    setup
    local db="cc_test_$$_$(date +%s)"
    local log="$LOCAL/test.log" oca_log="$LOCAL/test-oca.log"
    local tags="${TEST_TAGS:-/customer_credit,-oca_coexistence}"
    local rc=0 oca_rc=0
    say "running the customer_credit test suite in a fresh database $db (log: .local/test.log)"
    run_tests "$db" customer_credit "$tags" "$log" || rc=$?
    if [ -n "${TEST_TAGS:-}" ]; then
        "$PY" "$ROOT/scripts/test_summary.py" "$log" "$rc"
        return
    fi
    # Second fresh database: customer_credit beside OCA's credit risk modules (issue 10).
    say "running the OCA coexistence tests in a fresh database ${db}_oca (log: .local/test-oca.log)"
    run_tests "${db}_oca" customer_credit,account_financial_risk,sale_financial_risk \
        "oca_coexistence/customer_credit" "$oca_log" || oca_rc=$?
    "$PY" "$ROOT/scripts/test_summary.py" "$log" "$rc" "$oca_log" "$oca_rc"
}

cmd_stop() {
    if [ -f "$REPLICA_DATA_LOCAL/postmaster.pid" ]; then
        as_pg_owner "$(pg_bin)/pg_ctl" -D "$REPLICA_DATA_LOCAL" -m fast stop >/dev/null && say "replica stopped"
    fi
    if [ -f "$PGDATA_LOCAL/postmaster.pid" ]; then
        as_pg_owner "$(pg_bin)/pg_ctl" -D "$PGDATA_LOCAL" -m fast stop >/dev/null && say "PostgreSQL stopped"
    else
        say "no project-local PostgreSQL is running"
    fi
}

cmd_bench() {
    setup
    "$PY" "$ROOT/scripts/bench.py" --odoo-src "$ODOO_SRC" --conf "$CONF" "$@"
}

cmd_screenshots() {
    # The README's pictures (docs/img/) from the demo database, in headless Chromium;
    # a server of its own on port 8170 for the time of the shots.
    setup
    ensure_demo_db
    "$PY" "$ROOT/scripts/screenshots.py" --conf "$CONF" --db "$DEMO_DB" --port "${SHOTS_PORT:-8170}" \
        --odoo-src "$ODOO_SRC" "$@"
}

cmd_load() {
    # scripts/load.py: concurrent JSON-RPC clients against a prefork Odoo (see its --help).
    setup
    local extra=()
    if [ "${REPLICA:-0}" != 0 ]; then
        local replica
        replica=$(replica_args)
        # shellcheck disable=SC2206
        extra+=($replica)
    fi
    "$PY" "$ROOT/scripts/load.py" --odoo-src "$ODOO_SRC" --conf "$CONF" "${extra[@]}" "$@"
}

cmd_shell() {
    # Odoo shell on the demo database (DB=name for another); reads a script on stdin:
    #   echo 'print(env.user.name)' | make shell
    setup
    [ -n "${DB:-}" ] || ensure_demo_db
    odoo_cli shell -c "$CONF" -d "${DB:-$DEMO_DB}" --log-level=warn "$@"
}

case "${1:-}" in
    setup) setup ;;
    run) shift; cmd_run "$@" ;;
    test) shift; cmd_test "$@" ;;
    stop) cmd_stop ;;
    bench) shift; cmd_bench "$@" ;;
    load) shift; cmd_load "$@" ;;
    replica) setup; replica_args ;;
    shell) shift; cmd_shell "$@" ;;
    screenshots) shift; cmd_screenshots "$@" ;;
    env) setup; echo "export PGHOST='$PGHOST' PGPORT='$PGPORT' PGUSER='$PGUSER'" ;;
    *) echo "usage: $0 setup|run|test|stop|bench|load|replica|shell|screenshots|env" >&2; exit 2 ;;
esac
