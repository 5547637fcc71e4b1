#!/usr/bin/env bash
# Opt-in: gpu.js's headlessgl mode (WebGL 1 under Node, the native `gl` package) with tsgrad's
# conformance suite. Never part of `npm ci`: `gl` builds ANGLE from source (about 30 minutes on
# two cores) and needs an X server. Built OUTSIDE the repository, in $GL_DIR, and found through
# NODE_PATH (gpu.js requires 'gl' lazily, from CommonJS).
#
#   bash scripts/gpu-headlessgl.sh            # build once (if needed), then test
#   GL_DIR=/somewhere bash scripts/gpu-headlessgl.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GL_DIR=${GL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tsgrad-headlessgl}
GL_VERSION=8.1.6   # the version gpu.js 2.24.1 names as its optional dependency

sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
missing=$(for p in libxi-dev libglu1-mesa-dev libxext-dev libx11-dev xvfb xauth build-essential python3 pkg-config; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [ -n "$missing" ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

if [ ! -f "$GL_DIR/node_modules/gl/build/Release/webgl.node" ]; then
  mkdir -p "$GL_DIR"
  ( cd "$GL_DIR"
    [ -f package.json ] || npm init -y >/dev/null
    # npm 11 runs no install script it was not allowed to: this fetches the sources only
    npm install --no-audit --no-fund "gl@$GL_VERSION"
    # gl's own script tries prebuild-install (a download from GitHub) first; build from source with
    # the local Node headers instead (node-gyp would download them otherwise)
    node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
    node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
    cd node_modules/gl
    node "$node_gyp" rebuild --nodedir="$node_prefix" -j "$(nproc)" )
fi

NODE_PATH="$GL_DIR/node_modules" TSGRAD_HEADLESSGL=1 \
  xvfb-run -a -s "-screen 0 1280x1024x24" npx vitest run packages/gpu/src/headlessgl.test.ts
