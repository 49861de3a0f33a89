#!/usr/bin/env bash
# Regenerate docs/report-001.png, the README's picture of `--format html` (seed 001 against 000).
# Needs Chromium (apt-get install chromium) and Pillow (the bench extra); PYTHON picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m mtdetect.cli score seeds/001_cf506a5ff6ff9144.txt --reference seeds/000_22d2012d143b9783.txt \
  --format html --out "$tmp/report.html" --quiet
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --force-color-profile=srgb \
  --force-device-scale-factor=1 --user-data-dir="$tmp/profile" --window-size=1200,1500 \
  --screenshot="$tmp/report.png" "file://$tmp/report.html" 2>/dev/null
# 96 colours without dithering: the flat tints stay exact and the file stays small.
"$py" -c 'import sys; from PIL import Image
Image.open(sys.argv[1]).convert("RGB").quantize(96, dither=Image.Dither.NONE).save(sys.argv[2], optimize=True)' \
  "$tmp/report.png" docs/report-001.png
ls -l docs/report-001.png
