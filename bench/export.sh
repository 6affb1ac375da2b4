#!/usr/bin/env bash
# The personal-data export (P8) of a person with N comments: time to build and download the ZIP,
# and its size, median of 5 downloads. SQLite, release build. Usage: bench/export.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
cargo build --release --quiet --bin weft
bin="${CARGO_TARGET_DIR:-target}/release/weft"
work="$(mktemp -d)"
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
port=3971
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
"$bin" migrate --data-dir "$work/data" >/dev/null
link=$("$bin" admin create --data-dir "$work/data" --email bench@example.org --base-url "http://127.0.0.1:$port" | tail -n 1)
python3 - "$work/data/weft.sqlite3" "$n" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
db.executescript("""
INSERT INTO groups (key, name, handle, privacy, join_policy, thread_privacy, members_can_add_members, members_can_add_guests,
  members_can_announce, members_can_create_subgroups, members_can_start_threads, members_can_edit_threads, members_can_edit_comments,
  members_can_delete_comments, members_can_raise_polls, admins_can_edit_user_content, created_at, updated_at)
  VALUES ('bench', 'Bench', 'bench', 'closed', 'approval', 'private_only', 0,1,1,0,1,1,1,1,1,0, 1, 1);
INSERT INTO memberships (group_id, user_id, role, created_at) VALUES (1, 1, 'admin', 1);
""")
threads = max(1, n // 100)
db.executemany("INSERT INTO threads (key, group_id, author_id, title, context, private, last_seq, comment_count, last_activity_at, created_at) VALUES (?, 1, 1, ?, 'Context with **markdown**.', 1, 100, 100, 1, 1)",
               [(f"t{i}", f"Thread {i}") for i in range(threads)])
db.executemany("INSERT INTO comments (thread_id, seq, author_id, body, created_at) VALUES (?, ?, 1, ?, ?)",
               [(1 + i // 100, 1 + i % 100, f"Comment {i}: a few sentences of discussion, \"quoted\", with commas, and a line\nbreak.", 1_700_000_000_000_000 + i) for i in range(n)])
db.commit()
PY
WEFT_LOG=warn "$bin" serve --data-dir "$work/data" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
jar="$work/jar"
curl -s -o /dev/null -c "$jar" -b "$jar" "$link"
csrf=$(awk '/weft_csrf/ {print $7}' "$jar")
curl -s -o /dev/null -c "$jar" -b "$jar" -X POST --data "csrf_token=$csrf" "$link"
times=(); size=0
for _ in 1 2 3 4 5; do
  out=$(curl -s -o "$work/export.zip" -w '%{http_code} %{time_total}' -b "$jar" "http://127.0.0.1:$port/profile/data/export.zip")
  [ "${out%% *}" = 200 ] || { echo "export failed with HTTP ${out%% *}" >&2; exit 1; }
  times+=( "$(awk -v t="${out#* }" 'BEGIN {printf "%.0f", t*1000}')" )
  size=$(stat -c %s "$work/export.zip")
done
echo "export of a person with $n comments: median $(printf '%s\n' "${times[@]}" | median) ms over 5 downloads (${times[*]}), $((size / 1024)) KiB"
