#!/usr/bin/env bash
# The real-VS-Code suite in one script, for CI and newcomers alike (`npm run test:e2e`):
#   1. Debian packages code-server and Chromium need (apt, when missing; needs root),
#   2. code-server 4.100.3 (VS Code 1.100.3) into .e2e/cs, the way that works offline
#      (see /work/shared/recipes/vscode-e2e.md), once,
#   3. the build and the .vsix (npm run build, node scripts/package-extension.js package),
#   4. the playwright-core suite (out/test/e2e/run.js): screenshots in test-output/,
#      last line `N passed, M failed`.
# Set OPTLINT_E2E_SKIP_BUILD=1 to reuse an existing build and .vsix.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${OPTLINT_E2E_WORK:-$ROOT/.e2e}"
CS_VERSION=4.100.3
cd "$ROOT"
started=$(date +%s)

# neovim: the second LSP client the suite checks optlint lsp --stdio with.
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium neovim)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "e2e: apt packages missing and not root: apt-get install -y ${missing[*]}" >&2; exit 2; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

CS="$WORK/cs"
ENTRY="$CS/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS/.installed-$CS_VERSION" ]; then
  echo "e2e: installing code-server $CS_VERSION into $CS"
  rm -rf "$CS"; mkdir -p "$CS"
  echo '{ "name": "optlint-e2e-code-server", "private": true }' > "$CS/package.json"
  (
    cd "$CS"
    npm_config_unsafe_perm=true npm install --ignore-scripts --no-audit --no-fund "code-server@$CS_VERSION" >/dev/null
    cd node_modules/code-server/lib/vscode
    npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null
    npm_config_yes=true npm rebuild @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty >/dev/null
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
    cd "$CS"
    npm rebuild argon2 >/dev/null
  )
  test -f "$ENTRY"
  touch "$CS/.installed-$CS_VERSION"
fi
echo "e2e: code-server ready ($(( $(date +%s) - started )) s)"

if [ "${OPTLINT_E2E_SKIP_BUILD:-}" != 1 ]; then
  npm run --silent build
  node scripts/package-extension.js package >/dev/null
fi
VSIX="$(ls -t "$ROOT"/optlint-*.vsix | head -1)"
echo "e2e: testing $(basename "$VSIX") ($(du -k "$VSIX" | cut -f1) KiB), build done ($(( $(date +%s) - started )) s)"

export OPTLINT_E2E_WORK="$WORK" OPTLINT_VSIX="$VSIX"
set +e
node out/test/e2e/run.js
status=$?
set -e
echo "e2e: finished in $(( $(date +%s) - started )) s"
exit $status
