# Shared by the scripts that drive the real desktop app under Xvfb from the
# keyboard (drive-xvfb.sh, drive-review-xvfb.sh). Source it, set drive_name,
# then call drive_outer "$0" "$shots" first.

# drive_outer SCRIPT SHOTS: outside Xvfb, builds the server and the desktop
# app (or copies SINBA_SERVER_BIN and SINBA_APP_BIN) into a temporary folder
# and runs SCRIPT again under xvfb-run, then exits with its status; inside,
# it returns and SINBA_DRIVE_WORK names the folder.
drive_outer() {
  [ -n "${SINBA_DRIVE_INNER:-}" ] && return 0
  drive_work=$(mktemp -d)
  trap 'rm -rf "$drive_work"' EXIT
  echo "$drive_name: building the server and the desktop app"
  if [ -n "${SINBA_SERVER_BIN:-}" ]; then
    cp "$SINBA_SERVER_BIN" "$drive_work/sinba-server"
  else
    CGO_ENABLED=0 go build -o "$drive_work/sinba-server" ./cmd/sinba-server
  fi
  if [ -n "${SINBA_APP_BIN:-}" ]; then
    cp "$SINBA_APP_BIN" "$drive_work/sinba"
  else
    go build -tags migrated_fynedo -o "$drive_work/sinba" ./cmd/sinba
  fi
  local st=0
  SINBA_DRIVE_INNER=1 SINBA_DRIVE_WORK="$drive_work" xvfb-run -a -s "-screen 0 1280x800x24" bash "$1" "$2" || st=$?
  exit "$st"
}

# The app must see a focus change before the next characters arrive.
key() { xdotool key --delay 150 "$@"; sleep 0.5; }
typ() { xdotool type --delay 40 "$1"; }

# expect_title TEXT: fails unless the title of window $win contains TEXT
# (it saves the screen as $shots/failed.png and prints the app's log).
expect_title() {
  for _ in $(seq 40); do
    xdotool getwindowname "$win" | grep -q -- "$1" && return 0
    sleep 0.25
  done
  import -window root "$shots/failed.png"
  echo "$drive_name: expected a window titled '*$1*', got '$(xdotool getwindowname "$win")' (see $shots/failed.png)" >&2
  cat "$SINBA_DRIVE_WORK/app.log" >&2
  exit 1
}
