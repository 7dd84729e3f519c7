#!/bin/sh
# Submits a sharded batch to Slurm: one job-array task per line of
# JOBS/shard-jobs.txt, then one merge job that starts once every task has
# succeeded (afterok). JOBS is the folder `blendsim batch --shards N --out
# JOBS` wrote. Run it from the folder the batch was written from (the
# job lines name the facilities relative to it), on a file system the
# compute nodes share. docs/scale-out.md.
#
#   deploy/slurm/submit.sh out/jobs
set -eu
jobs=${1:?usage: submit.sh JOBS (the folder of shard-jobs.txt and merge-jobs.txt)}
here=$(dirname "$0")
tasks=$(wc -l < "$jobs/shard-jobs.txt")
[ "$tasks" -gt 0 ] || { echo "no job in $jobs/shard-jobs.txt" >&2; exit 2; }
array=$(sbatch --parsable --array="0-$((tasks - 1))" --export="ALL,JOBS=$jobs" \
    "$here/shard.sbatch")
sbatch --parsable --dependency="afterok:${array%%;*}" --export="ALL,JOBS=$jobs" \
    "$here/merge.sbatch"
