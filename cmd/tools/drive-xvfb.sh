#!/usr/bin/env bash
# Drives the real desktop app under a virtual X server with the keyboard, as a
# field researcher would: first run (language, passphrase, recovery key,
# enrolment with a local demo server), a case record typed from the keyboard,
# save, and a sync to the local server. It takes a screenshot at every step.
#
# Usage: cmd/tools/drive-xvfb.sh [SCREENSHOT_DIR]   (default assets/screenshots)
# Needs: xvfb-run, xdotool, ImageMagick (import), Go with cgo and X11 headers.
# SINBA_APP_BIN and SINBA_SERVER_BIN name binaries already built instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
shots=$(realpath -m "${1:-assets/screenshots}")

drive_name="drive"
# shellcheck source=cmd/tools/drive-lib.sh
. cmd/tools/drive-lib.sh
drive_outer "$0" "$shots"

work=$SINBA_DRIVE_WORK
mkdir -p "$shots"
addr=127.0.0.1:$((20000 + RANDOM % 20000))
"$work/sinba-server" demo --data "$work/server" --code-file "$work/code.txt" >/dev/null
"$work/sinba-server" serve --data "$work/server" --addr "$addr" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

export LANG=it_IT.UTF-8 LIBGL_ALWAYS_SOFTWARE=1
# A home of its own, so that the app's preferences start empty.
export HOME="$work/home"
mkdir -p "$HOME"
"$work/sinba" --data "$work/laptop" --server "http://$addr" --code "$(cat "$work/code.txt")" >"$work/app.log" 2>&1 &
app=$!
trap 'kill "$app" "$server" 2>/dev/null || true' EXIT

win=$(timeout 120 xdotool search --sync --onlyvisible --name '^sinba' | head -n1) || {
  echo "drive: no window; the app printed:" >&2
  cat "$work/app.log" >&2
  exit 1
}
xdotool windowmove "$win" 0 0 windowsize "$win" 1280 800
sleep 2

step=0
shot() { # shot NAME: waits for the screen to settle, then saves it
  sleep "${2:-1.5}"
  step=$((step + 1))
  import -window root "$shots/$(printf '%02d' "$step")-$1.png"
  echo "drive: $(printf '%02d' "$step")-$1.png · $(xdotool getwindowname "$win")"
}

# First run: the language (Italian by default), focus on "Continua".
expect_title "Lingua"
shot language
key space

# The passphrase, with its strength, typed twice; Enter creates the store.
expect_title "Benvenuto"
typ "quattro parole lunghe sicure"
key Return # Enter goes on to the confirmation
typ "quattro parole lunghe sicure"
shot passphrase
key Return

# The recovery key, shown once; confirm it is written down, then continue.
expect_title "Chiave di recupero"
key space
shot recovery-key
key Tab space

# Enrolment, prefilled by the demo set-up: Tab to the code, Enter.
expect_title "Collega al server"
shot enrol
key Tab
key Return

# A first sync brings the team's municipalities; then the overview.
expect_title "Panoramica"
key ctrl+r
expect_title "Sincronizzazione"
sleep 4
key ctrl+1
expect_title "Panoramica"
shot overview 2

# A new case record from the keyboard: identification, then the child.
key ctrl+n
sleep 1
key space # the municipality: the first of the team's
expect_title "Scheda minore"
sleep 1
typ "Esposito"
key Tab Tab Tab
typ "Gennaro"
key Tab Tab Tab
key space Down Return # sex: the list opens, the first choice
shot case-identity
key ctrl+Next
sleep 1
typ "PSEUDO42"
key Tab Tab Tab
typ "2013"
shot case-child
key ctrl+s
shot case-saved 2.5

# Sync to the local server: progress, then the receipt in plain words.
key ctrl+r
expect_title "Sincronizzazione"
shot sync 4

# The case list with the new record.
key ctrl+2
expect_title "Schede"
shot case-list

kill "$app" 2>/dev/null || true
wait "$app" 2>/dev/null || true
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true

# The record typed from the keyboard must have reached the central server.
status=$("$work/sinba-server" status --data "$work/server")
echo "$status" | sed 's/^/drive: server: /'
if ! echo "$status" | grep -Eq 'scheda-minore +[a-z]+ +1 '; then
  echo "drive: the case record typed in the app did not reach the server" >&2
  exit 1
fi
echo "drive: screenshots in $shots"
