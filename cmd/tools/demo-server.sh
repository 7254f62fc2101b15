# Starts (or finds) the demo central server of run.sh; sourced by run.sh and
# by its test (cmd/tools/run-test.sh). Needs $demo (the demo folder) and
# $demo/bin/sinba-server. demo_server_up sets:
#   demo_url    the server's address, http://127.0.0.1:PORT
#   demo_owner  1 when this shell started the server (and stops it on exit)
#
# The port: the one in $demo/server.port (kept from the first run, since an
# enrolled laptop stores the server's address), else $SINBA_DEMO_ADDR
# (default 127.0.0.1:8470); when 8470 is held by another program and no
# laptop depends on it yet, a free port. The server writes the address it
# actually listens on to $demo/server.addr once it listens, so the health
# check can only answer from the process started here. One server per
# database file: a second run while the first runs uses the first's server.

demo_say() { echo "run: $*" >&2; }

# demo_running prints the pid of a demo server already serving $demo/server.
demo_running() {
  local pid
  pid=$(cat "$demo/server.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -qF -- "serve --data $demo/server " || return 1
  [ -s "$demo/server.addr" ] || return 1
  echo "$pid"
}

# demo_start ADDR starts the server on ADDR; it fails if the server stops
# before it listens (its log is in $demo/server.log).
demo_start() {
  rm -f "$demo/server.addr"
  "$demo/bin/sinba-server" serve --data "$demo/server" --addr "$1" --addr-file "$demo/server.addr" \
    --log text >"$demo/server.log" 2>&1 &
  demo_pid=$!
  local _
  for _ in $(seq 100); do
    [ -s "$demo/server.addr" ] && return 0
    kill -0 "$demo_pid" 2>/dev/null || { wait "$demo_pid" 2>/dev/null || true; return 1; }
    sleep 0.1
  done
  demo_say "the server did not start listening in 10 seconds; its log: $demo/server.log"
  kill "$demo_pid" 2>/dev/null || true
  return 1
}

demo_stop() {
  if [ "${demo_owner:-0}" = 1 ]; then
    kill "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
    rm -f "$demo/server.pid"
  fi
}

demo_server_up() {
  local pid addr want kept=""
  demo_owner=0
  if pid=$(demo_running); then
    addr=$(cat "$demo/server.addr")
    if curl -fsS "http://$addr/healthz" >/dev/null 2>&1; then
      demo_url="http://$addr"
      demo_say "the demo server of an earlier run still runs (pid $pid): using it at $demo_url"
      return 0
    fi
    demo_say "the demo server (pid $pid) does not answer at $addr: stop it (kill $pid) and start again"
    return 1
  fi
  if [ -s "$demo/server.port" ]; then
    kept=$(cat "$demo/server.port")
    want="127.0.0.1:$kept"
  else
    want=${SINBA_DEMO_ADDR:-127.0.0.1:8470}
  fi
  if ! demo_start "$want"; then
    if ! grep -q "address already in use" "$demo/server.log"; then
      demo_say "the server stopped; its log:"
      cat "$demo/server.log" >&2
      return 1
    fi
    if [ -n "$kept" ]; then
      demo_say "port $kept is held by another program, and the demo laptop in $demo/laptop may be enrolled with http://$want:"
      demo_say "close that program (ss -ltnp 'sport = :$kept' shows it) and start again, or delete $demo to start from scratch"
      return 1
    fi
    demo_say "$want is held by another program: using a free port"
    demo_start 127.0.0.1:0 || { demo_say "the server stopped; its log:"; cat "$demo/server.log" >&2; return 1; }
  fi
  demo_owner=1
  echo "$demo_pid" >"$demo/server.pid"
  addr=$(cat "$demo/server.addr")
  # The health check goes to the address the started process wrote, while it
  # is alive: nobody else can hold that port.
  local _
  for _ in $(seq 50); do
    kill -0 "$demo_pid" 2>/dev/null || { demo_say "the server stopped; its log:"; cat "$demo/server.log" >&2; return 1; }
    if curl -fsS "http://$addr/healthz" >/dev/null 2>&1; then
      echo "${addr##*:}" >"$demo/server.port"
      demo_url="http://$addr"
      return 0
    fi
    sleep 0.2
  done
  demo_say "the server listens on $addr but does not answer; its log: $demo/server.log"
  return 1
}

# demo_coordinator_up starts the demo's coordinators, headless: a
# coordinator profile in $demo/coord (made on the first run; it holds the
# project's key from $demo/server) downloads from the server every
# ${SINBA_DEMO_COORD_EVERY:-15} seconds, as the coordinators' app does at each
# "Scarica dal server", and so hands the project's pseudonym secret to each
# laptop as soon as it has enrolled: without it a laptop cannot finalise a
# case record with a codice fiscale. The profile's passphrase is in
# $demo/coord-passphrase.txt, to open it in the app (sinba --coordinator
# --data $demo/coord). Needs $demo/bin/sinba, $demo/bin/sinba-server and
# demo_url; demo_coordinator_stop stops it. Its log: $demo/coord.log.
demo_coordinator_up() {
  local pass=$demo/coord-passphrase.txt code
  if [ ! -s "$demo/coord/enrolled" ]; then
    rm -rf "$demo/coord"
    (umask 077 && head -c 15 /dev/urandom | base64 >"$pass")
    code=$("$demo/bin/sinba-server" code --data "$demo/server" --coordinator \
      --project "Indagine pilota S.In.Ba (demo)" 2>>"$demo/coord.log" | tail -n1) &&
      "$demo/bin/sinba" coord init --data "$demo/coord" --passphrase-file "$pass" --server "$demo_url" \
        --code "$code" >>"$demo/coord.log" 2>&1 &&
      "$demo/bin/sinba" coord key-import --data "$demo/coord" --passphrase-file "$pass" \
        --in "$demo/server/coordinator-project.key" >>"$demo/coord.log" 2>&1 || {
      demo_say "the demo coordinators could not be set up (log: $demo/coord.log): case records with a codice fiscale cannot be finalised"
      return 1
    }
    echo "$demo_url" >"$demo/coord/enrolled"
  fi
  (
    trap 'exit 0' TERM
    while :; do
      "$demo/bin/sinba" coord sync --data "$demo/coord" --passphrase-file "$pass" >>"$demo/coord.log" 2>&1 || true
      sleep "${SINBA_DEMO_COORD_EVERY:-15}" & wait $!
    done
  ) &
  demo_coord_pid=$!
}

demo_coordinator_stop() {
  if [ -n "${demo_coord_pid:-}" ]; then
    kill "$demo_coord_pid" 2>/dev/null || true
    wait "$demo_coord_pid" 2>/dev/null || true
  fi
}
