#!/usr/bin/env bash
# Runs one SDK check (batch.mjs, batch-kill.mjs, openai-surface.mjs) with the official `openai`
# npm package against a running bridge: SLUICE_URL (default http://localhost:8080/v1),
# SLUICE_API_KEY, SLUICE_APP. Installs the pinned SDK into this folder's node_modules first.
set -euo pipefail
cd "$(dirname "$0")"
[ $# -ge 1 ] || { echo "usage: $0 batch.mjs|batch-kill.mjs|openai-surface.mjs" >&2; exit 2; }
[ -d node_modules/openai ] || npm install --no-audit --no-fund --silent
exec node "$@"
