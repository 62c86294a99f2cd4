#!/usr/bin/env bash
# forum_vs_peer.sh -- Tandem's forum against the peer forum (django-spirit), measured in the same
# run on the same machine, alternating page by page, with the shared peer tooling in
# ../shared/bench beside the repository (peer-forum-bench.sh sets the peer up; lib/wrk-measure.sh
# measures both; SHARED= names another folder).
#
#   sudo bench/forum_vs_peer.sh                 # 5000 users, 2000 topics / 10 categories, 100000 posts
#   REPEAT=1 DURATION=10s bench/forum_vs_peer.sh  # a quick look (much shorter runs can read
#                                                  # 0 req/s: 32 queued requests take seconds)
#
# Needs: root (apt-get for wrk, runuser for the peer's PostgreSQL cluster, as the peer script);
#   wrk (Debian package `wrk`, installed with apt-get when missing, as the peer script does);
#   Tandem's venv (.venv, with granian) and PostgreSQL on 127.0.0.1:5432 (user postgres).
# What it does:
#   1. peer-forum-bench.sh prepares the peer (venv, project, seeded database on its own cluster,
#      URLs, a logged-in session, SQL per page) and checks its pages with a 2-second smoke load
#      (REPEAT=1, so logs/results.tsv gets 6 rows with duration 2s from this step);
#   2. bench/forum_data.py generates Tandem's community of the same size (kept between runs);
#   3. the peer is served exactly as the peer script serves it (gunicorn, WORKERS sync workers)
#      and Tandem by granian WSGI with WORKERS workers of one Python thread each, as docs/operations.md serves
#      it, TANDEM_ENV=prod (see below);
#   4. Tandem's benchmark user logs in through allauth's login form (CSRF and all); SQL queries
#      per page and a cProfile of each page come from bench/forum_probe.py (test client);
#   5. REPEAT rounds; in each, every page of the peer is followed by its Tandem counterpart;
#      per cell the run with the median req/s is reported with the min-max range;
#   6. the app workers' CPU time per request (utime+stime of the server's worker processes over
#      CPU_REQUESTS sequential requests, lowest of CPU_ROUNDS): less at the mercy of whatever
#      else the shared machine runs than req/s is (PostgreSQL's CPU is not in it).
# Tandem runs as in production (TANDEM_ENV=prod, DEBUG off, manifest static files, database
# cache, CONN_MAX_AGE=60 from DATABASE_URL) with throwaway secrets, SECURE_SSL_REDIRECT=0 and
# plain HTTP on 127.0.0.1 (no TLS proxy in front; requests carry no X-Forwarded-Proto).
# Tandem has no anonymous forum pages (LoginRequiredMiddleware): every Tandem figure is for a
# logged-in member; the peer's anonymous topic page is set beside Tandem's member topic page.
#
# Knobs (environment, defaults in brackets):
#   WORKDIR [${TMPDIR:-/tmp}/peer-forum-bench]  the peer script's work folder (its default)
#   LABEL [vs-tandem]     peer run label: database peer_spirit_LABEL, logs WORKDIR/logs/LABEL
#   USERS [5000] TOPICS [2000] CATEGORIES [10] POSTS [100000] TEXT_MEAN [400]   both forums
#   RESEED [0]            1 = reseed the peer; TANDEM_RESET [0]: 1 = regenerate Tandem's data
#   DATABASE_URL [postgres://postgres@127.0.0.1:5432/tandem_bench]  Tandem's bench database
#   PEER_PORT [8765] TANDEM_PORT [8099] WORKERS [2] GRANIAN_EXTRA [] (extra granian options)
#   DURATION [20s] CONNECTIONS [32] WRK_THREADS [1] WARMUP [3s] WRK_TIMEOUT [10s] REPEAT [3]
#   CPU_REQUESTS [40] CPU_ROUNDS [2]  app CPU per request: sequential requests, rounds
#   PROFILE [1]           cProfile each Tandem page (in-process) into the run folder
#   STOP_PG [1]           stop the peer's cluster at exit if this run started it
# Results: WORKDIR/logs/LABEL/vs-tandem-DATE/ (table.md, raw wrk output, SQL, profiles, logs),
# one line per page in WORKDIR/logs/forum-vs-peer.tsv. Only 127.0.0.1 is used; every load run
# is bounded by wrk -d; only the servers started here are stopped, by their PIDs.
set -euo pipefail

