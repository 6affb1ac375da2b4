#!/usr/bin/env bash
# The thread page (first page of the timeline, anonymous reader of a public thread) as the thread
# grows: statements per request, and the median time of 101 requests over loopback, on SQLite and
# on PostgreSQL (when WEFT_TEST_POSTGRES_URL points at a server, e.g. postgres://postgres@127.0.0.1:5432/postgres).
# Usage: bench/thread_page.sh [sizes…]   (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin weft
bin="${CARGO_TARGET_DIR:-target}/release/weft"
port=3941
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

seed_sql() { # $1 = comments; prints SQL that works on both databases
  cat <<SQL
INSERT INTO users (key, name, username, email, email_verified_at, created_at, updated_at) VALUES ('u1', 'Bench Author', 'bench', 'bench@example.org', 1, 1, 1);
INSERT INTO groups (key, name, handle, privacy, join_policy, thread_privacy, members_can_add_members, members_can_add_guests,
  members_can_announce, members_can_create_subgroups, members_can_start_threads, members_can_edit_threads, members_can_edit_comments,
  members_can_delete_comments, members_can_raise_polls, admins_can_edit_user_content, created_at, updated_at)
  VALUES ('bench', 'Bench', 'bench', 'open', 'anyone', 'public_only', 0,1,1,0,1,1,1,1,1,0, 1, 1);
INSERT INTO memberships (group_id, user_id, role, created_at) VALUES (1, 1, 'admin', 1);
INSERT INTO threads (key, group_id, author_id, title, context, private, last_seq, comment_count, last_activity_at, created_at)
  VALUES ('t', 1, 1, 'A long thread', 'What it is **about**.', 0, $1, $1, 1, 1);
SQL
}

measure() { # $1 = label, $2 = comments; server already seeded
  local label="$1" n="$2" log="$work/log"
  "$bin" serve --data-dir "$work/data" --bind "127.0.0.1:$port" > "$log" 2>&1 &
  local pid=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
  curl -fs -o /dev/null "http://127.0.0.1:$port/t/t"; sleep 0.2
  local before after
  before=$(grep -c 'sqlx::query' "$log" || true)
  curl -fs -o /dev/null "http://127.0.0.1:$port/t/t"; sleep 0.2
  after=$(grep -c 'sqlx::query' "$log" || true)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  WEFT_LOG=warn "$bin" serve --data-dir "$work/data" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
  for _ in $(seq 1 10); do curl -fs -o /dev/null "http://127.0.0.1:$port/t/t"; done
  local times=()
  for _ in $(seq 1 101); do times+=( "$(curl -fs -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/t/t")" ); done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local ms
  ms=$(printf '%s\n' "${times[@]}" | median | awk '{printf "%.2f", $1 * 1000}')
  echo "$label comments=$n: $((after - before)) statements, median ${ms} ms"
}

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 1000 10000)
for n in "${sizes[@]}"; do
  work="$(mktemp -d)"
  export WEFT_LOG="warn,sqlx::query=debug"
  unset WEFT_DATABASE_URL
  "$bin" migrate --data-dir "$work/data" >/dev/null
  { seed_sql "$n"; echo "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
      INSERT INTO comments (thread_id, seq, author_id, body, created_at) SELECT 1, i, 1, 'Comment number ' || i || ' with a little **markdown**.', i FROM s;"; } \
    | python3 -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.executescript(sys.stdin.read()); db.commit()" "$work/data/weft.sqlite3"
  measure sqlite "$n"
  if [ -n "${WEFT_TEST_POSTGRES_URL:-}" ]; then
    db="weft_bench_thread_$n"
    psql -q "$WEFT_TEST_POSTGRES_URL" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    export WEFT_DATABASE_URL="${WEFT_TEST_POSTGRES_URL%/*}/$db"
    "$bin" migrate --data-dir "$work/data" >/dev/null
    { seed_sql "$n"; echo "INSERT INTO comments (thread_id, seq, author_id, body, created_at)
        SELECT 1, i, 1, 'Comment number ' || i || ' with a little **markdown**.', i FROM generate_series(1, $n) AS i;"; } \
      | psql -q "$WEFT_DATABASE_URL" >/dev/null
    measure postgres "$n"
    unset WEFT_DATABASE_URL
    psql -q "$WEFT_TEST_POSTGRES_URL" -c "DROP DATABASE $db" >/dev/null
  fi
  rm -rf "$work"
done
