#!/usr/bin/env bash
# Runs the release pages (dist/, built by `make dist`) in front of the Firebase Authentication
# emulator, with a demo account, on http://127.0.0.1:8081. Called by `make serve-firebase`.
# Ctrl-C stops everything. The emulator keeps nothing between runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh

PAGES_PORT="${RECLAIM_FIREBASE_PAGES_PORT:-8081}"
AUTH_PORT="${RECLAIM_FIREBASE_AUTH_PORT:-9099}"
PAGES="http://127.0.0.1:$PAGES_PORT"
EMULATOR="http://127.0.0.1:$AUTH_PORT"
API="$EMULATOR/identitytoolkit.googleapis.com"
# A `demo-` project needs no Google account; any API key works on the emulator.
PROJECT=demo-reclaim
API_KEY=demo-api-key
STATE=.reclaim/firebase
DEMO_EMAIL=demo@example.com
DEMO_PASSWORD='plum-orbit-lantern-42'
FIREBASE="$RECLAIM_CACHE/firebase/node_modules/.bin/firebase"

[ -f dist/index.html ] || { echo "serve-firebase: dist/index.html is missing; run \`make dist\`" >&2; exit 1; }
[ -x "$FIREBASE" ] || { echo "serve-firebase: firebase-tools is missing; run scripts/setup.sh" >&2; exit 1; }

# The static host serves $STATE/site over dist: its config.json is the pages' configuration.
mkdir -p "$STATE/site"
# Hub and logging get their own ports, so this can run beside another emulator (or the tests).
cat >"$STATE/firebase.json" <<JSON
{"emulators":{"auth":{"port":$AUTH_PORT,"host":"127.0.0.1"},"hub":{"port":4410},"logging":{"port":4510},"ui":{"enabled":false},"singleProjectMode":true}}
JSON
cat >"$STATE/site/config.json" <<JSON
{"backend":"firebase","api_base":"$API","firebase_api_key":"$API_KEY","app_name":"Reclaim (Firebase emulator)"}
JSON

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
echo "Starting the Firebase Auth emulator (about 10 seconds; its log: $STATE/emulator.log)"
(cd "$STATE" && exec "$FIREBASE" emulators:start --only auth --project "$PROJECT") >"$STATE/emulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
    curl -sf -o /dev/null "$EMULATOR/" && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$STATE/emulator.log" >&2; exit 1; }
    sleep 0.5
done
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$DEMO_EMAIL\",\"password\":\"$DEMO_PASSWORD\"}" \
    "$API/v1/accounts:signUp?key=$API_KEY"

node scripts/firebase/print-links.mjs "$EMULATOR" "$PROJECT" "$PAGES/reset" &
pids+=($!)

cat <<STEPS

  Reclaim in front of the Firebase Auth emulator.

  1. Open            $PAGES/recover
  2. Ask for a link for $DEMO_EMAIL (demo password: $DEMO_PASSWORD)
  3. The reset link appears below, pointed at $PAGES/reset as Firebase's custom email action
     handler would point it (the emulator's own list: $EMULATOR/emulator/v1/projects/$PROJECT/oobCodes).
  4. Open it, choose a new password, then check it signs in:
     curl -s -H 'Content-Type: application/json' -d '{"email":"$DEMO_EMAIL","password":"NEW","returnSecureToken":true}' \\
       '$API/v1/accounts:signInWithPassword?key=$API_KEY'

  Ctrl-C stops the pages and the emulator.

STEPS
node scripts/serve-pages.mjs dist "$PAGES_PORT" "$STATE/site"
