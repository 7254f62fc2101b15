#!/usr/bin/env bash
# Drives both desktop apps under a virtual X server from the keyboard through
# the review loop: the coordinator returns a case record with a comment on one
# field, the researcher corrects that field on the laptop and finalises the
# record again, the coordinator sees it marked corrected with what changed and
# approves it. It takes a screenshot at every step and checks, at the end,
# that the central server holds the record approved by the coordinators.
#
# The set-up is headless (a demo server, the coordinator profile with
# "sinba coord init" and "key-import", the laptop with "sinba init", "enrol"
# and a finalised record with "sinba import"): the first runs in the app are
# driven by cmd/tools/drive-xvfb.sh and the UI tests.
#
# Usage: cmd/tools/drive-review-xvfb.sh [SCREENSHOT_DIR]   (default dist/drive-review; the README shows
#        four of them from assets/screenshots/loop-*.png)
# Needs: xvfb-run, xdotool, ImageMagick (import), Go with cgo and X11 headers.
# SINBA_APP_BIN and SINBA_SERVER_BIN name binaries already built instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
shots=$(realpath -m "${1:-dist/drive-review}")

drive_name="review drive"
# shellcheck source=cmd/tools/drive-lib.sh
. cmd/tools/drive-lib.sh
drive_outer "$0" "$shots"

work=$SINBA_DRIVE_WORK
mkdir -p "$shots"
export LANG=it_IT.UTF-8 LIBGL_ALWAYS_SOFTWARE=1
# A home of its own, so that the app's preferences start empty.
export HOME="$work/home"
mkdir -p "$HOME"
pass="quattro parole lunghe sicure"
printf '%s\n' "$pass" >"$work/pass"
srv() { "$work/sinba-server" "$@"; }
app() { "$work/sinba" "$@"; }

# The server: the demo project, a code for the coordinator's app.
srv demo --data "$work/server" --code-file "$work/code.txt" >/dev/null 2>"$work/demo.log"
coordcode=$(srv code --data "$work/server" --coordinator --project "Indagine pilota S.In.Ba (demo)" 2>/dev/null | tail -n1)
addr=127.0.0.1:$((20000 + RANDOM % 20000))
srv serve --data "$work/server" --addr "$addr" >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
url="http://$addr"

# The coordinator's profile and the laptop, headless; the laptop gets the
# team key and the pseudonym secret, then a finalised case record.
app coord init --data "$work/coord" --passphrase-file "$work/pass" --server "$url" --code "$coordcode" >/dev/null
app coord key-import --data "$work/coord" --passphrase-file "$work/pass" --in "$work/server/coordinator-project.key" >/dev/null
app init --data "$work/laptop" --passphrase-file "$work/pass" >/dev/null
app enrol --data "$work/laptop" --passphrase-file "$work/pass" --server "$url" --code "$(cat "$work/code.txt")" >/dev/null
app sync --data "$work/laptop" --passphrase-file "$work/pass" >/dev/null
app coord sync --data "$work/coord" --passphrase-file "$work/pass" >/dev/null
app sync --data "$work/laptop" --passphrase-file "$work/pass" >/dev/null
cat >"$work/case.jsonl" <<'EOF'
{"instrument":"scheda-minore","version":1,"municipality":"063049","status":"final","answers":{"IDBeneficiario":"DEMO7REVIEWLOOP2012A","AnnoNascita":2012,"FasciaEtaBeneficiario":"5","CodiceNazioneResidenza":"380","CodiceRegioneResidenza":"15","MinoreStranieroNoAcc":"2","CondizioneMinore":"1","LuogoVita":"1","ScuolaFrequentata":"6","CondizioneLavoro":"1","Disabilita":"2","ComposizioneFamiglia":["1","2"],"CodiceCittadinanzaMadre":"380","CodiceRegioneResidenzaMadre":"15","TitoloStudioMadre":"3","OccupazioneMadre":"1","CodiceCittadinanzaPadre":"380","CodiceRegioneResidenzaPadre":"15","TitoloStudioPadre":"3","OccupazionePadre":"1","NumeroComponentiISEE":4,"FasciaISEEBeneficiario":"2","DataPrimaSegnalazione":"03/2023","FonteSegnalazione":"2","ValutazioneMinore":"1","ValutazioneFamigliaMinore":"1","SegnalazioneAutoritaGiudiziaria":"2","ProvvedimentoGiudiziario":"2","CodicePrestazione":["A1.01"],"CollaborazioniInterventi":"1"}}
EOF
app import --data "$work/laptop" --passphrase-file "$work/pass" "$work/case.jsonl" >/dev/null
app sync --data "$work/laptop" --passphrase-file "$work/pass" >/dev/null
app coord sync --data "$work/coord" --passphrase-file "$work/pass" >/dev/null

