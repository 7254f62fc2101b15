#!/usr/bin/env bash
# Drives the real desktop app under a virtual X server with the keyboard, as a
# field researcher would: first run (language, passphrase, recovery key,
# enrolment with a local demo server), a case record typed from the keyboard,
# save, and a sync to the local server; then a second record with an item of
# a repeat group, finalised with a warning confirmed from the keyboard. It
# takes a screenshot at every step.
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

# A second record, filled to be finalised: every required answer, an item
# of the interventions' repeat group, and a year of birth that leaves only a
# warning (the child may already be 18 at the reference date). Choices are
# picked by typing their code; Enter moves on to the next question. The
# years follow today's: born 18 years ago, the child is 17 or 18 at the
# reference date (today), a warning; a year earlier would be an error.
born=$(($(date +%Y) - 18))
key ctrl+n
sleep 1
key space
expect_title "Scheda minore"
sleep 1
typ "Russo"
key Tab Tab Tab
typ "Maria"
key Tab Tab Tab
key space Down Return
key ctrl+Next # Minore
sleep 1
typ "PSEUDO43"
key Tab Tab Tab
typ "$born"  # the age band follows by itself (6, 15-18)
key Tab Tab Tab
shot case-warning # the warning under the year, the sidebar's badge
key Return   # the age band as proposed: on to the country
key space    # the country's search
sleep 1
typ "Italia"
sleep 1
key Return   # 380 Italia; the region follows from the municipality
key Tab Tab Tab Tab Tab Tab
for code in 2 1 1 7 1 2; do # not unaccompanied ... no disability
  typ "$code"
  key Return
done
key ctrl+Next # Famiglia: the first member of the household
sleep 1
key space
key ctrl+Next # Segnalazione
sleep 1
typ "03/$((born + 10))"
key Tab Tab Tab
typ 1
key Return
key ctrl+Next # Valutazione
sleep 1
for code in 1 1; do typ "$code"; key Return; done
key ctrl+Next # Autorità giudiziaria
sleep 1
for code in 2 2; do typ "$code"; key Return; done

# Interventi: the focus starts on the first of the 39 benefit codes; Alt+A
# adds an item to the section's repeat group from there (the group after the
# focused field), with the focus on the new item's first field.
key ctrl+Next
sleep 1
shot group-add
key alt+a
sleep 1
typ "A1.09"
key Tab Tab Tab # "not held", note (the list's arrow is no Tab stop)
typ "Telesoccorso per la famiglia"
key Tab Tab Tab
typ "01/$((born + 17))"
shot group-item

# Finalise from the keyboard: the warning asks for confirmation, and Enter
# confirms it (the dialog's default button).
key ctrl+Return
shot finalise-warnings
key Return
shot finalised 2.5

# The finalised record goes to the server at the next sync.
key ctrl+r
expect_title "Sincronizzazione"
sleep 4
key ctrl+2
expect_title "Schede"
shot case-list-final

kill "$app" 2>/dev/null || true
wait "$app" 2>/dev/null || true
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true

# The record typed from the keyboard must have reached the central server.
status=$("$work/sinba-server" status --data "$work/server")
echo "$status" | sed 's/^/drive: server: /'
if ! echo "$status" | grep -Eq 'scheda-minore +draft +1 '; then
  echo "drive: the case record typed in the app did not reach the server" >&2
  exit 1
fi
# Final only through the confirmation of its warning, and only with an item
# of the repeat group holding its code (the record ticks no benefit code, and
# a SINBA record needs one): an error would have kept it a draft.
if ! echo "$status" | grep -Eq 'scheda-minore +final +1 '; then
  echo "drive: the record with a repeat group item and a warning was not finalised (see $shots)" >&2
  exit 1
fi
echo "drive: screenshots in $shots"
