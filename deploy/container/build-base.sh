#!/usr/bin/env bash
# Builds a local stand-in for node:24-bookworm-slim where base images cannot be pulled:
# Debian bookworm (mmdebstrap, minbase) + Node 24 and its headers from the npm registry's package
# (scripts/node24, the same Node the tests run on), this machine's npm, and this machine's CA bundle
# (registries are reached through its certificate authority here).
# Cached: the tag is a hash of everything that goes in, so a second run only checks it exists.
# Prints the image reference on stdout (the last line).
set -euo pipefail
NODE_PREFIX=${NODE_PREFIX:-$(NODE24_FROM_REGISTRY=1 "$(dirname "$0")/../../scripts/node24" --prefix)}
NODE_BIN=${NODE_BIN:-$NODE_PREFIX/bin/node}
NPM_DIR=${NPM_DIR:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}
NODE_HEADERS=${NODE_HEADERS:-$NODE_PREFIX/include/node}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
SUITE=${SUITE:-bookworm}
for f in "$NODE_BIN" "$NPM_DIR/bin/npm-cli.js" "$NODE_HEADERS/node.h" "$CA_BUNDLE"; do
  [ -e "$f" ] || { echo "build-base: missing $f" >&2; exit 1; }
done
hash=$( { cat "$0" "$NODE_BIN" "$CA_BUNDLE" | sha256sum; cat "$NPM_DIR/package.json"; echo "$SUITE";
  find "$NODE_HEADERS" -type f -name '*.h' | sort | xargs cat | sha256sum; } | sha256sum | cut -c1-12)
ref="localhost/csp-node-base:24-bookworm-$hash"
if podman image exists "$ref"; then echo "$ref"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "build-base: mmdebstrap $SUITE (about a minute)" >&2
# Valid-Until is off as on this machine: its Debian mirror serves a dated snapshot.
mmdebstrap --variant=minbase --quiet \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook="copy-in '$NODE_BIN' /usr/local/bin" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" \"\$1/usr/local/include\" \"\$1/usr/local/share/ca-certificates-host\" \"\$1/usr/local/etc\"" \
  --customize-hook="copy-in '$NPM_DIR' /usr/local/lib/node_modules" \
  --customize-hook="copy-in '$NODE_HEADERS' /usr/local/include" \
  --customize-hook="upload '$CA_BUNDLE' /usr/local/share/ca-certificates-host/ca-bundle.crt" \
  --customize-hook='chroot "$1" ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm' \
  --customize-hook='chroot "$1" ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx' \
  --customize-hook='printf "cafile=/usr/local/share/ca-certificates-host/ca-bundle.crt\nnodedir=/usr/local\naudit=false\nfund=false\nupdate-notifier=false\n" > "$1/usr/local/etc/npmrc"' \
  --customize-hook='rm -rf "$1/var/lib/apt/lists/"* "$1/var/cache/apt/"*' \
  "$SUITE" "$work/rootfs.tar" >&2
podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates-host/ca-bundle.crt' \
  --change 'ENV NODE_VERSION='"$("$NODE_BIN" --version | tr -d v)" \
  --change 'CMD ["node"]' \
  "$work/rootfs.tar" "$ref" >&2
echo "$ref"
