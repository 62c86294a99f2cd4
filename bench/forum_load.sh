#!/usr/bin/env bash
# forum_load.sh -- Tandem's forum pages under load, as a logged-in member, at the benchmark's data
# size, on SQLite or PostgreSQL. Tandem alone (bench/forum_vs_peer.sh sets it beside the peer).
#
#   bench/forum_load.sh                                            # SQLite, /tmp/tandem-bench.sqlite3
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench_load bench/forum_load.sh
#
# Needs: wrk (Debian package `wrk`, installed with apt-get when missing, as the peer script does),
#   Tandem's venv (.venv, with granian), and for PostgreSQL a server that DATABASE_URL reaches.
# What it does:
#   1. bench/forum_data.py fills the database (TANDEM_ENV=dev; does nothing when the data are
#      there, SEED=0 skips it, RESET=1 regenerates);
#   2. serves Tandem as bench/forum_vs_peer.sh does: granian WSGI, WORKERS workers, 127.0.0.1,
#      TANDEM_ENV=prod (DEBUG off, manifest static files, database cache) with throwaway
#      secrets, SECURE_SSL_REDIRECT=0, plain HTTP;
#   3. logs the benchmark user (user00001) in through allauth's login form (bench/forum_probe.py
#      login) and checks each page answers 200, logged in, with what it should show;
#   4. per page: wrk -c1 -dSEQ_DURATION, one request at a time: the latency a person sees when
#      the server is not saturated (p50/p95/p99, p95 from bench/wrk_percentiles.lua); then a
#      WARMUP run (discarded) and wrk -cCONNECTIONS -dDURATION --latency: throughput and
#      p50/p95/p99 under saturation (with a closed loop of 32 connections the mean latency is
#      about 32 / req/s). Before each page the load average (/proc/loadavg) is recorded and the
#      server is given up to DRAIN_MAX to finish the requests the previous page left queued
#      (it answers /healthz in under a second again). The sanity check's request time is kept
#      too: when a page takes longer than WRK_TIMEOUT, wrk finishes no request at all.
# Pages: the topic list (a category page: 30 topics a page), a topic of 20 posts (the peer's page
#   size; the generator's first topic), the community page (its categories with topic and unread
#   counts and the 10 latest topics), search for SEARCH_QUERY (words that match many posts).
#
# Knobs (environment, defaults in brackets):
#   DATABASE_URL [sqlite:////tmp/tandem-bench.sqlite3]  SQLite file or PostgreSQL database
#   USERS [5000] TOPICS [2000] CATEGORIES [10] POSTS [100000] TEXT_MEAN [400]  data size
#   SEED [1] RESET [0]    1 = run forum_data.py first / 1 = regenerate (drops the bench database)
#   PORT [8097] WORKERS [2] GRANIAN_EXTRA [] (extra granian options)
#   DURATION [15s] CONNECTIONS [32] WRK_THREADS [1] WARMUP [3s] WRK_TIMEOUT [10s] SEQ_DURATION [20s]
#   DRAIN_MAX [120] (seconds)
#   SEARCH_QUERY [panic attack]
#   WORKDIR [${TMPDIR:-/tmp}/tandem-forum-load]  static files and results
# Results: WORKDIR/logs/DB-DATE/ (table.md, versions.txt, raw wrk output, granian.log); the
# table is printed at the end. Only 127.0.0.1 is used; every load run is bounded by wrk -d; only
# the server started here is stopped, by its PID.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TPY=$ROOT/.venv/bin/python
LUA=$HERE/wrk_percentiles.lua

DATABASE_URL=${DATABASE_URL:-sqlite:////tmp/tandem-bench.sqlite3}
USERS=${USERS:-5000}; TOPICS=${TOPICS:-2000}; CATEGORIES=${CATEGORIES:-10}
POSTS=${POSTS:-100000}; TEXT_MEAN=${TEXT_MEAN:-400}
SEED=${SEED:-1}; RESET=${RESET:-0}
PORT=${PORT:-8097}; WORKERS=${WORKERS:-2}; GRANIAN_EXTRA=${GRANIAN_EXTRA:-}
DURATION=${DURATION:-15s}; CONNECTIONS=${CONNECTIONS:-32}; WRK_THREADS=${WRK_THREADS:-1}
WARMUP=${WARMUP:-3s}; WRK_TIMEOUT=${WRK_TIMEOUT:-10s}; SEQ_DURATION=${SEQ_DURATION:-20s}
DRAIN_MAX=${DRAIN_MAX:-120}
SEARCH_QUERY=${SEARCH_QUERY:-panic attack}
WORKDIR=${WORKDIR:-${TMPDIR:-/tmp}/tandem-forum-load}

case $DATABASE_URL in
  sqlite:*) DB_KIND=sqlite ;;
  postgres:*|postgresql:*) DB_KIND=postgresql ;;
  *) echo "DATABASE_URL must be sqlite:///... or postgres://..." >&2; exit 2 ;;
