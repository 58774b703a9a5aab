#!/bin/bash
# Submits an ovation job to Slurm as N shards (a job array, one shard per task) and a merge job
# that runs once every shard succeeded (--dependency=afterok). Prints the two job ids.
#
#   examples/slurm/submit.sh KIND SCENARIO N OUT [ovation options, e.g. --set replicates=500]
#
#   KIND      run, sweep or compare
#   SCENARIO  the scenario file (relative paths are read from the folder you submit from)
#   N         how many shards (array tasks)
#   OUT       the folder for the shards (OUT/shard-I), Slurm's logs and the result (OUT/merged)
#
# Set OVATION to the ovation executable if it is not on PATH, and pass sbatch options (account,
# partition, time, cpus) through SBATCH_* environment variables, e.g. SBATCH_PARTITION=short,
# or edit the #SBATCH lines of shard.sbatch and merge.sbatch.
set -euo pipefail

if [ $# -lt 4 ]; then
    sed -n '2,16p' "$0" >&2
    exit 2
fi
kind=$1 scenario=$2 shards=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
array=$(sbatch --parsable --array="1-$shards" --output="$out/slurm-shard-%a.out" \
    "$here/shard.sbatch" "$kind" "$scenario" "$shards" "$out" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$out/slurm-merge.out" "$here/merge.sbatch" "$shards" "$out")
merge=${merge%%;*}
echo "$array $merge"
