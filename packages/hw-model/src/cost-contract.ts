/**
 * The cost/storage contract: what a plugin contributes, per op and kernel variant, so that
 * @mcu/hw-model can size and time a layer without knowing the technique behind it.
 *
 * A contribution extends `CostContribution { op, variant }` of @mcu/tensor and is registered
 * in a plugin's `costs` list. For each node, hw-model picks the highest-priority contribution
 * for the node's op whose `supports()` accepts it (the same rule the registry uses for TS
 * kernels). Instruction counts are per core family — what QEMU measures — and hw-model turns
 * them into cycles with the board's documented cycles-per-instruction factor.
 */
import {
  type Attrs,
  type CostContribution,
  type Graph,
  isConstant,
  type Node,
  type TensorInfo,
  tensorBytes,
} from "@mcu/tensor";
import type { CoreFamily } from "./cores.js";

/** What a cost function sees of one node. */
export interface CostNodeContext {
  readonly graph: Graph;
  readonly node: Node;
  readonly attrs: Attrs;
  /** Input tensors (`undefined` for absent optional inputs); constants carry `data`. */
  readonly inputs: readonly (TensorInfo | undefined)[];
  readonly outputs: readonly TensorInfo[];
  /** Multiply-accumulates of one execution, from the op contract. */
  readonly macs: number;
}

/** The C kernel @mcu/codegen-c picks for a node, as far as the cost model needs it. */
export interface GeneratedKernelInfo {
  /** `op:variant` of the C kernel. */
  readonly variant: string;
  /** The kernel needs the DSP extension (it does not take the node on the same core without it). */
  readonly dspOnly: boolean;
  /** No other layer calls the kernel's own functions (the compiler specializes them). */
  readonly soleUser: boolean;
}

/** A cost context for one core family. */
export interface CoreCostContext extends CostNodeContext {
  readonly family: CoreFamily;
  /** The core has the DSP extension (SMLAD/SXTB16). */
  readonly dsp: boolean;
  /** The node's C kernel when the registry holds C kernels (codegen-c's contract) that take it. */
  readonly generated?: GeneratedKernelInfo;
}

/**
 * A cost/storage contribution for one op and kernel variant (`core.conv2d` / `int8`,
 * `cluster.conv2d` / `clustered-k16`, ...).
 */
export interface HwCostContribution extends CostContribution {
  readonly op: string;
  readonly variant: string;
  /** Higher wins when several contributions support a node (default 0). */
  readonly priority?: number;
  /** True if this contribution describes how this node is stored and run. */
  supports(ctx: CostNodeContext): boolean;
  /**
   * Flash bytes of the node's constant data in this variant's storage format: packed weights,
   * codebooks, bias, precomputed requantization multipliers and shifts.
   */
  weightBytes(ctx: CostNodeContext): number;
  /**
   * Flash bytes of the kernel's implementation on this core, counted once per model for all
   * nodes that share `codeKey` (default `${op}:${variant}`).
   */
  kernelCodeBytes(family: CoreFamily): number;
  /** Kernels sharing an implementation (one C function) give the same key. */
  readonly codeKey?: string;
  /** Flash bytes per layer beyond the weights: the call site and its constant descriptor. */
  layerCodeBytes?(ctx: CoreCostContext): number;
  /** Arena scratch the kernel needs while it runs (im2col buffers, ...); 0 when omitted. */
  scratchBytes?(ctx: CoreCostContext): number;
  /** Instructions of @mcu/codegen-c's kernel for this node on this core (latency model a). */
  generatedInstructions?(ctx: CoreCostContext): number;
  /**
   * Instructions of TensorFlow Lite Micro + CMSIS-NN for this node on this core (latency
   * model b). Omit it when TFLM cannot run the variant: the model total is then `null`.
   */
  tflmInstructions?(ctx: CoreCostContext): number;
}

/** The declaration passed to {@link defineCost}: `weightBytes` defaults to the constants as stored. */
export type HwCostSpec = Omit<HwCostContribution, "weightBytes" | "kernelCodeBytes"> &
  Partial<Pick<HwCostContribution, "weightBytes" | "kernelCodeBytes">>;

/** Bytes of the node's constant inputs as stored (int4 two per byte, bits 32 per word). */
export function constantBytesAsStored(ctx: CostNodeContext): number {
  let bytes = 0;
  for (const t of ctx.inputs) if (t !== undefined && isConstant(t)) bytes += tensorBytes(t);
  return bytes;
}

/** Declares a cost contribution, filling the defaults (constants as stored, no kernel code). */
export function defineCost(spec: HwCostSpec): HwCostContribution {
  return Object.freeze({
    ...spec,
    weightBytes: spec.weightBytes ?? constantBytesAsStored,
    kernelCodeBytes: spec.kernelCodeBytes ?? (() => 0),
  });
}

/** True if a registry cost contribution carries the full hw-model interface. */
export function isHwCostContribution(c: CostContribution): c is HwCostContribution {
  const x = c as Partial<HwCostContribution>;
  return (
    typeof x.supports === "function" &&
    typeof x.weightBytes === "function" &&
    typeof x.kernelCodeBytes === "function"
  );
}
