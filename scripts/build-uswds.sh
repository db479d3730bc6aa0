#!/usr/bin/env bash
# Rebuild the U.S. Web Design System static files Playbook serves, from the pinned npm packages
# (assets/package.json + package-lock.json), into src/playbook/ui/static/uswds/.
#
# The output is committed, so a machine without Node can install and run Playbook; run this only
# when upgrading USWDS or changing the theme settings (assets/sass/), then commit the result.
# See docs/decisions/0004-uswds-static-build.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASSETS="$ROOT/assets"
OUT="$ROOT/src/playbook/ui/static/uswds"
TEMPLATES="$ROOT/src/playbook"

command -v npm >/dev/null || { echo "build-uswds: npm (Node 18 or later) is needed" >&2; exit 1; }

cd "$ASSETS"
npm ci --no-audit --no-fund
rm -rf dist
npx --no-install gulp compile      # sass/styles.scss -> dist/css/styles.css (@uswds/compile)
npx --no-install gulp copyAssets   # @uswds/uswds fonts, img, js -> dist/

rm -rf "$OUT"
mkdir -p "$OUT/css" "$OUT/js"

cp dist/css/styles.css "$OUT/css/uswds.min.css"
# Drop the source-map comments: the maps are not shipped (and a missing map would break a
# manifest static-files storage).
for js in uswds-init.min.js uswds.min.js; do
  sed -e '/^\/\/# sourceMappingURL=/d' -e 's#//\# sourceMappingURL=[^ ]*$##' \
    "dist/js/$js" > "$OUT/js/$js"
done

# Only the fonts and images something refers to: the stylesheet's url(../...) references, and
# {% static 'uswds/img/...' %} in the templates. Plus the icon sprite, for <svg><use> icons.
{
  grep -oE 'url\(\.\./(fonts|img)/[^)"'"'"']+\)' "$OUT/css/uswds.min.css" \
    | sed -E 's#^url\(\.\./##; s#\)$##'
  grep -rhoE "static ['\"]uswds/(img|fonts)/[^'\"]+" "$TEMPLATES" --include='*.html' \
    | sed -E "s#^static ['\"]uswds/##"
  echo "img/sprite.svg"
} | sort -u | while read -r rel; do
  mkdir -p "$OUT/$(dirname "$rel")"
  cp "dist/$rel" "$OUT/$rel"
done

cp node_modules/@uswds/uswds/LICENSE.md "$OUT/LICENSE.md"
version="$(node -p 'require("./node_modules/@uswds/uswds/package.json").version')"
echo "USWDS $version, built by scripts/build-uswds.sh from assets/ (see docs/decisions/0004-uswds-static-build.md)." > "$OUT/VERSION.txt"

# htmx (partial page updates, CONVENTIONS "Pages"): the pinned file as npm ships it.
HTMX="$ROOT/src/playbook/ui/static/htmx"
mkdir -p "$HTMX"
cp node_modules/htmx.org/dist/htmx.min.js "$HTMX/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$HTMX/LICENSE"
hversion="$(node -p 'require("./node_modules/htmx.org/package.json").version')"
echo "htmx.org $hversion (npm, pinned in assets/package.json and package-lock.json), dist/htmx.min.js, copied by scripts/build-uswds.sh (see docs/decisions/0004-uswds-static-build.md)." > "$HTMX/VERSION.txt"

echo "build-uswds: USWDS $version -> ${OUT#"$ROOT/"} ($(du -sh "$OUT" | cut -f1))"
