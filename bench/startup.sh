#!/usr/bin/env bash
# Cold start, idle memory and server-side log-in time of a release `weft serve`, median of N runs.
# Usage: bench/startup.sh [runs]   (builds the release binary first; SQLite in a temporary folder;
# set WEFT_DATABASE_URL to measure PostgreSQL instead)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/weft"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port=3917
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One database, migrated and with one account, reused by every run ("an existing database").
"$bin" migrate --data-dir "$work/data" >/dev/null
link=$("$bin" admin create --data-dir "$work/data" --email bench@example.org --base-url "http://127.0.0.1:$port" | tail -n 1)

starts=(); rss=()
for i in $(seq 1 "$runs"); do
  t0=$(date +%s%N)
  "$bin" serve --data-dir "$work/data" --bind "127.0.0.1:$port" --log warn >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.002; done
  t1=$(date +%s%N)
  starts+=( $(( (t1 - t0) / 1000000 )) )
  sleep 2
  rss+=( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") )
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
echo "cold start to first /healthz 200 (ms), $runs runs: ${starts[*]} → median $(printf '%s\n' "${starts[@]}" | median)"
echo "idle RSS after start (KiB), $runs runs: ${rss[*]} → median $(printf '%s\n' "${rss[@]}" | median)"

# Server-side log-in: POST /login with a correct password, timed at the client over loopback.
"$bin" serve --data-dir "$work/data" --bind "127.0.0.1:$port" --log warn --rate-limit-per-ip 10000 --rate-limit-per-email 10000 >/dev/null 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.01; done
jar="$work/jar"
curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port${link#http://127.0.0.1:$port}" >/dev/null
csrf=$(awk '/weft_csrf/ {print $7}' "$jar")
curl -s -o /dev/null -c "$jar" -b "$jar" -X POST --data "csrf_token=$csrf" "${link}"
curl -s -o /dev/null -b "$jar" -X POST --data "csrf_token=$csrf&current_password=&new_password=bench+pass+phrase+long" "http://127.0.0.1:$port/profile/password"
times=()
for i in $(seq 1 20); do
  t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -b "$jar" -X POST \
      --data "csrf_token=$csrf&email=bench%40example.org&password=bench+pass+phrase+long" "http://127.0.0.1:$port/login")
  [ "${t%% *}" = 303 ] || { echo "log-in failed with HTTP ${t%% *}" >&2; exit 1; }
  times+=( "$(awk -v t="${t#* }" 'BEGIN {printf "%.1f", t*1000}')" )
done
kill "$pid"; wait "$pid" 2>/dev/null || true
echo "password log-in round trip (ms), 20 runs: median $(printf '%s\n' "${times[@]}" | median), min $(printf '%s\n' "${times[@]}" | sort -n | head -1), max $(printf '%s\n' "${times[@]}" | sort -n | tail -1)"
