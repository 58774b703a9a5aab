#!/bin/bash
# The same job on one host with GNU parallel: N shards, J at a time, then the merge. It runs the
# very scripts the Slurm array runs (shard.sbatch with SLURM_ARRAY_TASK_ID set, then
# merge.sbatch), so a job can move between a laptop and a cluster unchanged.
#
#   examples/slurm/parallel.sh KIND SCENARIO N J OUT [ovation options...]
#
# Each shard runs with one thread (J shards at a time use J cores). A shard that fails stops the
# others (--halt now,fail=1) and keeps its finished replicates: rerun this script and every
# shard resumes where it stopped.
set -euo pipefail

if [ $# -lt 5 ]; then
    sed -n '2,11p' "$0" >&2
    exit 2
fi
kind=$1 scenario=$2 shards=$3 jobs=$4 out=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
seq 1 "$shards" | parallel -q --halt now,fail=1 -j "$jobs" \
    env SLURM_ARRAY_TASK_ID={} "$here/shard.sbatch" "$kind" "$scenario" "$shards" "$out" "$@"
"$here/merge.sbatch" "$shards" "$out"
