#!/bin/sh
# Puts an edited brand.css into the built pages: every page carries the brand in its <head>
# (`<style id=brand>`, so that it paints in the first frame without another download), and names
# that style's hash in its own Content-Security-Policy. After editing dist/brand.css, run
#
#     sh deploy/rebrand.sh dist
#
# from a copy of this repository (or with this file beside the build): it rewrites each page's
# brand and hash in place, and needs only a POSIX shell, awk and openssl. Running it again
# changes nothing. Paths in brand.css (a logo) are from the site's root: `url(/logo.svg)`.
set -eu

dist=${1:?usage: sh deploy/rebrand.sh DIST (the folder the build wrote)}
brand="$dist/brand.css"
[ -f "$brand" ] || { echo "rebrand: $brand is missing" >&2; exit 1; }
if grep -q '</' "$brand"; then
    echo "rebrand: $brand may not contain '</' (it goes inside each page's <style>)" >&2
    exit 1
fi

hash() { openssl dgst -sha256 -binary | openssl base64 -A; }

# The brand as the pages carry it (contract/src/brand.rs, as the build writes it): without its
# comments (each with the spaces and tabs before it), trailing whitespace and empty lines.
css=$(awk 'BEGIN { RS = "\001" }
    { text = $0; out = ""
      while ((start = index(text, "/*")) > 0) {
          before = substr(text, 1, start - 1); sub(/[ \t]+$/, "", before); out = out before
          text = substr(text, start + 2); end = index(text, "*/")
          text = end ? substr(text, end + 2) : ""
      }
      n = split(out text, lines, "\n"); first = 1
      for (i = 1; i <= n; i++) {
          line = lines[i]; sub(/[ \t\r]+$/, "", line)
          if (line != "") { printf "%s%s", (first ? "" : "\n"), line; first = 0 }
      } }' "$brand")
new_hash=$(printf '%s' "$css" | hash)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
printf '%s' "$css" > "$work/brand"

count=0
for page in $(find "$dist" -name '*.html'); do
    # The brand the page carries now, and its hash.
    awk 'BEGIN { RS = "\001"; open = "<style id=brand>" }
         { start = index($0, open); if (!start) exit 1
           rest = substr($0, start + length(open)); end = index(rest, "</style>")
           printf "%s", substr(rest, 1, end - 1) }' "$page" > "$work/old" || {
        echo "rebrand: $page has no <style id=brand>: is $dist a build of these pages?" >&2
        exit 1
    }
    old_hash=$(hash < "$work/old")
    # The new brand in its place, and its hash in the page's policy, by position: no pattern
    # in the CSS can be misread.
    awk -v old_hash="'sha256-$old_hash'" -v new_hash="'sha256-$new_hash'" -v css="$work/brand" '
        BEGIN { RS = "\001"; open = "<style id=brand>"
                while ((getline line < css) > 0) brand = brand (n++ ? "\n" : "") line }
        { start = index($0, open); rest = substr($0, start + length(open))
          page = substr($0, 1, start + length(open) - 1) brand substr(rest, index(rest, "</style>"))
          at = index(page, old_hash)
          if (at) page = substr(page, 1, at - 1) new_hash substr(page, at + length(old_hash))
          printf "%s", page }' "$page" > "$work/page"
    cat "$work/page" > "$page"
    count=$((count + 1))
done
echo "rebrand: $count pages carry $brand (style-src 'sha256-$new_hash')"
