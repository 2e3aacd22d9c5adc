/**
 * k-means speed of @mcu/cluster: 1,200,000 random 3×3 kernels (independent standard normal taps,
 * seed 1) normalized as `cluster/kernels` does (scale = norm × sign of the center tap), clustered
 * into k = 256 with the pass's settings (k-means++ seeding, Yinyang/Hamerly-bounded Lloyd
 * iterations, weighted by squared kernel norms, stop when an iteration improves the objective by
 * less than 1e-4 relative), and the same without weights and with transform-invariant clustering
 * on a tenth of the kernels. One thread.
 */
import { kernelTransforms, kmeans, normalizeKernels } from "@mcu/cluster";
import type { BenchResult } from "../tools/bench/types.js";

/** A deterministic standard normal stream (xorshift32 + Box–Muller), independent of the package's. */
function normals(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

export default async function bench(): Promise<BenchResult> {
  const n = 1_200_000;
  const normal = normals(1);
  const kernels = new Float64Array(n * 9);
  for (let i = 0; i < kernels.length; i++) kernels[i] = normal();
  const rows: Record<string, string | number>[] = [];
  const run = (label: string, count: number, weighted: boolean, tic: boolean) => {
    const t0 = performance.now();
    const nk = normalizeKernels(kernels.subarray(0, count * 9), 3, 3);
    const weights = Float64Array.from(nk.scales, (s) => s * s);
    const r = kmeans(nk.units, 9, {
      k: 256,
      seed: 0,
      ...(weighted ? { weights } : {}),
      ...(tic ? { transforms: kernelTransforms(3, 3) } : {}),
    });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      case: label,
      kernels: count,
      k: 256,
      "time s": seconds.toFixed(1),
      iterations: r.iterations,
      converged: r.converged ? "yes" : "no (limit)",
      "objective / kernel": (r.inertia / (weighted ? weights.reduce((a, b) => a + b, 0) : count)).toFixed(4),
      "kernels moved in the last iteration": r.lastReassigned,
    });
  };
  run("weighted (the pass's default)", n, true, false);
  run("unweighted", n, false, false);
  run("transform-invariant, weighted", n / 10, true, true);
  return {
    title: "@mcu/cluster: k-means of 1.2 M random 3×3 kernels, k = 256",
    description:
      "Random 3×3 kernels (standard normal taps) normalized like `cluster/kernels` (unit kernels, scale = norm × sign of the center tap), then k-means with k = 256: k-means++ seeding (seed 0), Lloyd iterations with Yinyang group bounds (Hamerly's single bound when there is one group), stopped when an iteration lowers the objective by less than 1e-4 of it (or no kernel moves). Time includes normalization and seeding; one thread. Random kernels have no cluster structure, the slowest case for convergence.",
    columns: [
      "case",
      "kernels",
      "k",
      "time s",
      "iterations",
      "converged",
      "objective / kernel",
      "kernels moved in the last iteration",
    ],
    rows,
  };
}