T_START=$(date +%s)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
PEER_SCRIPT=$SHARED/peer-forum-bench.sh
MEASURE=$SHARED/lib/wrk-measure.sh
TPY=$ROOT/.venv/bin/python

WORKDIR=${WORKDIR:-${TMPDIR:-/tmp}/peer-forum-bench}
LABEL=${LABEL:-vs-tandem}
USERS=${USERS:-5000}; TOPICS=${TOPICS:-2000}; CATEGORIES=${CATEGORIES:-10}
POSTS=${POSTS:-100000}; TEXT_MEAN=${TEXT_MEAN:-400}
RESEED=${RESEED:-0}; TANDEM_RESET=${TANDEM_RESET:-0}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tandem_bench}
PEER_PORT=${PEER_PORT:-8765}; TANDEM_PORT=${TANDEM_PORT:-8099}; WORKERS=${WORKERS:-2}
GRANIAN_EXTRA=${GRANIAN_EXTRA:-}
export DURATION=${DURATION:-20s} CONNECTIONS=${CONNECTIONS:-32} WRK_THREADS=${WRK_THREADS:-1}
export WARMUP=${WARMUP:-3s} WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
REPEAT=${REPEAT:-3}; PROFILE=${PROFILE:-1}; STOP_PG=${STOP_PG:-1}
PG_VERSION=${PG_VERSION:-15}; PG_CLUSTER=${PG_CLUSTER:-peerbench}; PG_PORT=${PG_PORT:-5499}
CONN_MAX_AGE=${CONN_MAX_AGE:-60}

SAFE_LABEL=$(echo "$LABEL" | tr -c 'a-zA-Z0-9_\n' '_' | tr 'A-Z' 'a-z')
RUN=$WORKDIR/logs/$LABEL
OUT=$RUN/vs-tandem-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
ensure_wrk
[[ -x $TPY ]] || die "Tandem's venv is missing ($TPY)"
for port in "$PEER_PORT" "$TANDEM_PORT"; do
  if ss -ltn "sport = :$port" | grep -q LISTEN; then die "port $port is already in use"; fi
done

