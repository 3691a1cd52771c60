#!/usr/bin/env bash
# Installs what the benchmark peers need; safe to run again (installs only what is missing).
#   Debian: postgresql-15 postgresql-client-15 sqlite3 (+ python3, coreutils' stdbuf, node/npm
#           when absent), with sudo when not root.
#   npm:    bench/package.json's dependencies (@duckdb/node-api, @cedar-policy/cedar-wasm)
#           into bench/node_modules: `npm ci` from package-lock.json (npm install without one).
#           Skipped when node_modules is already newer than the lock file and both packages
#           resolve; PEER_SETUP_FORCE=1 reinstalls.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench=$(dirname "$here")
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi

missing=()
for pkg in postgresql-15 postgresql-client-15 sqlite3; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
command -v python3 >/dev/null || missing+=(python3)
command -v stdbuf >/dev/null || missing+=(coreutils)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cd "$bench"
pkgver() {  # version of an installed package, read from its package.json
  node -p "require('./node_modules/$1/package.json').version" 2>/dev/null || echo missing
}
resolves() {
  [ "$(pkgver @duckdb/node-api)" != missing ] && [ "$(pkgver @cedar-policy/cedar-wasm)" != missing ] \
    && node -e 'require("@duckdb/node-api")' >/dev/null 2>&1
}
if [ "${PEER_SETUP_FORCE:-0}" != 1 ] && [ -f package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] && resolves; then
  echo "setup: bench/node_modules up to date"
elif [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi

echo "setup: sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(/usr/lib/postgresql/15/bin/postgres --version)," \
  "@duckdb/node-api $(pkgver @duckdb/node-api), @cedar-policy/cedar-wasm $(pkgver @cedar-policy/cedar-wasm)"
