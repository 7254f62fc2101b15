#!/usr/bin/env bash
# Runs sinba on this machine: installs what is missing, builds the server and
# the desktop app, starts a central server on loopback with a demo project
# (its own SQLite file), and opens the desktop app with the server address and
# an enrolment code filled in. Everything lives under .demo/ in this folder
# (or $SINBA_DEMO_DIR); delete it to start again from scratch.
#
# Without a display (no $DISPLAY) the app runs under Xvfb and a screenshot is
# written to .demo/screen.png every 10 seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash cmd/tools/setup.sh run
# The app speaks Italian first; a bare C locale also makes Fyne log a parse error.
case "${LANG:-C}" in C|C.*|POSIX) export LANG=it_IT.UTF-8 ;; esac

demo=${SINBA_DEMO_DIR:-$PWD/.demo}
addr=${SINBA_DEMO_ADDR:-127.0.0.1:8470}
mkdir -p "$demo/bin"

echo "run: building (the first build of the desktop app compiles GLFW and takes a few minutes)"
CGO_ENABLED=0 go build -o "$demo/bin/sinba-server" ./cmd/sinba-server
go build -tags migrated_fynedo -o "$demo/bin/sinba" ./cmd/sinba

if [ ! -f "$demo/server/enrolment-code.txt" ]; then
  echo "run: creating the demo project on the server"
  "$demo/bin/sinba-server" demo --data "$demo/server" --code-file "$demo/server/enrolment-code.txt"
fi
code=$(cat "$demo/server/enrolment-code.txt")

"$demo/bin/sinba-server" serve --data "$demo/server" --addr "$addr" >"$demo/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "run: the server stopped; its log:" >&2; cat "$demo/server.log" >&2; exit 1; }
  sleep 0.2
done
echo "run: central server on http://$addr (log: $demo/server.log)"
echo "run: enrolment code for the demo team: $code"

app=("$demo/bin/sinba" --data "$demo/laptop" --server "http://$addr" --code "$code")
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  "${app[@]}"
else
  echo "run: no display: running the app under Xvfb; screenshots in $demo/screen.png"
  SINBA_SCREEN="$demo/screen.png" xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    "$@" & app=$!
    while kill -0 $app 2>/dev/null; do sleep 10; import -window root "$SINBA_SCREEN" 2>/dev/null || true; done' _ "${app[@]}"
fi