cluster_status() { pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}'; }
PG_WAS=$(cluster_status || true)
PEER_PID=""; TANDEM_PID=""
cleanup() {
  stop_pid "$PEER_PID"; stop_pid "$TANDEM_PID"
  if [[ $STOP_PG == 1 && $PG_WAS != online && $(cluster_status || true) == online ]]; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- 1. the peer, set up by its own script
log "peer: set-up and 2 s smoke run by peer-forum-bench.sh (log: $OUT/peer-setup.log)"
WORKDIR=$WORKDIR LABEL=$LABEL USERS=$USERS TOPICS=$TOPICS CATEGORIES=$CATEGORIES POSTS=$POSTS \
  TEXT_MEAN=$TEXT_MEAN RESEED=$RESEED PORT=$PEER_PORT WORKERS=$WORKERS CONN_MAX_AGE=$CONN_MAX_AGE \
  PG_VERSION=$PG_VERSION PG_CLUSTER=$PG_CLUSTER PG_PORT=$PG_PORT STOP_PG=0 \
  REPEAT=1 DURATION=2s WARMUP=0 CONNECTIONS=$CONNECTIONS \
  "$PEER_SCRIPT" >"$OUT/peer-setup.log" 2>&1 || { tail -20 "$OUT/peer-setup.log" >&2; die "peer set-up failed"; }
PEER_DB=$(awk '/^db: /{print $2}' "$RUN/versions.txt")
[[ -s $RUN/pages.tsv && -s $RUN/session.txt && -s $RUN/queries.tsv ]] || die "peer probe output missing in $RUN"
PEER_SESSION="sessionid=$(cat "$RUN/session.txt")"

# ---------------------------------------------------------------- 2. Tandem's data
log "tandem: data (bench/forum_data.py; kept between runs, TANDEM_RESET=1 regenerates)"
reset_flag=(); [[ $TANDEM_RESET == 1 ]] && reset_flag=(--reset)
DATABASE_URL=$DATABASE_URL TANDEM_ENV=dev /usr/bin/time -f 'tandem data wall %es, max RSS %MkB' \
  "$TPY" "$HERE/forum_data.py" --users "$USERS" --topics "$TOPICS" --categories "$CATEGORIES" \
  --posts "$POSTS" --text-mean "$TEXT_MEAN" "${reset_flag[@]}" 2>&1 | tee "$OUT/tandem-data.txt" >&2
grep -q '^TANDEM_SEED' "$OUT/tandem-data.txt" || die "Tandem data generation failed"

# ---------------------------------------------------------------- 3. Tandem as in production
tandem_prod_env "$WORKDIR/data/tandem-static"
"$TPY" "$HERE/forum_probe.py" pages "$OUT" >&2

# ---------------------------------------------------------------- 4. serve both
PEER_PROJ=$WORKDIR/data/spirit-project
log "peer: gunicorn ($WORKERS sync workers) on 127.0.0.1:$PEER_PORT"
# the peer gets the environment its own script gives it, none of Tandem's (SECRET_KEY above all)
( unset DATABASE_URL DJANGO_SETTINGS_MODULE TANDEM_ENV DEBUG SECRET_KEY ALLOWED_HOSTS EMAIL_HOST \
    SECURE_SSL_REDIRECT TANDEM_ENCRYPTION_KEYS STATIC_ROOT
  cd "$PEER_PROJ" && export PATH=$WORKDIR/venv/bin:$PATH DJANGO_SETTINGS_MODULE=mysite.settings.bench \
    BENCH_DB=$PEER_DB BENCH_PG_DB=peer_spirit_$SAFE_LABEL BENCH_PG_PORT=$PG_PORT \
    BENCH_SQLITE_PATH=$WORKDIR/data/spirit-$SAFE_LABEL.sqlite3 BENCH_DJANGO_LOG=$OUT/peer-django.log \
    BENCH_CONN_MAX_AGE=$CONN_MAX_AGE &&
  exec "$WORKDIR/venv/bin/gunicorn" mysite.wsgi:application --workers "$WORKERS" --worker-class sync \
    --bind "127.0.0.1:$PEER_PORT" --error-logfile "$OUT/gunicorn.log" --log-level warning ) &
PEER_PID=$!
log "tandem: granian WSGI ($WORKERS workers) on 127.0.0.1:$TANDEM_PORT"
# shellcheck disable=SC2086 # GRANIAN_EXTRA is a list of options
( cd "$ROOT" && exec "$TPY" -m granian --interface wsgi --workers "$WORKERS" --host 127.0.0.1 \
    --port "$TANDEM_PORT" --blocking-threads 1 --respawn-failed-workers $GRANIAN_EXTRA tandem.wsgi:application >"$OUT/granian.log" 2>&1 ) &
TANDEM_PID=$!
PEER=http://127.0.0.1:$PEER_PORT; TANDEM=http://127.0.0.1:$TANDEM_PORT
wait_for() {  # URL PID
  for _ in $(seq 1 120); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
wait_for "$PEER/" "$PEER_PID" || die "the peer did not answer (see $OUT/gunicorn.log)"
wait_for "$TANDEM/healthz" "$TANDEM_PID" || die "Tandem did not answer (see $OUT/granian.log)"

# ---------------------------------------------------------------- 5. session, sanity, SQL per page
"$TPY" "$HERE/forum_probe.py" login "$OUT" "$TANDEM" >&2
TANDEM_SESSION=$(cat "$OUT/tandem-session.txt")
declare -A PATHS=()
while IFS=$'\t' read -r name path; do PATHS[peer.$name]=$path; done <"$RUN/pages.tsv"
while IFS=$'\t' read -r name path; do PATHS[tandem.$name]=$path; done <"$OUT/tandem-pages.tsv"
for name in index category topic; do
  code=$(curl -s -o "$OUT/peer-$name.html" -w '%{http_code}' -H "Cookie: $PEER_SESSION" "$PEER${PATHS[peer.$name]}")
  [[ $code == 200 ]] && grep -q user00001 "$OUT/peer-$name.html" || die "peer $name: $code or not logged in"
done
for name in topic-20 topic-50 category community; do
  code=$(curl -s -o "$OUT/tandem-$name.html" -w '%{http_code}' -H "Cookie: $TANDEM_SESSION" "$TANDEM${PATHS[tandem.$name]}")
  [[ $code == 200 ]] && grep -q 'action="/accounts/logout/"' "$OUT/tandem-$name.html" || die "tandem $name: $code or not logged in"
done
n20=$(grep -o 'id="post-[0-9]*"' "$OUT/tandem-topic-20.html" | wc -l); n50=$(grep -o 'id="post-[0-9]*"' "$OUT/tandem-topic-50.html" | wc -l)
log "tandem topic pages show $n20 and $n50 posts"
log "tandem: SQL per page and profiles (test client, in-process)"
profile_flag=(); [[ $PROFILE == 1 ]] && profile_flag=(--profile)
"$TPY" "$HERE/forum_probe.py" queries "$OUT" "${profile_flag[@]}" >&2

{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr), load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "tandem: $("$TPY" -V 2>&1), Django $("$TPY" -c 'import django; print(django.__version__)'), granian $("$TPY" -m granian --version 2>&1 | awk '{print $NF}'), psycopg $("$TPY" -c 'import psycopg; print(psycopg.__version__)')"
  echo "tandem server: granian --interface wsgi --workers $WORKERS --host 127.0.0.1 --port $TANDEM_PORT --blocking-threads 1 --respawn-failed-workers $GRANIAN_EXTRA tandem.wsgi:application (TANDEM_ENV=prod, DEBUG off, CONN_MAX_AGE=60)"
  grep -E '^(server|python|django-spirit|Django|psycopg)' "$RUN/versions.txt" | sed 's/^/peer /'
  echo "tandem database: $(psql "$DATABASE_URL" -Atc 'select version()' | cut -d, -f1), size $(psql "$DATABASE_URL" -Atc 'select pg_size_pretty(pg_database_size(current_database()))'); settings: $(psql "$DATABASE_URL" -Atc "select string_agg(name||'='||setting, ' ') from pg_settings where name in ('shared_buffers','autovacuum','synchronous_commit','fsync','work_mem')")"
  [[ $PEER_DB == postgres ]] && echo "peer database: $(runuser -u postgres -- psql -p "$PG_PORT" -Atc "select string_agg(name||'='||setting, ' ') from pg_settings where name in ('shared_buffers','autovacuum','synchronous_commit','fsync','work_mem')") ($(awk -F': ' '/^database size/{print $2}' "$RUN/versions.txt"))"
  echo "size: users=$USERS topics=$TOPICS categories=$CATEGORIES posts=$POSTS text_mean=$TEXT_MEAN (peer db: $PEER_DB)"
  echo "load: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT --latency, $REPEAT rounds alternating peer/Tandem, median reported (warm-up $WARMUP discarded before each page's first round)"
  echo "tandem topic pages: $n20 and $n50 posts shown (Tandem's page size is 50; the peer's 20)"
} >"$OUT/versions.txt"

# ---------------------------------------------------------------- 6. load, alternating
TICK=$(getconf CLK_TCK)
cpu_ticks() {  # PARENT_PID -> utime+stime of its children, in clock ticks
  local total=0 p t
  for p in $(ps -o pid= --ppid "$1"); do
    t=$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0); total=$((total + t))
  done
  echo "$total"
}
# A run leaves up to CONNECTIONS requests queued when wrk stops; the server keeps working on
# them. Each measurement starts once both servers' workers have gone quiet (no CPU for 0.5 s,
# up to 60 s), so neither side's leftovers slow the other's first seconds (and its p99).
settle() {
  local until=$((SECONDS + 60)) before after
  while (( SECONDS < until )); do
    before=$(( $(cpu_ticks "$PEER_PID") + $(cpu_ticks "$TANDEM_PID") ))
    sleep 0.5
    after=$(( $(cpu_ticks "$PEER_PID") + $(cpu_ticks "$TANDEM_PID") ))
    (( after - before <= 1 )) && return 0
  done
  log "servers still busy after 60 s"
}
# cells: "who name auth": every peer page is followed by its Tandem counterpart.
CELLS=("peer topic user" "tandem topic-20 user" "peer topic anon" "tandem topic-50 user"
       "peer category user" "tandem category user" "peer index user" "tandem community user")
