#!/usr/bin/env bash
# Lighthouse scores for the release pages served by the reference server (with compression):
# performance, accessibility and best practices, with LCP and TBT, for /recover and /reset.
# Uses lighthouse@12.2.3 from the npm cache (scripts/setup.sh) and Debian's Chromium; nothing
# is downloaded. Called by `make bench` after `make dist`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh

[ -f dist/index.html ] || { echo "bench: dist/index.html is missing; run \`make dist\`" >&2; exit 1; }

cargo build -p reclaim-server --release --quiet
server="${CARGO_TARGET_DIR:-target}/release/reclaim-server"

work="$(mktemp -d)"
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"
mkdir -p "$work/outbox"
"$server" serve --addr "127.0.0.1:$port" --database "$work/reclaim.db" --dist dist \
    --public-url "$base" --outbox "$work/outbox" >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    if node -e 'require("http").get(process.argv[1],r=>process.exit(r.statusCode<500?0:1)).on("error",()=>process.exit(1))' "$base/recover"; then
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "bench: the server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done

chrome_flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --disable-extensions"

echo
echo "Lighthouse $(lighthouse --version) on $base (mobile preset, simulated throttling; served with compression)"
printf '%-22s %6s %6s %6s %10s %8s\n' page perf a11y bp LCP TBT
for path in /recover "/reset?token=x"; do
    out="$work/report.json"
    if ! lighthouse "$base$path" \
            --quiet --no-enable-error-reporting \
            --chrome-flags="$chrome_flags" \
            --only-categories=performance,accessibility,best-practices \
            --output=json --output-path="$out" >"$work/lighthouse.log" 2>&1; then
        echo "bench: lighthouse failed on $path:" >&2
        cat "$work/lighthouse.log" >&2
        exit 1
    fi
    node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const score = (c) => r.categories[c].score === null ? "n/a" : Math.round(r.categories[c].score * 100);
        const ms = (a) => r.audits[a].numericValue === undefined ? "n/a" : Math.round(r.audits[a].numericValue) + " ms";
        const row = [process.argv[2].padEnd(22), String(score("performance")).padStart(6),
            String(score("accessibility")).padStart(6), String(score("best-practices")).padStart(6),
            ms("largest-contentful-paint").padStart(10), ms("total-blocking-time").padStart(8)];
        console.log(row.join(" "));
        if (r.runtimeError) console.log("  runtime error: " + r.runtimeError.code + " " + r.runtimeError.message);
        for (const id of ["accessibility", "best-practices"]) {
            for (const ref of r.categories[id].auditRefs) {
                const a = r.audits[ref.id];
                if (ref.weight > 0 && a.score !== null && a.score < 1) {
                    console.log(`  ${id}: ${a.id}: ${a.title}`);
                    for (const item of (a.details && a.details.items || []).slice(0, 5)) {
                        const what = [item.url, item.description || (item.node && item.node.snippet)].filter(Boolean).join(" ");
                        if (what) console.log(`      ${String(what).slice(0, 160)}`);
                    }
                }
            }
        }
    ' "$out" "$path"
done
