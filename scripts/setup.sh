#!/usr/bin/env bash
# Installs everything fairlead needs to build and test, from Debian's packages.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  libsqlite3-dev sqlite3 libsodium-dev nettle-dev libphonenumber-dev libre2-dev libprotobuf-dev libabsl-dev libicu-dev libidn2-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libgtest-dev libgmock-dev libcurl4-openssl-dev
  python3 python3-aiosmtpd openssl
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
