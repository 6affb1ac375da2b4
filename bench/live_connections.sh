#!/usr/bin/env bash
# How many live-update (SSE) connections one instance holds, and what they cost in memory:
# N readers of one public thread on SQLite, over loopback. Usage: bench/live_connections.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
ulimit -n $((n + 1000)) 2>/dev/null || true
cargo build --release --quiet --bin weft
bin="${CARGO_TARGET_DIR:-target}/release/weft"
work="$(mktemp -d)"
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
port=3951
"$bin" migrate --data-dir "$work/data" >/dev/null
python3 - "$work/data/weft.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
INSERT INTO users (key, name, username, email, email_verified_at, created_at, updated_at) VALUES ('u1', 'Author', 'author', 'a@example.org', 1, 1, 1);
INSERT INTO groups (key, name, handle, privacy, join_policy, thread_privacy, members_can_add_members, members_can_add_guests,
  members_can_announce, members_can_create_subgroups, members_can_start_threads, members_can_edit_threads, members_can_edit_comments,
  members_can_delete_comments, members_can_raise_polls, admins_can_edit_user_content, created_at, updated_at)
  VALUES ('bench', 'Bench', 'bench', 'open', 'anyone', 'public_only', 0,1,1,0,1,1,1,1,1,0, 1, 1);
INSERT INTO threads (key, group_id, author_id, title, private, last_activity_at, created_at) VALUES ('t', 1, 1, 'Watched', 0, 1, 1);
""")
db.commit()
PY
WEFT_LOG=warn "$bin" serve --data-dir "$work/data" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
before=$(rss)
python3 - "$port" "$n" "$pid" <<'PY'
import asyncio, sys
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
async def watch(i, ready):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET /t/t/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0], head[:80]
    ready.append(i)
    await asyncio.sleep(3600)
async def main():
    ready, tasks = [], []
    for i in range(n):
        tasks.append(asyncio.create_task(watch(i, ready)))
        if i % 500 == 499:
            await asyncio.sleep(0.05)
    while len(ready) < n:
        await asyncio.sleep(0.2)
        if any(t.done() and t.exception() for t in tasks):
            raise next(t.exception() for t in tasks if t.done() and t.exception())
    await asyncio.sleep(2)
    rss = [l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0]
    print(f"open={len(ready)} rss_kib={rss}", flush=True)
    for t in tasks: t.cancel()
asyncio.run(main())
PY
echo "idle RSS before: ${before} KiB"
