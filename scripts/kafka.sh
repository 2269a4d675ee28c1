#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, broker + controller in one JVM) for development and
# tests, run from Maven Central jars: no Docker, no Kafka install.
#
#   scripts/kafka.sh start    fetch jars (first time), format storage (first time), start, wait READY
#   scripts/kafka.sh stop     controlled shutdown (SIGTERM), SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   scripts/kafka.sh status   exit 0 and print the pid when running, exit 3 when not
#
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (.data/kafka),
#      KAFKA_HEAP_OPTS (-Xms512m -Xmx512m), KAFKA_READY_TIMEOUT (90 s), KAFKA_STOP_TIMEOUT (30 s).
# One data dir holds one broker: a second broker on other ports needs its own KAFKA_DATA_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.data/kafka}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}"

POM="$ROOT/kafka/pom.xml"
LIBS="$ROOT/kafka/target/kafka-libs"
LIBS_STAMP="$LIBS/.pom.sha256"
TEMPLATE="$ROOT/kafka/server.properties.template"
LOG4J="$ROOT/kafka/log4j.properties"

mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
STORAGE_DIR="$DATA_DIR/storage"   # partitions and KRaft metadata (log.dirs)
LOG_DIR="$DATA_DIR/logs"          # server.log (log4j)
PID_FILE="$DATA_DIR/kafka.pid"
OUT_FILE="$DATA_DIR/kafka.out"    # JVM stdout/stderr: start-up failures land here
PROPS="$DATA_DIR/server.properties"

say() { printf 'kafka: %s\n' "$*"; }
die() { printf 'kafka: %s\n' "$*" >&2; exit 1; }

# The pid file can outlive the broker (crash, reboot) and pids get reused: trust it only when the
# process is alive and is our kafka.Kafka.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid state
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$state" != "Z" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

fetch_jars() {
  local want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$LIBS_STAMP" && "$(cat "$LIBS_STAMP")" == "$want" ]]; then
    return
  fi
  command -v mvn >/dev/null || die "mvn not found: install Maven (and Java 17+) to fetch the broker jars"
  say "fetching broker jars with Maven (first run only)..."
  rm -rf "$LIBS"
  mkdir -p "$DATA_DIR"
  if ! mvn -B -q -Dstyle.color=never -f "$POM" package >"$DATA_DIR/mvn.log" 2>&1; then
    cat "$DATA_DIR/mvn.log" >&2
    die "Maven could not fetch the broker jars (log: $DATA_DIR/mvn.log)"
  fi
  echo "$want" >"$LIBS_STAMP"
}

render_properties() {
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@LOG_DIRS@|$STORAGE_DIR|g" \
    "$TEMPLATE" >"$PROPS"
}

format_storage() {
  [[ -f "$STORAGE_DIR/meta.properties" ]] && return
  local cluster_id
  cluster_id="$(java -cp "$LIBS/*" -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$LOG_DIR" \
    kafka.tools.StorageTool random-uuid)"
  say "formatting KRaft storage in $STORAGE_DIR (cluster $cluster_id)"
  java -cp "$LIBS/*" -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$LOG_DIR" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" --ignore-formatted >/dev/null
}

wait_ready() {
  local pid="$1"
  local tsx="$ROOT/node_modules/.bin/tsx"
  [[ -x "$tsx" ]] || die "node_modules/.bin/tsx missing: run npm install first"
  KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" "$tsx" "$ROOT/scripts/kafka-ready.ts" \
    --pid "$pid" --timeout "$READY_TIMEOUT"
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    wait_ready "$pid"
    return
  fi
  if port_in_use "$KAFKA_PORT" || port_in_use "$KAFKA_CONTROLLER_PORT"; then
    die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT is taken by another process (not our broker); set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
  fi
  command -v java >/dev/null || die "java not found: install Java 17+"

  fetch_jars
  mkdir -p "$STORAGE_DIR" "$LOG_DIR"
  render_properties
  format_storage

  printf '\n=== %s start (port %s) ===\n' "$(date -Is)" "$KAFKA_PORT" >>"$OUT_FILE"
  # JVM flags of Kafka's bin/kafka-server-start.sh. setsid: Ctrl-C in the starting terminal must
  # not reach the broker; the inner shell records its own pid, which exec hands to the JVM.
  # shellcheck disable=SC2086
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    java $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" -Dlog4j.configuration="file:$LOG4J" \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" >>"$OUT_FILE" 2>&1 </dev/null 9>&- &

  local waited=0
  until pid="$(running_pid)"; do
    sleep 0.1
    waited=$((waited + 1))
    if ((waited > 100)); then
      tail -n 20 "$OUT_FILE" >&2
      die "the JVM did not start; see $OUT_FILE"
    fi
  done
  say "started (pid $pid), waiting until ready on 127.0.0.1:$KAFKA_PORT..."
  if ! wait_ready "$pid"; then
    tail -n 30 "$LOG_DIR/server.log" "$OUT_FILE" >&2 2>/dev/null || true
    die "broker did not become ready; logs: $LOG_DIR/server.log, $OUT_FILE"
  fi
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return
  fi
  say "stopping (pid $pid)..."
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while running_pid >/dev/null; do
    if ((SECONDS >= deadline)); then
      say "no exit after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  say "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    say "running (pid $pid) on 127.0.0.1:$KAFKA_PORT, data in $DATA_DIR"
  else
    say "not running"
    exit 3
  fi
}

# One start/stop at a time per data dir: concurrent `start`s (parallel test runners) must not
# launch two JVMs on one storage directory. The broker itself must not inherit the lock (9>&-).
lock() {
  exec 9>"$DATA_DIR/kafka.lock"
  if command -v flock >/dev/null; then flock 9; fi
}

case "${1:-}" in
  start) lock && cmd_start ;;
  stop) lock && cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
