#!/bin/sh
# Installs the Debian packages HyOpps needs (as root), or says exactly what to
# install. Usage: tools/deps.sh build|test
set -eu
build_pkgs="gcc make pkg-config libc6-dev libcrypt-dev libncurses-dev libsqlite3-dev
libcurl4-openssl-dev libcjson-dev libsodium-dev libjwt-dev libinih-dev libcsv-dev"
test_pkgs="libcmocka-dev tmux python3 python3-aiosmtpd openssl openssh-server
openssh-client sqlite3 procps strace"
case "${1:-build}" in
  build) want="$build_pkgs" ;;
  test)  want="$build_pkgs $test_pkgs" ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "HyOpps needs these Debian packages. Install them with:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once if an install fails.
if ! apt-get install -y -q --no-install-recommends $missing </dev/null; then
  apt-get update -q </dev/null
  apt-get install -y -q --no-install-recommends $missing </dev/null
fi