esac
OUT=$WORKDIR/logs/$DB_KIND-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
ensure_wrk
[[ -x $TPY ]] || die "Tandem's venv is missing ($TPY)"
if ss -ltn "sport = :$PORT" | grep -q LISTEN; then die "port $PORT is already in use"; fi

TANDEM_PID=""
trap 'stop_pid "$TANDEM_PID"' EXIT

# ---------------------------------------------------------------- 1. data
if [[ $SEED == 1 ]]; then
  log "data: bench/forum_data.py (kept between runs; RESET=1 regenerates)"
  reset_flag=(); [[ $RESET == 1 ]] && reset_flag=(--reset)
  DATABASE_URL=$DATABASE_URL TANDEM_ENV=dev "$TPY" "$HERE/forum_data.py" --users "$USERS" \
    --topics "$TOPICS" --categories "$CATEGORIES" --posts "$POSTS" --text-mean "$TEXT_MEAN" \
    "${reset_flag[@]}" 2>&1 | tee "$OUT/seed.txt" >&2
  grep -q '^TANDEM_SEED' "$OUT/seed.txt" || die "forum_data.py failed"
fi

# ---------------------------------------------------------------- 2. Tandem as in production
tandem_prod_env "$WORKDIR/static"
"$TPY" "$HERE/forum_probe.py" pages "$OUT" >&2

log "tandem: granian WSGI ($WORKERS workers) on 127.0.0.1:$PORT"
# shellcheck disable=SC2086 # GRANIAN_EXTRA is a list of options
( cd "$ROOT" && exec "$TPY" -m granian --interface wsgi --workers "$WORKERS" --host 127.0.0.1 \
    --port "$PORT" --blocking-threads 1 --respawn-failed-workers $GRANIAN_EXTRA tandem.wsgi:application >"$OUT/granian.log" 2>&1 ) &
TANDEM_PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true) == 200 ]] && break
  kill -0 "$TANDEM_PID" 2>/dev/null || die "Tandem stopped (see $OUT/granian.log)"
  sleep 0.5
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true) == 200 ]] || die "Tandem did not answer"

# ---------------------------------------------------------------- 3. session and sanity
"$TPY" "$HERE/forum_probe.py" login "$OUT" "$BASE" >&2
SESSION=$(cat "$OUT/tandem-session.txt")
declare -A PATHS=()
while IFS=$'\t' read -r name path; do PATHS[$name]=$path; done <"$OUT/tandem-pages.tsv"
PATHS[search]="/communities/search/?q=$("$TPY" -c 'import sys, urllib.parse; print(urllib.parse.quote_plus(sys.argv[1]))' "$SEARCH_QUERY")"
PAGES=(category topic-20 community search)
declare -A FIRST=()
for name in "${PAGES[@]}"; do
  read -r code seconds < <(curl -s -o "$OUT/page-$name.html" -w '%{http_code} %{time_total}\n' -H "Cookie: $SESSION" "$BASE${PATHS[$name]}")
  [[ $code == 200 ]] && grep -q 'action="/accounts/logout/"' "$OUT/page-$name.html" || die "$name: $code or not logged in"
  FIRST[$name]=$(awk -v s="$seconds" 'BEGIN{printf "%.0f", s*1000}')
done
n_posts=$(grep -o 'id="post-[0-9]*"' "$OUT/page-topic-20.html" | wc -l)
[[ $n_posts == 20 ]] || die "the 20-post topic page shows $n_posts posts"
n_found=$(grep -oE '[0-9,]+ posts? found' "$OUT/page-search.html" | head -1 || true)
[[ -n $n_found ]] || die "search for '$SEARCH_QUERY' found nothing"
log "pages: ${PATHS[category]}, ${PATHS[topic-20]} ($n_posts posts), ${PATHS[search]} ($n_found)"

