# shellcheck shell=bash
# bench_log.sh: what khabar's statements were while a command ran, from PostgreSQL's log
# (sourced by the bench scripts; needs DATABASE_URL and psql).

# log_while LOG OUT COMMAND...: the records PostgreSQL wrote to LOG while COMMAND ran, with
# every statement logged (log_min_duration_statement = 0) under its application's name
# (log_line_prefix '%a|', as scripts/pgbench_of_log.py reads them), in OUT; the settings
# are reset afterwards, whether COMMAND succeeded or not. Returns COMMAND's status.
log_while() {
    local log=$1 out=$2 mark rc=0
    shift 2
    bench_log_settings "SET log_min_duration_statement = 0" "SET log_line_prefix = '%a|'"
    mark=$(wc -c <"$log")
    "$@" || rc=$?
    sleep 0.5 # (a record is written once its statement ends; the last may still be on its way)
    bench_log_settings "RESET log_min_duration_statement" "RESET log_line_prefix"
    tail -c +$((mark + 1)) "$log" >"$out"
    return "$rc"
}

# bench_log_settings CHANGE...: each ALTER SYSTEM change, then the configuration reloaded
# and given a moment to reach every backend.
bench_log_settings() {
    local change
    for change in "$@"; do
        psql "$DATABASE_URL" -X -q -c "ALTER SYSTEM $change" >/dev/null
    done
    psql "$DATABASE_URL" -X -q -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
}
