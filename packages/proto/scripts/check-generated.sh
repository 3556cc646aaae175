#!/bin/sh
# Fails when the committed code under src/gen differs from what buf generates from proto/ now.
set -eu
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
buf generate -o "$scratch"
if ! diff -ru src/gen "$scratch/src/gen"; then
  echo "packages/proto/src/gen is stale: run 'pnpm generate' and commit the result." >&2
  exit 1
fi
