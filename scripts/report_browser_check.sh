#!/usr/bin/env bash
# Opens the HTML reports of a sample run and a sample comparison in headless Chromium and
# fails on any console error or network request (scripts/report_browser_check.py does the
# checking). Installs Debian's `chromium` (and python3) with apt-get when missing.
#
# Usage: scripts/report_browser_check.sh [SCREENSHOT.png]
#   With an argument, a full-page screenshot of the comparison report is written there.
# Environment: OVATION (the binary; default: the release binary, built if needed, wherever cargo
# puts it, so CARGO_TARGET_DIR and build.target-dir are honoured).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    echo "report_browser_check: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

ovation="${OVATION:-}"
if [ -z "$ovation" ]; then
    # Ask cargo where the binary is instead of assuming target/release.
    ovation="$(cargo build --release --bin ovation --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "ovation":
        print(m["executable"])
' | tail -n 1)"
fi
if [ ! -x "$ovation" ]; then
    echo "report_browser_check: no ovation binary (cargo build --release failed?)" >&2
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$ovation" run scenarios/standing-ovation.toml --set replicates=10 --out "$tmp/run" --quiet
cat > "$tmp/compare.toml" <<'TOML'
name = "report-check"
description = "Standing Ovation theater: does a slightly better show raise the final standing share?"
seed = 7
replicates = 20
steps = 50
[graph]
generator = "theater"
rows = 20
seats = 20
cone = 1
[[population]]
noise = { dist = "uniform", low = -0.5, high = 0.5 }
threshold = 0.5
conformity = 0.5
[model]
rule = "sop"
quality = 0.5
tie = "coin"
[strategies.as_is]
[strategies.better_show]
"model.quality" = 0.55
[strategies.worse_show]
"model.quality" = 0.45
[compare]
baseline = "as_is"
question = "Does a slightly better show raise the final standing share?"
headline = "final_standing"
TOML
"$ovation" compare "$tmp/compare.toml" --out "$tmp/compare" --quiet

shot=()
if [ $# -gt 0 ]; then shot=(--screenshot "$1"); fi
python3 scripts/report_browser_check.py "${shot[@]}" "$tmp/compare/report.html" "$tmp/run/report.html"
