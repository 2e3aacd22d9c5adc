/** Every ONNX op the importer handles, by op type. */
import type { HandlerTable } from "../op-handler.js";
import { convHandlers } from "./conv.js";
import { denseHandlers } from "./dense.js";
import { elementwiseHandlers } from "./elementwise.js";
import { normalizationHandlers } from "./normalization.js";
import { poolHandlers } from "./pool.js";
import { qdqHandlers } from "./qdq.js";
import { shapeHandlers } from "./shape.js";

/** The handler table of the importer. */
export const onnxHandlers: HandlerTable = Object.freeze({
  ...convHandlers,
  ...denseHandlers,
  ...elementwiseHandlers,
  ...normalizationHandlers,
  ...poolHandlers,
  ...qdqHandlers,
  ...shapeHandlers,
});

/** The ONNX op types the importer reads, sorted. */
export function supportedOnnxOps(): string[] {
  return Object.keys(onnxHandlers).sort();
}
