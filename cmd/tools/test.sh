#!/usr/bin/env bash
# Runs every test of sinba on a fresh Debian machine: it installs what is
# missing (cmd/tools/setup.sh), then checks formatting and vet, proves the
# domain, store, sync and server build without cgo or Fyne, runs all the Go
# tests (UI tests through Fyne's test driver, fuzz corpora as regression
# tests, SINBA flows against INPS's schema with xmllint), builds the Linux and
# Windows release binaries, and starts the real app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash cmd/tools/setup.sh test
# The app speaks Italian first; a bare C locale also makes Fyne log a parse error.
case "${LANG:-C}" in C|C.*|POSIX) export LANG=it_IT.UTF-8 ;; esac
tags=migrated_fynedo
# PostgreSQL's server programs on PATH (Debian keeps them in a folder per
# major version), and the server's PostgreSQL tests made compulsory: without
# PostgreSQL they fail instead of skipping.
PATH="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1):$PATH"
export PATH SINBA_TEST_POSTGRES=1
step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  printf 'gofmt would change:\n%s\n' "$unformatted" >&2
  exit 1
fi

step "go vet"
go vet -tags "$tags" ./...

step "no cgo and no Fyne in survey, localdb, sync and the server"
CGO_ENABLED=0 go build ./survey/... ./localdb/... ./sync/... ./cmd/sinba-server/... ./cmd/sinba/internal/cli/...

step "release builds: Linux and Windows desktop app, Linux server"
bash cmd/tools/release.sh

step "smoke test: the real app under Xvfb"
bash cmd/tools/smoke.sh dist/linux-amd64/sinba dist/smoke.png

step "the real app driven from the keyboard under Xvfb: first run, a case record, sync to a local server, a repeat group, finalising with a warning"
SINBA_APP_BIN=dist/linux-amd64/sinba SINBA_SERVER_BIN=dist/linux-amd64/sinba-server bash cmd/tools/drive-xvfb.sh dist/drive

step "both apps driven from the keyboard under Xvfb through the review loop: return with a field comment, correction, approval"
SINBA_APP_BIN=dist/linux-amd64/sinba SINBA_SERVER_BIN=dist/linux-amd64/sinba-server bash cmd/tools/drive-review-xvfb.sh dist/drive-review

step "run.sh's demo server: the port held by another program, run twice, the enrolled laptop's port kept"
SINBA_APP_BIN=dist/linux-amd64/sinba SINBA_SERVER_BIN=dist/linux-amd64/sinba-server bash cmd/tools/run-test.sh

step "go test"
go test -tags "$tags" -timeout 40m ./...