declare -A RUNS=()
for rep in $(seq 1 "$REPEAT"); do
  for cell in "${CELLS[@]}"; do
    read -r who name auth <<<"$cell"
    if [[ $who == peer ]]; then base=$PEER; cookie=""; [[ $auth == user ]] && cookie=$PEER_SESSION
    else base=$TANDEM; cookie=$TANDEM_SESSION; fi
    wu=$WARMUP; [[ $rep -gt 1 ]] && wu=0
    settle
    log "round $rep/$REPEAT $who $name ($auth) ${PATHS[$who.$name]}"
    line=$(WARMUP=$wu "$MEASURE" "$base${PATHS[$who.$name]}" "$OUT/wrk-$who-$name-$auth-r$rep.txt" "$cookie")
    RUNS[$who.$name.$auth]+="$line"$'\n'
  done
done

# ---------------------------------------------------------------- 6b. app CPU per request
# Throughput on a shared machine depends on what else runs; the CPU time the app workers spend
# per request depends much less on it. CPU_REQUESTS sequential requests per page (one at a time,
# so none is left half-done), CPU_ROUNDS rounds alternating peer/Tandem, lowest round kept.
# Counts the server's worker processes only (utime+stime), not PostgreSQL.
CPU_REQUESTS=${CPU_REQUESTS:-40}; CPU_ROUNDS=${CPU_ROUNDS:-2}
declare -A CPU=()
for rep in $(seq 1 "$CPU_ROUNDS"); do
  for cell in "${CELLS[@]}"; do
    read -r who name auth <<<"$cell"
    if [[ $who == peer ]]; then base=$PEER; parent=$PEER_PID; cookie=""; [[ $auth == user ]] && cookie=$PEER_SESSION
    else base=$TANDEM; parent=$TANDEM_PID; cookie=$TANDEM_SESSION; fi
    hdr=(); [[ -n $cookie ]] && hdr=(-H "Cookie: $cookie")
    for _ in 1 2 3; do curl -s -o /dev/null "${hdr[@]}" "$base${PATHS[$who.$name]}"; done
    before=$(cpu_ticks "$parent")
    for _ in $(seq 1 "$CPU_REQUESTS"); do curl -s -o /dev/null "${hdr[@]}" "$base${PATHS[$who.$name]}"; done
    after=$(cpu_ticks "$parent")
    ms=$(awk -v d=$((after - before)) -v t="$TICK" -v n="$CPU_REQUESTS" 'BEGIN{printf "%.1f", d*1000/t/n}')
    key=$who.$name.$auth
    if [[ -z ${CPU[$key]:-} ]] || awk -v a="$ms" -v b="${CPU[$key]}" 'BEGIN{exit !(a < b)}'; then CPU[$key]=$ms; fi
    printf '%s\t%s\t%s\t%s\n' "$rep" "$who" "$name.$auth" "$ms" >>"$OUT/cpu.tsv"
  done
