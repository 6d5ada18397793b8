#!/usr/bin/env bash
# Screenshot the scorecards of a run directory with headless Chromium, so a
# person can look at what offices will see. Needs Debian's chromium and a CJK
# font (fonts-noto-cjk); without the font every Chinese character is a box.
set -euo pipefail
out="${1:-demo-output}"
# The newest run directory: the one holding a scorecard index, not screenshots/.
run_dir=$(dirname "$(ls -d "$out"/*/index.html | sort | tail -n 1)")/
shots="$out/screenshots"
mkdir -p "$shots"
if ! command -v chromium >/dev/null; then
  echo "chromium not found: apt-get install chromium fonts-noto-cjk" >&2
  exit 2
fi
fc-list :lang=zh | grep -q . || { echo "no CJK font: apt-get install fonts-noto-cjk" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for page in "$run_dir"index.html "$run_dir"sites/*.html; do
  name=$(basename "$page" .html)
  # The flags keep Chromium off the network: this machine reaches no other host.
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1280,1800 \
    --screenshot="$shots/$name.png" "file://$(realpath "$page")" >/dev/null 2>&1
  echo "$shots/$name.png"
done
