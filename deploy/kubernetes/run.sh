#!/bin/sh
# Runs a sharded batch on Kubernetes: the Indexed Job of shards.yaml with
# as many completions as shard-jobs.txt has lines, then, once it has
# completed, the merge Job of merge.yaml. JOBS is the job lists' folder as
# the pods see it under /work (out/jobs), LOCAL where this machine sees
# it (the shared volume mounted here, or a copy). docs/scale-out.md.
#
#   deploy/kubernetes/run.sh out/jobs
set -eu
local_jobs=${1:?usage: run.sh LOCAL_JOBS_FOLDER}
here=$(dirname "$0")
tasks=$(wc -l < "$local_jobs/shard-jobs.txt")
sed -e "s/^  completions: .*/  completions: $tasks/" \
    -e "s/^  parallelism: .*/  parallelism: $tasks/" "$here/shards.yaml" | kubectl apply -f -
kubectl wait --for=condition=complete --timeout=24h job/blendsim-shards
kubectl apply -f "$here/merge.yaml"
kubectl wait --for=condition=complete --timeout=24h job/blendsim-merge
