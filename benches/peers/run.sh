#!/usr/bin/env bash
# The peer harness in one command, from a fresh clone (nothing outside the repository):
#   benches/peers/run.sh [--quick] [--only threshold,mc,seeds,sop] [--out DIR]
# 1. a virtual environment in benches/peers/.venv from requirements.lock (pinned, hashed;
#    remade when the lock changes), 2. ovation (cargo build --release; OVATION=path skips it),
# 3. the C baseline (gcc -O3 -march=native), 4. harness.py: inputs from fixed seeds in build/,
# every implementation, the agreement checks, out/<date-time>/table.md. Exit status 1 when an
# implementation disagrees or fails. Needs python3 (3.11) with venv, gcc, cargo.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

lock_sum="$(sha256sum requirements.lock | cut -d' ' -f1)"
if [[ ! -x .venv/bin/python || "$(cat .venv/.lock-sha256 2>/dev/null)" != "$lock_sum" ]]; then
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --require-hashes -r requirements.lock
    echo "$lock_sum" > .venv/.lock-sha256
fi

if [[ -z "${OVATION:-}" ]]; then
    # Ask cargo where it put the binary (CARGO_TARGET_DIR and build.target-dir are honoured).
    OVATION="$(cd "$root" && cargo build --release --quiet --bin ovation --message-format=json |
        python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "ovation":
        print(m["executable"])
' | tail -n 1)"
    if [[ ! -x "$OVATION" ]]; then
        echo "run.sh: cargo build --release gave no ovation binary" >&2
        exit 1
    fi
fi

mkdir -p build
gcc -O3 -march=native -Wall -o build/threshold c/threshold.c

exec .venv/bin/python harness.py --ovation "$OVATION" "$@"
