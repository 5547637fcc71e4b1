#!/usr/bin/env bash
# The GPU-machine check for @tsgrad/gpu (issue 10): run on a machine with a real GPU, after `npm ci`.
# Prints the adapter, runs the backend's kernels on WebGPU against webasm on the hardware adapter
# (Dawn's Vulkan backend) and on the software one if present, then the gpu.js backend's tests and
# the 300-step training test with their timings. Paste the output into docs/perf.md.
set -uo pipefail
cd "$(dirname "$0")/.."
node --version; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null || echo "no nvidia-smi"
npm run build -s
echo "== webgpu kernels, Dawn vulkan backend, core feature level"
TSGRAD_WEBGPU_BACKEND=vulkan TSGRAD_WEBGPU_FEATURE_LEVEL=core npx vitest run packages/gpu/src/webgpu.test.ts
echo "== webgpu kernels, Dawn opengles backend (llvmpipe where no GPU driver), compatibility level"
npx vitest run packages/gpu/src/webgpu.test.ts
echo "== gpu.js backend: conformance, autograd ops, Table 3 parity (webasm, cpu)"
npx vitest run packages/gpu/src/conformance.test.ts packages/gpu/src/autograd.test.ts packages/gpu/src/parity.test.ts
echo "== 300-step training, gpu:webasm against the CPU backend (times printed)"
npx vitest run packages/gpu/src/training.test.ts
