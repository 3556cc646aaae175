#!/bin/sh
# Fails when proto/ breaks the contract as main has it (buf's FILE rules, set in proto/buf.yaml).
#
# What it compares against (the committed proto/ of one commit, extracted with git archive, so it
# works the same in a worktree, a fresh clone or a shallow one):
#   - BUF_BREAKING_AGAINST, when set: any git revision; it must exist.
#   - On a branch: the commit where it left main (git merge-base HEAD main), so only this branch's
#     own changes count, not what main gained since.
#   - On main itself (CI runs on a clone of main): main's previous commit, i.e. the last change.
#   - Neither main nor origin/main in this clone (a detached checkout of something else), or no
#     previous commit (a shallow clone of depth 1): skipped, with a loud message.
set -eu

warn_skip() {
  {
    echo "================================================================================"
    echo "  SKIPPED: buf breaking — $1"
    echo "  The contract was NOT checked for breaking changes."
    echo "================================================================================"
  } >&2
  exit 0
}

top=$(git rev-parse --show-toplevel 2>/dev/null) || warn_skip "not inside a git checkout"

if [ -n "${BUF_BREAKING_AGAINST:-}" ]; then
  base=$(git rev-parse --verify --quiet "${BUF_BREAKING_AGAINST}^{commit}") ||
    { echo "BUF_BREAKING_AGAINST=$BUF_BREAKING_AGAINST is not a commit in this clone." >&2; exit 1; }
  what="$BUF_BREAKING_AGAINST"
else
  main=""
  for candidate in refs/heads/main refs/remotes/origin/main; do
    if git rev-parse --verify --quiet "$candidate^{commit}" >/dev/null; then main=$candidate; break; fi
  done
  [ -n "$main" ] || warn_skip "no 'main' or 'origin/main' branch in this clone (set BUF_BREAKING_AGAINST to a revision)"
  head=$(git rev-parse HEAD)
  if base=$(git merge-base HEAD "$main" 2>/dev/null); then
    what="where this branch left ${main#refs/*/}"
  else
    # A shallow clone may lack the common ancestor: fail closed against main's tip.
    base=$(git rev-parse "$main")
    what="${main#refs/*/} (no common ancestor in this shallow clone)"
  fi
  if [ "$base" = "$head" ]; then
    # HEAD is on main: the change to check is HEAD's own.
    base=$(git rev-parse --verify --quiet "HEAD~1^{commit}") ||
      warn_skip "HEAD is ${main#refs/*/} and its previous commit is not in this (shallow) clone"
    what="the commit before HEAD, which is on ${main#refs/*/}"
  fi
fi

short=$(git rev-parse --short "$base")
if ! git cat-file -e "$base:proto" 2>/dev/null; then
  echo "buf breaking: $short has no proto/; nothing to compare against."
  exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$top"
git archive "$base" proto | tar -x -C "$scratch"
if ! buf breaking proto --against "$scratch/proto"; then
  cat >&2 <<EOF
proto/ breaks the contract compared with $short ($what).
Callers built against it would break: add a field, message or RPC instead of renaming, renumbering or
removing one; a deliberate break needs a new package version (v2) beside v1.
EOF
  exit 1
fi
echo "buf breaking: proto/ is compatible with $short ($what)."
