#!/usr/bin/env bash
# Slurm smoke test: runs examples/slurm/submit.sh against a real Slurm on this machine and checks
# that the merged folder is byte-identical to a plain run.
#
#   scripts/slurm_smoke.sh            (as root, on Debian; from the repository root or anywhere)
#
# Environment: OVATION (the binary; default: the release binary, built if needed, wherever cargo
# puts it).
#
# 1. Installs Debian's slurm-wlm and munge when missing (apt-get) and starts munged with the
#    key the package made.
# 2. Writes a one-node cluster's slurm.conf into a temporary folder (node `ovnode` at 127.0.0.1,
#    all its cores, ports 16817/16818, no accounting) and starts slurmctld and slurmd on it; the
#    machine's own /etc/slurm is not touched.
# 3. Submits `ovation sweep` of scenarios/sweep-conformity.toml (with fewer replicates) as a
#    3-task job array and a merge job with --dependency=afterok, and waits for both.
# 4. Runs the same sweep plainly and compares every file of the two folders: byte for byte,
#    except the manifests, compared without their times and the merged one's list of shards,
#    and report.html, compared with its time stamps masked.
# 5. Stops the daemons it started (slurmctld, slurmd, and munged if it started it).
#
# Exit status 0 and the last line "slurm smoke: OK ..." when the folders agree.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
shards=3
replicates=${SMOKE_REPLICATES:-8}

if [ "$(id -u)" -ne 0 ]; then
    echo "slurm smoke: run me as root (it installs packages and starts daemons)" >&2
    exit 2
fi
need=()
command -v slurmctld >/dev/null || need+=(slurmctld slurmd slurm-client slurm-wlm)
command -v munged >/dev/null || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
    echo "slurm smoke: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ -z "${OVATION:-}" ]; then
    # Ask cargo where the binary is (CARGO_TARGET_DIR and build.target-dir are honoured).
    OVATION=$(cargo build --release --bin ovation --message-format=json 2>/dev/null |
        grep '"name":"ovation"' | grep -o '"executable":"[^"]*"' | tail -n 1 |
        sed -e 's/^"executable":"//' -e 's/"$//')
fi
if [ ! -x "$OVATION" ]; then
    echo "slurm smoke: no ovation binary (cargo build --release failed?)" >&2
    exit 1
fi
export OVATION

work=$(mktemp -d /tmp/ovation-slurm-smoke.XXXXXX)
started_munge=
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    if [ -n "$started_munge" ] && [ -f /run/munge/munged.pid ]; then
        kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# munge: the key Debian's package created, the daemon as the munge user.
if ! pgrep -x munged >/dev/null; then
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --force
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    mkdir -p /run/munge
    chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
    started_munge=1
fi
munge -n | unmunge >/dev/null
echo "slurm smoke: munge works"

cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p "$work/state" "$work/spool" "$work/log"
cat >"$work/slurm.conf" <<EOF
ClusterName=ovsmoke
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
NodeName=ovnode NodeAddr=127.0.0.1 NodeHostname=$(hostname -s) CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=smoke Nodes=ovnode Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
/usr/sbin/slurmd -D -N ovnode -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -q idle; then
        break
    fi
    sleep 1
done
if ! sinfo -h -o '%T' | grep -q idle; then
    echo "slurm smoke: the node did not come up; logs in $work/log" >&2
    sinfo >&2 || true
    tail -20 "$work/log/"* >&2 || true
    exit 1
fi
echo "slurm smoke: slurmctld and slurmd up: $(sinfo -h -o '%P %D node(s) %T %c cpus')"

out="$work/out"
read -r array merge < <(examples/slurm/submit.sh sweep scenarios/sweep-conformity.toml \
    "$shards" "$out" --set "replicates=$replicates")
echo "slurm smoke: submitted array job $array ($shards tasks) and merge job $merge (afterok)"
deadline=$((SECONDS + 600))
while squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; do
    if [ $SECONDS -gt $deadline ]; then
        echo "slurm smoke: jobs still queued after 600 s" >&2
        squeue >&2
        exit 1
    fi
    sleep 2
done
for j in "$array" "$merge"; do
    state=$(scontrol show job "$j" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' ')
    echo "slurm smoke: job $j: $state"
done
if [ ! -f "$out/merged/manifest.json" ]; then
    echo "slurm smoke: no merged folder; Slurm's logs:" >&2
    tail -n 20 "$out"/slurm-*.out >&2 || true
    exit 1
fi
cat "$out/slurm-merge.out"

"$OVATION" sweep scenarios/sweep-conformity.toml --set "replicates=$replicates" \
    --out "$work/plain" --quiet
norm_manifest() {
    sed -E -e '/"(started|finished)":/d' -e '/"shards": \[/,/^  \]/d' -e 's/,$//' "$1"
}
mask_times() {
    sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$1"
}
(cd "$work/plain" && find . -type f | sort) >"$work/plain.files"
(cd "$out/merged" && find . -type f | sort) >"$work/merged.files"
if ! diff "$work/plain.files" "$work/merged.files" >&2; then
    echo "slurm smoke: the folders hold other files" >&2
    exit 1
fi
n=0
while read -r f; do
    a="$work/plain/$f" b="$out/merged/$f"
    case "$(basename "$f")" in
    manifest.json) diff <(norm_manifest "$a") <(norm_manifest "$b") >&2 ;;
    report.html) diff <(mask_times "$a") <(mask_times "$b") >/dev/null ;;
    *) cmp "$a" "$b" ;;
    esac || {
        echo "slurm smoke: $f differs between the plain and the merged folder" >&2
        exit 1
    }
    n=$((n + 1))
done <"$work/plain.files"
echo "slurm smoke: OK: the merged folder of $shards Slurm array tasks is identical to a plain run ($n files compared; manifests without their times and shard list, reports with times masked); folders in $work"