win=""
running=""
start() { # start ARGS...: opens the app and waits for its window
  "$work/sinba" "$@" >>"$work/app.log" 2>&1 &
  running=$!
  trap 'kill "$running" "$server" 2>/dev/null || true' EXIT
  win=$(timeout 120 xdotool search --sync --onlyvisible --name '^sinba' | head -n1) || {
    echo "review drive: no window; the app printed:" >&2
    cat "$work/app.log" >&2
    exit 1
  }
  xdotool windowmove "$win" 0 0 windowsize "$win" 1280 800
  sleep 2
}
stop() { # closes the app
  kill "$running" 2>/dev/null || true
  wait "$running" 2>/dev/null || true
  sleep 1
}
step=0
shot() { # shot NAME [WAIT]: waits for the screen to settle, then saves it
  sleep "${2:-1.5}"
  step=$((step + 1))
  name="loop-$(printf '%02d' "$step")-$1.png"
  import -window root "$shots/$name"
  echo "review drive: $name · $(xdotool getwindowname "$win")"
}

# The coordinator opens the record sent by the laptop and returns it with a
# comment on the year of birth.
start --coordinator --data "$work/coord"
expect_title "Apri il profilo di coordinamento"
typ "$pass"
key Return
expect_title "Coordinamento"
key ctrl+2 # the review tab, the cursor in its queue
key space  # the first record of the queue
shot review-record
key Tab Tab Tab # past the printout button and the history, to the field picker
key Right Right # (tutta la scheda) → Codice pseudonimo → Anno di nascita
key Tab
typ "Anno di nascita da verificare sul fascicolo"
key Return # adds the comment
shot review-comment
key Tab Tab Tab Tab # the add button, the comment's delete button, Approva, Restituisci
key space
shot review-return-confirm 1
key Return
sleep 3
shot review-returned
stop

# The researcher gets the return, corrects the year of birth and finalises
# the record again.
start --data "$work/laptop"
expect_title "Apri"
typ "$pass"
key Return
expect_title "Panoramica"
key ctrl+r
sleep 4
key ctrl+2
expect_title "Schede"
key Return # the search: Enter opens the first record, the returned one
sleep 2
shot laptop-returned
key ctrl+Next # from the identification to the child's page
sleep 1
key Tab Tab Tab # past the pseudonym, to the year of birth
key ctrl+a
typ "2013"
shot laptop-corrected
key ctrl+Return # finalise
sleep 2
shot laptop-finalised
key ctrl+r
sleep 5
stop

# The coordinator downloads, sees the record marked corrected with what
# changed, and approves it.
start --coordinator --data "$work/coord"
expect_title "Apri il profilo di coordinamento"
typ "$pass"
key Return
expect_title "Coordinamento"
key ctrl+r
sleep 5
key ctrl+2
key space
shot review-corrected
key Tab Tab Tab Tab Tab Tab # printout, history, field picker, comment, add, Approva
key space
shot review-approve-confirm 1
key Return
sleep 3
shot review-approved
stop

kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true

# The server must hold the record approved by the coordinators.
status=$(srv status --data "$work/server")
echo "$status" | sed 's/^/review drive: server: /'
if ! echo "$status" | grep -Eq 'scheda-minore +approved +1 '; then
  echo "review drive: the record is not approved on the server" >&2
  exit 1
fi
echo "review drive: screenshots in $shots"
