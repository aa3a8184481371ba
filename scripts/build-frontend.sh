#!/usr/bin/env bash
# Rebuild the vendored front-end files under static/vendor/ from their npm packages.
#
#   scripts/build-frontend.sh
#
# Needs Node.js and npm with access to the npm registry. Works in a temporary directory and
# leaves node_modules nowhere in the tree; the output is committed, so the service itself
# never fetches anything at run time (DESIGN.md section 3).
#
# GOV.UK Frontend's Sass is compiled here rather than copying its prebuilt CSS, because the
# prebuilt CSS uses the "GDS Transport" typeface, which is licensed for gov.uk domains only.
# This service is not on gov.uk, so it is built with a system font stack and without the
# @font-face rules; the font files are not copied.
set -euo pipefail

GOVUK_FRONTEND_VERSION="6.6.0"
AXE_CORE_VERSION="4.14.1"
SASS_VERSION="1.108.2"

project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
govuk_out="$project_root/static/vendor/govuk-frontend-$GOVUK_FRONTEND_VERSION"
axe_out="$project_root/static/vendor/axe-core-$AXE_CORE_VERSION"

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

echo "Installing govuk-frontend@$GOVUK_FRONTEND_VERSION, axe-core@$AXE_CORE_VERSION, sass@$SASS_VERSION"
cd "$work_dir"
cat > package.json <<'JSON'
{ "name": "ecm-frontend-build", "private": true }
JSON
npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" \
  "axe-core@$AXE_CORE_VERSION" \
  "sass@$SASS_VERSION"

govuk_dist="$work_dir/node_modules/govuk-frontend/dist/govuk"
axe_package="$work_dir/node_modules/axe-core"

# Settings names are those in govuk-frontend's dist/govuk/settings/_typography-font.scss and
# _assets.scss. Asset URLs are relative, so they resolve against the CSS file's own URL
# wherever STATIC_URL points.
cat > ecm-govuk.scss <<'SCSS'
@use "node_modules/govuk-frontend/dist/govuk" with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "assets/"
);
SCSS

echo "Compiling GOV.UK Frontend Sass with a system font stack"
rm -rf "$govuk_out"
mkdir -p "$govuk_out/assets"
node_modules/.bin/sass --style=compressed --no-source-map --quiet-deps \
  --load-path="$work_dir" ecm-govuk.scss "$govuk_out/govuk-frontend.min.css"

if grep -q -i -e "GDS Transport" -e "@font-face" -e "fonts/" "$govuk_out/govuk-frontend.min.css"; then
  echo "error: the compiled CSS still refers to the GDS Transport font" >&2
  exit 1
fi

# The ES module bundle; its source map is not shipped, so drop the comment pointing to it
# (Django's manifest storage would otherwise look for the missing file).
sed -e 's|//# sourceMappingURL=[^[:space:]]*||' \
  "$govuk_dist/govuk-frontend.min.js" > "$govuk_out/govuk-frontend.min.js"
cp -R "$govuk_dist/assets/images" "$govuk_out/assets/images"
cp "$govuk_dist/assets/manifest.json" "$govuk_out/assets/manifest.json"

# Every url() in the CSS must name a file that was copied.
missing=0
while IFS= read -r asset; do
  if [[ ! -f "$govuk_out/$asset" ]]; then
    echo "error: the CSS refers to $asset, which was not copied" >&2
    missing=1
  fi
done < <(grep -o 'url([^)]*)' "$govuk_out/govuk-frontend.min.css" \
  | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'\'']//' -e 's/["'\'']$//' \
  | grep -v -e '^data:' -e '^#' | sort -u)
[[ "$missing" -eq 0 ]] || exit 1

# The npm package ships no licence file; its package.json and README declare MIT.
if [[ "$(node -p "require('$work_dir/node_modules/govuk-frontend/package.json').license")" != "MIT" ]]; then
  echo "error: govuk-frontend's declared licence is no longer MIT; review before vendoring" >&2
  exit 1
fi
cat > "$govuk_out/LICENSE.txt" <<'LICENSE'
GOV.UK Frontend (https://github.com/alphagov/govuk-frontend), built from the npm package
govuk-frontend without the "GDS Transport" font. Its code is released under the MIT License:

The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENSE

echo "Copying axe-core"
rm -rf "$axe_out"
mkdir -p "$axe_out"
cp "$axe_package/axe.min.js" "$axe_package/LICENSE" "$axe_out/"
if [[ -f "$axe_package/LICENSE-3RD-PARTY.txt" ]]; then
  cp "$axe_package/LICENSE-3RD-PARTY.txt" "$axe_out/"
fi

echo "Done:"
echo "  static/vendor/govuk-frontend-$GOVUK_FRONTEND_VERSION/"
echo "  static/vendor/axe-core-$AXE_CORE_VERSION/"
