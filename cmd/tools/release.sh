#!/usr/bin/env bash
# Builds the release binaries into dist/:
#   dist/linux-amd64/sinba          the desktop app for Linux
#   dist/linux-amd64/sinba-server   the central server for Linux (no cgo)
#   dist/windows-amd64/sinba.exe    the desktop app for Windows (no console window)
#   dist/windows-amd64/sinba-console.exe  the same program with a console, for
#                                   the headless commands (sinba sync, sinba cf, ...)
# With --package it also makes the Linux desktop package (a .tar.xz with the
# icon and the .desktop file) with Fyne's packaging tool, which reads
# cmd/sinba/FyneApp.toml.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash cmd/tools/setup.sh test

version=$(sed -n 's/^ *Version = "\(.*\)"/\1/p' FyneApp.toml)
tags=migrated_fynedo
ldflags="-s -w"
mkdir -p dist/linux-amd64 dist/windows-amd64

echo "release: linux desktop app $version"
CGO_ENABLED=1 go build -tags "$tags" -trimpath -ldflags "$ldflags" -o dist/linux-amd64/sinba ./cmd/sinba

echo "release: linux server $version"
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o dist/linux-amd64/sinba-server ./cmd/sinba-server

echo "release: windows desktop app $version (cross-compiled with MinGW-w64)"
export GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++
go build -tags "$tags" -trimpath -ldflags "$ldflags -H=windowsgui" -o dist/windows-amd64/sinba.exe ./cmd/sinba
go build -tags "$tags" -trimpath -ldflags "$ldflags" -o dist/windows-amd64/sinba-console.exe ./cmd/sinba
unset GOOS GOARCH CC CXX

if [ "${1:-}" = "--package" ]; then
  echo "release: linux package with Fyne's packaging tool"
  (cd cmd/sinba && go run fyne.io/tools/cmd/fyne@v1.7.4 package -os linux -release -tags "$tags")
  mv cmd/sinba/*.tar.xz dist/linux-amd64/
fi
ls -l dist/*/
