#!/bin/sh
# Lighthouse (mobile: its default phone, throttled 4G, 4x slower CPU) on the four public
# pages (RSVP, ticket, survey, public event page) with the demo data, served by gunicorn
# as in production. Prints performance and accessibility scores and the main timings.
# A measurement, not a CI test: the figures are in docs/performance.md.
#
# Needs npm (lighthouse is installed in a temporary folder) and chromium.
# Usage: sh bench/lighthouse_public.sh [PORT]
set -eu
LIGHTHOUSE=12.8.2
PORT="${1:-5187}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
cd "$ROOT"
export LIQAA_ENV=development COOKIE_SECURE=0
export DATABASE_URL="sqlite:///$WORK/liqaa.db" BASE_URL="http://127.0.0.1:$PORT"
export CHROME_PATH="${CHROMIUM_BIN:-/usr/bin/chromium}"

(cd "$WORK" && npm install --silent --no-audit --no-fund "lighthouse@$LIGHTHOUSE" >/dev/null)
.venv/bin/flask db upgrade >/dev/null 2>&1
.venv/bin/flask demo >"$WORK/demo.txt"
.venv/bin/gunicorn --workers 2 --bind "127.0.0.1:$PORT" "app:create_app()" 2>"$WORK/server.log" &
SERVER=$!
trap 'kill $SERVER; rm -rf "$WORK"' EXIT
sleep 3

link() { grep "$1" "$WORK/demo.txt" | grep -o 'http://[^ ]*'; }
EVENT="$(.venv/bin/python -c "
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute('select public_id from event where id = 1').fetchone()[0])
" "$WORK/liqaa.db")"

for page in "RSVP $(link 'An invitation to answer')" "ticket $(link 'A ticket to scan')" \
            "survey $(link 'A survey to answer')" "event http://127.0.0.1:$PORT/e/$EVENT"; do
  name="${page%% *}"
  url="${page#* }"
  "$WORK/node_modules/.bin/lighthouse" "$url" --quiet --output=json --output-path="$WORK/$name.json" \
    --only-categories=performance,accessibility \
    --chrome-flags="--headless --no-sandbox --disable-gpu" >/dev/null 2>&1
  .venv/bin/python - "$name" "$WORK/$name.json" <<'EOF'
import json, sys
name, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
audits = report["audits"]
timing = {k: audits[k]["displayValue"] for k in (
    "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
    "cumulative-layout-shift", "speed-index")}
weight = audits["total-byte-weight"]["numericValue"] / 1024
print(f"lighthouse: {name}: performance {scores['performance']}, accessibility "
      f"{scores['accessibility']}; FCP {timing['first-contentful-paint']}, LCP "
      f"{timing['largest-contentful-paint']}, TBT {timing['total-blocking-time']}, CLS "
      f"{timing['cumulative-layout-shift']}, SI {timing['speed-index']}; {weight:.0f} KiB")
EOF
done
