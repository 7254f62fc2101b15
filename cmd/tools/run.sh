#!/usr/bin/env bash
# Runs sinba on this machine: installs what is missing, builds the server and
# the desktop app, starts a central server on loopback with a demo project
# (its own SQLite file), and opens the desktop app with the server address and
# an enrolment code filled in. Everything lives under .demo/ in this folder
# (or $SINBA_DEMO_DIR); delete it to start again from scratch.
#
# The server listens on 127.0.0.1:8470, or on a free port when another
# program holds 8470; the port is kept in .demo/server.port, since the
# enrolled laptop remembers the server's address. A second run while the
# first still runs uses the first's server and does not open a second app on
# the same laptop folder. SINBA_DEMO_ADDR changes the first choice.
#
# Beside the server, the demo's coordinators run headless (demo_coordinator_up
# in demo-server.sh): they download every 15 seconds and so hand the laptop
# the project's pseudonym secret once it has enrolled.
#
# Without a display (no $DISPLAY) the app runs under Xvfb and a screenshot is
# written to .demo/screen.png every 10 seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash cmd/tools/setup.sh run
# The app speaks Italian first; a bare C locale also makes Fyne log a parse error.
case "${LANG:-C}" in C|C.*|POSIX) export LANG=it_IT.UTF-8 ;; esac

demo=${SINBA_DEMO_DIR:-$PWD/.demo}
mkdir -p "$demo/bin"
# shellcheck source=cmd/tools/demo-server.sh
. cmd/tools/demo-server.sh
if pid=$(cat "$demo/app.pid" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
  ps -p "$pid" -o args= 2>/dev/null | grep -qF -- "--data $demo/laptop "; then
  demo_say "the demo app already runs from $demo/laptop (pid $pid): use its window, or close it and start again"
  exit 1
fi

echo "run: building (the first build of the desktop app compiles GLFW and takes a few minutes)"
demo_running >/dev/null || CGO_ENABLED=0 go build -o "$demo/bin/sinba-server" ./cmd/sinba-server
go build -tags migrated_fynedo -o "$demo/bin/sinba" ./cmd/sinba

if [ ! -f "$demo/server/enrolment-code.txt" ]; then
  echo "run: creating the demo project on the server"
  "$demo/bin/sinba-server" demo --data "$demo/server" --code-file "$demo/server/enrolment-code.txt"
fi
code=$(cat "$demo/server/enrolment-code.txt")

trap 'demo_coordinator_stop; demo_stop' EXIT
demo_server_up || exit 1
echo "run: central server on $demo_url (log: $demo/server.log)"
if demo_coordinator_up; then
  echo "run: the demo coordinators download every ${SINBA_DEMO_COORD_EVERY:-15} s and hand the laptop the pseudonym secret (profile: $demo/coord, passphrase in $demo/coord-passphrase.txt)"
fi
echo "run: enrolment code for the demo team: $code"

app=("$demo/bin/sinba" --data "$demo/laptop" --server "$demo_url" --code "$code")
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  "${app[@]}" & echo $! >"$demo/app.pid"
  wait $! || true
else
  echo "run: no display: running the app under Xvfb; screenshots in $demo/screen.png"
  SINBA_APP_PID="$demo/app.pid" SINBA_SCREEN="$demo/screen.png" xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    "$@" & app=$!; echo $app >"$SINBA_APP_PID"
    while kill -0 $app 2>/dev/null; do sleep 10; import -window root "$SINBA_SCREEN" 2>/dev/null || true; done' _ "${app[@]}"
fi
