#!/usr/bin/env bash
# Runs the release pages (dist/, built by `make dist`) with the reference server on
# http://127.0.0.1:8080, with a demo account, keeping its state in .reclaim/ between runs.
# Called by `make serve`. Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh

ADDR="${RECLAIM_ADDR:-127.0.0.1:8080}"
PUBLIC_URL="http://$ADDR"
STATE=.reclaim
DATABASE="$STATE/reclaim.db"
OUTBOX="$STATE/outbox"
LOG="$STATE/server.log"
DEMO_EMAIL=demo@example.com
# A demo password that the server's policy accepts (long enough, not a common one).
DEMO_PASSWORD='plum-orbit-lantern-42'

[ -f dist/index.html ] || { echo "serve: dist/index.html is missing; run \`make dist\`" >&2; exit 1; }

cargo build -p reclaim-server --release --quiet
target_dir="${CARGO_TARGET_DIR:-target}"
server="$target_dir/release/reclaim-server"

mkdir -p "$OUTBOX"

# The demo account is created once; `add-user` would also reset an existing account's
# password, so later runs leave it alone (the person may have changed it through the pages).
DEMO_MARK="$STATE/demo-account-created"
if [ -f "$DEMO_MARK" ]; then
    account_note="(set on the first run; if you have reset it since, use your new password)"
else
    printf '%s\n' "$DEMO_PASSWORD" | "$server" add-user --database "$DATABASE" "$DEMO_EMAIL"
    echo "$DEMO_EMAIL" >"$DEMO_MARK"
    account_note="(just created)"
fi

cat <<EOF

  Starting Reclaim.

  1. Open            $PUBLIC_URL/recover
  2. Ask for a link for $DEMO_EMAIL
                     demo password: $DEMO_PASSWORD $account_note
  3. The reset link appears in the server log below (also in $LOG)
     and as a mail file in $OUTBOX/ (the newest: ls -t $OUTBOX | head -1), which also
     carries the code to type instead, XXXX-XXXX (never logged).
  4. Open the link, choose a new password, then sign in with it at $PUBLIC_URL/sign-in
     (or: curl -i -d email=$DEMO_EMAIL -d password=NEW $PUBLIC_URL/account/login).

  State is kept in $STATE/ between runs (delete it to start over). Ctrl-C stops the server.

EOF

# The server gets Ctrl-C directly (same process group) and shuts down gracefully; its log goes
# to the terminal and to $LOG.
"$server" serve \
    --addr "$ADDR" \
    --database "$DATABASE" \
    --dist dist \
    --public-url "$PUBLIC_URL" \
    --outbox "$OUTBOX" \
    2>&1 | tee -i -a "$LOG"