done
log "app CPU per request measured ($CPU_ROUNDS x $CPU_REQUESTS sequential requests per page)"

worker_peak() {  # PARENT_PID -> max VmHWM of its children, MiB
  local peak=0 r p
  for p in $(ps -o pid= --ppid "$1"); do
    r=$(awk '$1=="VmHWM:" {print $2}' "/proc/$p/status" 2>/dev/null || echo 0); (( r > peak )) && peak=$r
  done
  awk -v k="$peak" 'BEGIN{printf "%.1f", k/1024}'
}
PEER_RSS=$(worker_peak "$PEER_PID"); TANDEM_RSS=$(worker_peak "$TANDEM_PID")

# ---------------------------------------------------------------- 7. table
median() {  # KEY -> "rps p50 p90 p99 requests non2xx errors" of the median run, then "min-max"
  local runs=${RUNS[$1]}
  printf '%s' "$runs" | sort -t$'\t' -k1,1g | awk -v n="$REPEAT" 'NR==int((n+1)/2)' | tr '\t' ' '
  printf '%s' "$runs" | sort -t$'\t' -k1,1g | awk -F'\t' 'NR==1{lo=$1} {hi=$1} END{print lo"-"hi}'
}
peer_q() { awk -F'\t' -v n="$1" -v a="$2" '$1==n && $2==a {print $4}' "$RUN/queries.tsv"; }
tandem_q() { awk -F'\t' -v n="$1" '$1==n {print $3}' "$OUT/tandem-queries.tsv"; }
NOW=$(date -u +%FT%TZ)
TSV=$WORKDIR/logs/forum-vs-peer.tsv
[[ -f $TSV ]] || printf 'date\tlabel\tpage\tpeer_page\tpeer_rps\tpeer_rps_min_max\tpeer_p99_ms\tpeer_sql\ttandem_page\ttandem_rps\ttandem_rps_min_max\ttandem_p99_ms\ttandem_sql\tratio\tpeer_cpu_ms\ttandem_cpu_ms\tduration\tconnections\trepeat\n' >"$TSV"
{
  echo
  echo "| page | peer req/s (min-max) | Tandem req/s (min-max) | Tandem/peer | p99 ms peer / Tandem | SQL peer / Tandem | app CPU ms/req peer / Tandem |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$OUT/table.md"
ROWS=(
  "topic page, logged in (20 posts)|topic user|topic-20"
  "topic page, logged in (peer 20 posts, Tandem 50 = its page size)|topic user|topic-50"
  "topic list: category, logged in (peer 20 topics, Tandem 30)|category user|category"
  "front page: peer index / Tandem community page, logged in|index user|community"
  "topic page: peer anonymous, Tandem member (no anonymous pages)|topic anon|topic-20"
)
BAD=0
for row in "${ROWS[@]}"; do
  IFS='|' read -r title peer_cell tandem_page <<<"$row"
  read -r pname pauth <<<"$peer_cell"
  { read -r prps _pp50 _pp90 pp99 _preq pbad perr; read -r prange; } < <(median "peer.$pname.$pauth")
  { read -r trps _tp50 _tp90 tp99 _treq tbad terr; read -r trange; } < <(median "tandem.$tandem_page.user")
  ratio=$(awk -v t="$trps" -v p="$prps" 'BEGIN{ if (p > 0) printf "%.2f", t/p; else print "n/a" }')
  pq=$(peer_q "$pname" "$pauth"); tq=$(tandem_q "$tandem_page")
  (( pbad + perr + tbad + terr > 0 )) && BAD=1
  pc=${CPU[peer.$pname.$pauth]}; tc=${CPU[tandem.$tandem_page.user]}
  echo "| $title | $prps ($prange) | $trps ($trange) | $ratio | $pp99 / $tp99 | $pq / $tq | $pc / $tc |" >>"$OUT/table.md"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$NOW" "$LABEL" "$title" \
    "$pname/$pauth" "$prps" "$prange" "$pp99" "$pq" "$tandem_page" "$trps" "$trange" "$tp99" "$tq" "$ratio" \
    "$pc" "$tc" "$DURATION" "$CONNECTIONS" "$REPEAT" >>"$TSV"
done
{
  echo
  echo "worker peak RSS (VmHWM, largest worker): peer ${PEER_RSS} MiB, Tandem ${TANDEM_RSS} MiB"
  (( BAD )) && echo "WARNING: some runs had non-2xx/3xx responses or socket errors (see wrk-*.txt)"
  echo "run time: $(( ($(date +%s) - T_START) / 60 )) min $(( ($(date +%s) - T_START) % 60 )) s; results in $OUT"
} >>"$OUT/table.md"
[[ -s $OUT/gunicorn.log ]] && log "gunicorn.log is not empty: $(wc -l <"$OUT/gunicorn.log") lines"
grep -qiE 'error|traceback' "$OUT/granian.log" && log "granian.log mentions errors: see $OUT/granian.log"
cat "$OUT/versions.txt" "$OUT/table.md"