db_facts() {
  if [[ $DB_KIND == sqlite ]]; then
    local file=${DATABASE_URL#sqlite:///}
    echo "SQLite $("$TPY" -c 'import sqlite3; print(sqlite3.sqlite_version)'), $file $(du -h "$file" | cut -f1), journal $("$TPY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("pragma journal_mode").fetchone()[0])' "$file")"
  else
    echo "$(psql "$DATABASE_URL" -Atc 'select version()' | cut -d, -f1), size $(psql "$DATABASE_URL" -Atc 'select pg_size_pretty(pg_database_size(current_database()))'); $(psql "$DATABASE_URL" -Atc "select string_agg(name||'='||setting, ' ') from pg_settings where name in ('shared_buffers','autovacuum','synchronous_commit','work_mem')")"
  fi
}
{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr); uptime before the run: $(uptime)"
  echo "tandem: $("$TPY" -V 2>&1), Django $("$TPY" -c 'import django; print(django.__version__)'), granian $("$TPY" -m granian --version 2>&1 | awk '{print $NF}')"
  echo "server: granian --interface wsgi --workers $WORKERS --host 127.0.0.1 --port $PORT --blocking-threads 1 --respawn-failed-workers $GRANIAN_EXTRA tandem.wsgi:application (TANDEM_ENV=prod, DEBUG off)"
  echo "database: $(db_facts)"
  echo "size: users=$USERS topics=$TOPICS categories=$CATEGORIES posts=$POSTS text_mean=$TEXT_MEAN"
  echo "load: per page wrk -t1 -c1 -d$SEQ_DURATION (one request at a time), then wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT --latency -s wrk_percentiles.lua after a $WARMUP warm-up"
  echo "search: '$SEARCH_QUERY' ($n_found)"
} >"$OUT/versions.txt"

# ---------------------------------------------------------------- 4. load
# RAW -> "rps p50 p90 p95 p99 requests non2xx3xx socket_errors" (ms)
parse() {
  awk '
  function ms(v,  n){ n=v+0; if (v ~ /us$/) return n/1000; if (v ~ /ms$/) return n; if (v ~ /m$/) return n*60000; if (v ~ /s$/) return n*1000; return n }
  /^PCTL/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); p[kv[1]] = kv[2] } }
  /requests in/ {req=$1}
  /^Requests\/sec/ {rps=$2}
  /Non-2xx or 3xx responses/ {bad=$NF}
  /Socket errors/ {gsub(",","",$0); err=$4+$6+$8+$10}
  END { printf "%.1f %.1f %.1f %.1f %.1f %d %d %d\n", rps, p["p50"], p["p90"], p["p95"], p["p99"], req, bad+0, err+0 }' "$1"
}
run_wrk() {  # URL RAW CONNECTIONS DURATION
  wrk -t"$WRK_THREADS" -c"$3" -d"$4" --timeout "$WRK_TIMEOUT" --latency -s "$LUA" \
    -H "Cookie: $SESSION" "$1" >"$2" 2>&1
}
{
  echo "| page | req/s | p50 ms | p95 ms | p99 ms | requests (non-2xx, errors) | one at a time: req/s, p50 / p95 / p99 ms | first request ms | load average before |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$OUT/table.md"
declare -A TITLES=([category]="topic list (category, 30 topics)" [topic-20]="topic page (20 posts)" [search]="search '$SEARCH_QUERY'")
drain() {  # wait until /healthz answers within a second: the queue is empty again
  local until=$((SECONDS + DRAIN_MAX))
  while (( SECONDS < until )); do
    curl -s -o /dev/null -m 1 "$BASE/healthz" && return 0
  done
  echo "WARNING: the server was still busy after ${DRAIN_MAX}s before $1" >>"$OUT/notes.txt"
}
for name in "${PAGES[@]}"; do
  url=$BASE${PATHS[$name]}
  drain "$name"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  log "$name: one at a time for $SEQ_DURATION, then warm-up $WARMUP and $CONNECTIONS connections for $DURATION (load $load)"
  run_wrk "$url" "$OUT/wrk-$name-seq.txt" 1 "$SEQ_DURATION"
  if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$WRK_TIMEOUT" -H "Cookie: $SESSION" "$url" >/dev/null 2>&1 || true
  fi
  run_wrk "$url" "$OUT/wrk-$name.txt" "$CONNECTIONS" "$DURATION"
  read -r rps p50 _p90 p95 p99 req bad err < <(parse "$OUT/wrk-$name.txt")
  read -r srps sp50 _sp90 sp95 sp99 sreq sbad serr < <(parse "$OUT/wrk-$name-seq.txt")
  loaded="$rps | $p50 | $p95 | $p99"
  (( req == 0 )) && loaded="none in $DURATION | - | - | -"
  seq="$srps, $sp50 / $sp95 / $sp99"
  (( sreq == 0 )) && seq="none in $SEQ_DURATION"
  echo "| ${TITLES[$name]} | $loaded | $req ($bad, $err) | $seq | ${FIRST[$name]} | $load |" >>"$OUT/table.md"
  if (( bad + err + sbad + serr > 0 )); then
    echo "WARNING: $name had non-2xx/3xx responses or socket errors (see wrk-$name*.txt)" >>"$OUT/notes.txt"
  fi
done
echo "uptime after the run: $(uptime)" >>"$OUT/versions.txt"
if grep -qiE 'error|traceback' "$OUT/granian.log"; then
  echo "granian.log mentions errors: see $OUT/granian.log" >>"$OUT/notes.txt"
fi
echo "results in $OUT" >>"$OUT/notes.txt"
cat "$OUT/versions.txt" "$OUT/table.md" "$OUT/notes.txt"
