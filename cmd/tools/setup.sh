#!/usr/bin/env bash
# Installs what building, running and testing sinba needs on Debian or Ubuntu:
# the C toolchain and the X11/OpenGL headers Fyne's GLFW driver compiles
# against, the MinGW cross-compiler for the Windows build, Xvfb, xdotool and
# ImageMagick for headless runs and screenshots, xmllint to validate SINBA
# flows against INPS's schema, PSPP to run the SPSS syntax the exports
# write, and poppler-utils (pdfinfo, pdftotext) to read back the PDF
# printouts, and PostgreSQL (Debian's postgresql package: the server's
# suite, fault and load runs also run against a throwaway cluster the tests
# start in a temporary folder; no cluster of the package's own is made or
# started). It installs only what is missing.
#
# Usage: cmd/tools/setup.sh [build|run|test]   (default: test, the full set)
set -euo pipefail

need=${1:-test}
pkgs=(gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev)
case "$need" in
  build) ;;
  run) pkgs+=(libgl1-mesa-dri xvfb xauth) ;;
  test) pkgs+=(libgl1-mesa-dri xvfb xauth x11-utils xdotool imagemagick libxml2-utils pspp poppler-utils gcc-mingw-w64-x86-64 postgresql) ;;
  *) echo "setup.sh: unknown set '$need' (build, run or test)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  # The package would make and start a cluster "main" of its own: the tests
  # start theirs, so none is wanted (postgresql-common reads this file).
  if [[ " ${missing[*]} " == *" postgresql "* && ! -e /etc/postgresql-common/createcluster.conf ]]; then
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null; then
  for d in /usr/local/go/bin /usr/lib/go/bin; do [ -x "$d/go" ] && export PATH="$d:$PATH" && break; done
fi
command -v go >/dev/null || { echo "setup: Go is not installed (Go $(sed -n 's/^go //p' "$(dirname "$0")/../../go.mod") or newer is needed)" >&2; exit 1; }

# Where PostgreSQL's server programs (initdb, pg_ctl, postgres) are: Debian
# keeps them out of PATH, one folder per major version; the newest wins.
if [ "$need" = test ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$pgbin/initdb" ] || { echo "setup: PostgreSQL's initdb is not in /usr/lib/postgresql/*/bin" >&2; exit 1; }
fi
