#!/bin/sh
# Checks that R's read.csv loads classes.csv and agents.csv as they are, with sensible types
# (integers, text, numbers with NA for empty cells, logicals for true/false): runs two small
# scenarios (the two-population one, and a sentiment run with a care account and --agents) and
# reads their files in R.
#
#   sh scripts/check_r_load.sh     (installs Debian's r-base-core with apt-get when Rscript is missing)
#
# The binary is $OVATION when set, else the release binary (built if needed, wherever cargo
# puts it).
set -eu
cd "$(dirname "$0")/.."
if ! command -v Rscript >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    echo "check_r_load: installing r-base-core" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends r-base-core >/dev/null
fi
bin="${OVATION:-}"
if [ -z "$bin" ]; then
    # Ask cargo where the binary is instead of assuming the target folder.
    bin="$(cargo build --release --bin ovation --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "ovation":
        print(m["executable"])
' | tail -n 1)"
fi
[ -x "$bin" ] || { echo "check_r_load: no ovation binary (cargo build --release failed?)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run --quiet --set replicates=2 --out "$tmp/two" scenarios/two-populations.toml
"$bin" run --quiet --agents --set replicates=2 --out "$tmp/care" scenarios/brand-response.toml
Rscript - "$tmp" <<'RSCRIPT'
dir <- commandArgs(trailingOnly = TRUE)[1]
check <- function(ok, what) {
  if (!isTRUE(ok)) { message("check_r_load: FAIL: ", what); quit(status = 1) }
}
cl <- read.csv(file.path(dir, "two", "classes.csv"))
check(identical(names(cl), c("replicate", "class", "measure", "value")), "classes.csv columns")
check(is.integer(cl$replicate) && is.character(cl$class) && is.character(cl$measure) &&
      is.double(cl$value), "classes.csv types")
check(!anyNA(cl) && nrow(cl) == 2 * 2 * 6, "classes.csv: 2 replicates x 2 classes x 6 measures")
cols <- c("replicate", "id", "label", "class", "followers", "action", "sentiment",
          "complained", "answered", "seeded")
agents <- function(sub, n) {
  a <- read.csv(file.path(dir, sub, "agents.csv"))
  check(identical(names(a), cols), paste(sub, "agents.csv columns"))
  check(nrow(a) == 2 * n, paste(sub, "agents.csv rows"))
  check(is.integer(a$replicate) && is.integer(a$id) && is.integer(a$followers),
        paste(sub, "integer columns"))
  check(is.character(a$class) && all(a$action %in% c("sit", "stand", "boo")),
        paste(sub, "class and action"))
  check(is.logical(a$complained) && is.logical(a$seeded) && !anyNA(a$complained) &&
        !anyNA(a$seeded), paste(sub, "complained and seeded are logicals"))
  a
}
two <- agents("two", 2000)
check(all(is.na(two$sentiment)) && all(is.na(two$answered)), "two: no sentiment, no brand: NA")
check(is.integer(two$label) && all(two$label == two$id), "two: a generated graph's labels are ids")
check(identical(as.vector(table(two$class[two$replicate == 0])), c(600L, 1400L)),
      "two: 600 critics and 1400 fans")
care <- agents("care", 236)
check(is.double(care$sentiment) && sum(is.na(care$sentiment)) == 2,
      "care: sentiment is a number, NA only for the care account in each replicate")
check(is.logical(care$answered) && !anyNA(care$answered) && any(care$answered),
      "care: answered is a logical")
check(all(care$complained[care$answered]), "care: every answered agent complained")
str(two)
str(care)
cat("check_r_load: classes.csv and agents.csv load in R with the expected types\n")
RSCRIPT
