#!/usr/bin/env bash
# Checks that the numerics kernels were compiled to AVX2 fused multiply-adds (ymm vfmadd):
# without -target-cpu they become per-lane fmaf calls, ~100× slower. Run after `swift build`.
set -euo pipefail
config="${1:-debug}"
object=".build/${config}/DQNNumerics.build/Gemm+Kernels.swift.o"
[ -f "$object" ] || { echo "missing $object: run swift build first" >&2; exit 2; }
count=$(objdump -d "$object" | grep -c 'vfmadd[0-9a-z]*ps.*%ymm' || true)
echo "$object: $count ymm vfmadd instructions"
[ "$count" -gt 0 ] || { echo "no vector FMA in the GEMM kernels" >&2; exit 1; }
