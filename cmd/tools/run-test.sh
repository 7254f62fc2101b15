#!/usr/bin/env bash
# Tests run.sh's server set-up (cmd/tools/demo-server.sh) as a person meets
# it: port 8470's stand-in held by another sinba server, a second run while
# the first still runs, a later run after the laptop enrolled, and the kept
# port taken by someone else. The laptop enrols and syncs headless with
# "sinba enrol" and "sinba sync" against the address run.sh chose.
# Binaries: $SINBA_APP_BIN and $SINBA_SERVER_BIN (built here when unset).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "run-test: FAIL: $*" >&2; exit 1; }

demo=$work/demo
mkdir -p "$demo/bin"
if [ -n "${SINBA_SERVER_BIN:-}" ]; then cp "$SINBA_SERVER_BIN" "$demo/bin/sinba-server"
else CGO_ENABLED=0 go build -o "$demo/bin/sinba-server" ./cmd/sinba-server; fi
if [ -n "${SINBA_APP_BIN:-}" ]; then cp "$SINBA_APP_BIN" "$demo/bin/sinba"
else go build -tags migrated_fynedo -o "$demo/bin/sinba" ./cmd/sinba; fi
srv=$demo/bin/sinba-server app=$demo/bin/sinba

# Another program on the preferred port: a sinba server of another project,
# which answers /healthz too (what made enrolment fail before).
other() { # other NAME ADDR: starts a foreign server, prints its address
  "$srv" demo --data "$work/$1" >/dev/null 2>&1
  "$srv" serve --data "$work/$1" --addr "$2" --addr-file "$work/$1.addr" >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$work/$1.addr" ] && break; sleep 0.1; done
  [ -s "$work/$1.addr" ] || { cat "$work/$1.log" >&2; fail "the other server did not start"; }
}
other blocker 127.0.0.1:0
taken=$(cat "$work/blocker.addr")

"$srv" demo --data "$demo/server" --code-file "$demo/server/enrolment-code.txt" >/dev/null 2>&1
code=$(cat "$demo/server/enrolment-code.txt")

# runlike NAME: run.sh's set-up in the background, as while its app is open;
# writes the URL it got to $work/NAME.url and its messages to $work/NAME.err.
runlike() {
  SINBA_DEMO_ADDR=$taken demo=$demo bash -c '
    . cmd/tools/demo-server.sh
    trap demo_stop EXIT
    trap "exit 0" TERM
    demo_server_up || exit 1
    echo "$demo_url $demo_owner" >"$0.url"
    while :; do sleep 0.2; done' "$work/$1" 2>"$work/$1.err" &
  pids+=($!)
  eval "$1_pid=$!"
  for _ in $(seq 100); do
    [ -s "$work/$1.url" ] && return 0
    kill -0 "$!" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

echo "run-test: first run, $taken held by another server"
runlike first || { cat "$work/first.err" >&2; fail "the first run did not start a server"; }
read -r url owner <"$work/first.url"
[ "$owner" = 1 ] || fail "the first run did not start its own server"
[ "$url" != "http://$taken" ] || fail "the first run took the address another server holds"
grep -q "held by another program: using a free port" "$work/first.err" || fail "the first run did not say why it changed port: $(cat "$work/first.err")"
printf 'demo-pass-phrase-1\n' >"$work/pass"
"$app" init --data "$demo/laptop" --passphrase-file "$work/pass" >/dev/null
out=$("$app" enrol --data "$demo/laptop" --passphrase-file "$work/pass" --server "$url" --code "$code") || fail "enrolment at $url failed"
echo "$out" | grep -q "Indagine pilota S.In.Ba (demo)" || fail "enrolled with an unexpected project: $out"

echo "run-test: second run while the first runs"
runlike second || { cat "$work/second.err" >&2; fail "the second run failed"; }
read -r url2 owner2 <"$work/second.url"
[ "$url2" = "$url" ] && [ "$owner2" = 0 ] || fail "the second run did not use the first's server: $url2 (owner $owner2)"
[ "$(pgrep -fc -- "serve --data $demo/server ")" = 1 ] || fail "two servers on one database"
kill "$second_pid"; wait "$second_pid" 2>/dev/null || true
curl -fsS "$url/healthz" >/dev/null || fail "the second run stopped the first's server"

echo "run-test: a later run, the laptop enrolled"
kill "$first_pid"; wait "$first_pid" 2>/dev/null || true
! curl -fsS "$url/healthz" >/dev/null 2>&1 || fail "the first run left its server running"
runlike third || { cat "$work/third.err" >&2; fail "the third run failed"; }
read -r url3 _ <"$work/third.url"
[ "$url3" = "$url" ] || fail "the third run moved the server from $url to $url3: the laptop keeps $url"
"$app" sync --data "$demo/laptop" --passphrase-file "$work/pass" >/dev/null || fail "the enrolled laptop did not sync with the third run's server"

echo "run-test: the demo coordinators hand the laptop the pseudonym secret"
demo_url=$url SINBA_DEMO_COORD_EVERY=1 demo=$demo bash -c '
  . cmd/tools/demo-server.sh
  trap demo_coordinator_stop EXIT
  trap "exit 0" TERM
  demo_coordinator_up || exit 1
  while :; do sleep 0.2; done' 2>"$work/coord.err" &
coord_pid=$!
pids+=($coord_pid)
held=""
for _ in $(seq 60); do
  kill -0 "$coord_pid" 2>/dev/null || { cat "$work/coord.err" "$demo/coord.log" >&2; fail "the demo coordinators did not start"; }
  out=$("$app" sync --data "$demo/laptop" --passphrase-file "$work/pass") || fail "the laptop did not sync: $out"
  if echo "$out" | grep -q "pseudonym secret: ricevuto"; then held=1; break; fi
  sleep 0.5
done
[ -n "$held" ] || { cat "$demo/coord.log" >&2; fail "the laptop never received the pseudonym secret from the demo coordinators"; }
kill "$coord_pid"; wait "$coord_pid" 2>/dev/null || true
pgrep -f -- "coord sync --data $demo/coord " >/dev/null && fail "the demo coordinators' loop outlived run.sh's set-up"
kill "$third_pid"; wait "$third_pid" 2>/dev/null || true

echo "run-test: the kept port held by another program"
other squatter "${url#http://}"
if runlike fourth; then fail "the fourth run started although its kept port is taken"; fi
grep -q "held by another program, and the demo laptop" "$work/fourth.err" || fail "the fourth run did not say why: $(cat "$work/fourth.err")"
echo "run-test: ok"
