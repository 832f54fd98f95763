#!/usr/bin/env bash
# Refresh the vendored Socket.IO browser client in static/vendor/ from the npm package
# `socket.io-client`. Major version 4 speaks Engine.IO 4 / Socket.IO 5, the protocol of
# python-socketio 5.x and Flask-SocketIO 5.x; do not move to another major without checking
# https://python-socketio.readthedocs.io/en/latest/intro.html#version-compatibility
#
#   scripts/update_socketio_client.sh          # newest 4.x
#   scripts/update_socketio_client.sh 4.8.1    # a given version
#
# Needs npm (it only downloads the package tarball: `npm pack`, no install, no build).
set -euo pipefail
cd "$(dirname "$0")/.."
spec="socket.io-client@${1:-4}"
vendor=static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "$spec" >/dev/null && tar xzf socket.io-client-*.tgz)
version=$(node -p "require('$work/package/package.json').version")
case "$version" in 4.*) ;; *) echo "refusing $version: only 4.x matches python-socketio 5" >&2; exit 1;; esac

cp "$work/package/dist/socket.io.min.js" "$vendor/socket.io.min.js"          # UMD, global `io`
cp "$work/package/dist/socket.io.esm.min.js" "$vendor/socket.io.esm.min.js"  # ES module (live.js)
cp "$work/package/LICENSE" "$vendor/socket.io-client.LICENSE"
integrity=$(cd "$work" && sha256sum socket.io-client-*.tgz | cut -d' ' -f1)
cat > "$vendor/socket.io-client.VERSION" <<NOTE
socket.io-client $version (npm), MIT licence: see socket.io-client.LICENSE
files: dist/socket.io.min.js, dist/socket.io.esm.min.js (unchanged)
tarball sha256: $integrity
refreshed by scripts/update_socketio_client.sh on $(date -u +%Y-%m-%d)
NOTE
echo "static/vendor now holds socket.io-client $version"
