/**
 * The float32 C kernels against the TS interpreter (the reference kernels of @mcu/tensor, which
 * are themselves tested against naive definitions and onnxruntime): random cases of every
 * family, built with gcc under AddressSanitizer + UndefinedBehaviorSanitizer on the host, and
 * cross-compiled for Cortex-M4 and run under QEMU. Each graph holds many independent cases so
 * that one compilation checks them all.
 */
import type { CEngineOptions } from "../../engines.js";
import { interpret, prepareFor, relativeError, testRegistry } from "../../testing/compare.js";
import {
  type CaseGraph,
  convCases,
  denseCases,
  elementwiseCases,
  normalizationCases,
  poolCases,
} from "../../testing/float-graphs.js";

const registry = testRegistry();
const families: readonly [string, (seed: number) => CaseGraph][] = [
  ["conv2d / depthwise / transpose_conv2d", (s) => convCases(registry, s, 12)],
  ["fully_connected / matmul / batch_matmul", (s) => denseCases(registry, s, 12)],
  ["binary ops with broadcasting, unary activations", (s) => elementwiseCases(registry, s, 20)],
  ["max_pool2d / avg_pool2d / mean", (s) => poolCases(registry, s, 14)],
  ["softmax / log_softmax / batch_norm", (s) => normalizationCases(registry, s, 12)],
];

async function check(cg: CaseGraph, target: string, options: CEngineOptions): Promise<void> {
  const [expected] = interpret(cg.graph, registry, [cg.inputs]);
  const m = await prepareFor(cg.graph, registry, target, options);
  const [actual] = await m.invokeBatch([cg.inputs]);
  const failures = actual!
    .map((o, k) => ({ err: relativeError(o, expected![k]!), c: cg.cases[k] }))
    .filter((f) => !(f.err <= 1e-5));
  expect(failures).toEqual([]);
}

describe("float32 C kernels agree with the TS interpreter within 1e-5 relative", () => {
  describe.each(families)("%s", (_name, make) => {
    it("on the host (gcc, ASan + UBSan), two random graphs", async () => {
      for (const seed of [11, 12]) await check(make(seed), "host", { sanitize: true });
    });

    it("on Cortex-M4 under QEMU (mps2-an386)", async () => {
      await check(make(21), "cortex-m4", {});
    });
  });
});
