#!/usr/bin/env bash
# Starts the real desktop app under a virtual X server, waits for its window,
# takes a screenshot and fails if no window appears or the screen is blank.
#
# Usage: cmd/tools/smoke.sh BINARY [SCREENSHOT.png]
set -euo pipefail
bin=$(realpath "$1")
shot=$(realpath -m "${2:-dist/smoke.png}")
mkdir -p "$(dirname "$shot")"

if [ -z "${SINBA_SMOKE_INNER:-}" ]; then
  export SINBA_SMOKE_INNER=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" "$bin" "$shot"
fi

data=$(mktemp -d)
log=$data/app.log
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
export LANG=it_IT.UTF-8 LIBGL_ALWAYS_SOFTWARE=1 SINBA_DATA="$data/store"
"$bin" >"$log" 2>&1 &
pid=$!

if ! timeout 120 xdotool search --sync --onlyvisible --name '^sinba' >/dev/null; then
  echo "smoke: no window appeared within 120 s; the app printed:" >&2
  cat "$log" >&2
  exit 1
fi
sleep 3 # let the first frame be painted
kill -0 "$pid" 2>/dev/null || { echo "smoke: the app exited; it printed:" >&2; cat "$log" >&2; exit 1; }
import -window root "$shot"
colours=$(convert "$shot" -format '%k' info:)
echo "smoke: window '$(xdotool search --onlyvisible --name '^sinba' getwindowname | head -n1)', screenshot $shot with $colours colours"
if [ "$colours" -lt 16 ]; then
  echo "smoke: the screen is blank ($colours colours)" >&2
  exit 1
fi
