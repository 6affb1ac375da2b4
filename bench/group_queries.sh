#!/usr/bin/env bash
# Statements per request for the group page, the members page and the Explore directory, as the
# group grows.
# Usage: bench/group_queries.sh [sizes…]   (SQLite; counts sqlx's statement log lines per request)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin weft
bin="${CARGO_TARGET_DIR:-target}/debug/weft"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 1000 10000)
for n in "${sizes[@]}"; do
  work="$(mktemp -d)"
  "$bin" migrate --data-dir "$work" >/dev/null
  python3 - "$work/weft.sqlite3" "$n" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
db.executemany("INSERT INTO users (key, name, username, email, email_verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1, 1)",
               [(f"k{i}", f"Member {i}", f"member{i}", f"m{i}@example.org") for i in range(n)])
flags = ", ".join(["members_can_add_members", "members_can_add_guests", "members_can_announce", "members_can_create_subgroups",
    "members_can_start_threads", "members_can_edit_threads", "members_can_edit_comments", "members_can_delete_comments",
    "members_can_raise_polls", "admins_can_edit_user_content"])
db.execute(f"INSERT INTO groups (key, name, handle, privacy, join_policy, thread_privacy, listed_in_explore, {flags}, created_at, updated_at) "
           "VALUES ('bench', 'Bench', 'bench', 'open', 'anyone', 'public_only', 1, 0,1,1,0,1,1,1,1,1,0, 1, 1)")
db.execute("INSERT INTO memberships (group_id, user_id, role, created_at) SELECT 1, id, CASE WHEN id = 1 THEN 'admin' ELSE 'member' END, 1 FROM users")
db.commit()
PY
  port=3931
  WEFT_LOG="warn,sqlx::query=debug" "$bin" serve --data-dir "$work" --bind "127.0.0.1:$port" > "$work/log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
  for path in /g/bench /g/bench/members /explore; do
    curl -fs -o /dev/null "http://127.0.0.1:$port$path"   # warm: new pool connections run their PRAGMAs
    sleep 0.2
    before=$(grep -c 'sqlx::query' "$work/log" || true)
    curl -fs -o /dev/null "http://127.0.0.1:$port$path"
    sleep 0.2
    after=$(grep -c 'sqlx::query' "$work/log" || true)
    echo "members=$n $path: $((after - before)) statements"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
done
