/**
 * @mcu/codegen-c: portable C99 from an @mcu graph — one static arena planned by @mcu/tensor,
 * constants in flash, only the kernels the model uses — with engines that build it for the host
 * or for Cortex-M under QEMU. C kernels come from plugins through the registry (see contract.ts).
 */
import { codegenPlugin } from "./plugin.js";

// The C-kernel contract (for plugin authors)
export {
  type CEmitContext,
  type CKernelContext,
  type CKernelDef,
  type CNodeEmission,
  type CScalarType,
  type CScratchRequest,
  type CSupportCode,
  defineCKernel,
  isCKernelDef,
} from "./contract.js";
export { cKernelsOf, selectCKernel } from "./select.js";
export { C_TARGET_NAMES, C_TARGETS, type CTarget, cTarget, withFeatures } from "./targets.js";
export {
  cArrayInitializer,
  cIdentifier,
  cLiteral,
  cTypeBytes,
  cTypeOf,
  doubleLiteral,
  floatLiteral,
  modelIdentifier,
} from "./c-literals.js";

// Generation
export {
  CANARY_BYTES,
  type CLayer,
  type CTensorDescriptor,
  type GenerateCOptions,
  type GeneratedC,
  generateC,
} from "./generate.js";
export {
  type GeneratedProject,
  type GenerateProjectOptions,
  generateProject,
  patternBytes,
  tensorDataBytes,
  writeProject,
} from "./project.js";
export {
  CORTEX_M_STARTUP,
  cortexMCompileFlags,
  cortexMHarness,
  cortexMLinkFlags,
  hostHarness,
  linkerScript,
  linkerScriptName,
  makefile,
  qemuArgs,
  WARNING_FLAGS,
} from "./harness.js";

// Building and running
export {
  type BuildOptions,
  type BuiltProgram,
  buildCortexM,
  buildHost,
  parseSizeOutput,
  type SectionSizes,
  sectionSizes,
} from "./build.js";
export { type BatchResult, type LayerTiming, type RunOptions, runHostBatch, runQemuBatch } from "./run.js";
export { findTool, hasTool, type ProcessResult, runProcess, which } from "./toolchain.js";
export {
  type CEngineOptions,
  type CEngineStats,
  type CPreparedModel,
  cortexMEngines,
  hostCEngine,
  prepareC,
} from "./engines.js";

// The builtin kernels and the plugin
export { builtinCKernels } from "./kernels/index.js";
export {
  actF32,
  activationCode,
  allFloat32,
  copyStrided,
  fusedTanh,
  sameTypeMovement,
  windowType,
} from "./kernels/support.js";
export { codegenPlugin };
export default codegenPlugin;
