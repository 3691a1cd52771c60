#!/usr/bin/env bash
# Installs, builds and runs the main job on the embedded default: a demo tenant in
# ./fairlead-data (SQLite) with generated people imported through the full path,
# then decisions explained.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build/fairlead --data "${FAIRLEAD_DATA:-./fairlead-data}" demo "$@"
