#!/usr/bin/env bash
# The cost of one search request before and after a change, in one run on this machine:
#   bash bench/compare_request_cost.sh [BEFORE_REVISION] [request_cost.py options]
# Checks BEFORE_REVISION (default: the commit before the search module) out into a temporary worktree, runs this
# tree's harness (request_cost.py, common.py, serving.py) against each tree's own code and database, and prints
# both tables.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:-dab32b6}
shift || true
python=$(pwd)/.venv/bin/python
worktree=$(mktemp -d)/before
git worktree add --quiet --detach "$worktree" "$before"
trap 'git worktree remove --force "$worktree"' EXIT
cp bench/request_cost.py bench/common.py bench/serving.py "$worktree/bench/"  # the same harness for both
(cd "$worktree" && DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} "$python" bench/request_cost.py --label "before ($before)" "$@")
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} "$python" bench/request_cost.py --label "after ($(git rev-parse --short HEAD), uncommitted changes included)" "$@"
