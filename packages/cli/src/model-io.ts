/**
 * Model inputs and outputs as tensor files, with the leading-batch rule: an input file with
 * exactly one more leading dimension than the model input (`[100,1,1,28,28]` for
 * `[1,1,28,28]`) is run once per slice, and the outputs are stacked the same way
 * (`[100,1,10]`). Inputs and outputs keep the graph's own layout and dtypes.
 */
import {
  allocateData,
  dataMatchesDType,
  decodeTensorFile,
  encodeTensorFile,
  formatShape,
  type Graph,
  getTensor,
  McuError,
  numElements,
  type PreparedModel,
  sameShape,
  storageLength,
  type TensorData,
  type TensorFileValue,
  tensorFileKind,
} from "@mcu/tensor";
import { type CliIo, readUserFile, writeUserFile } from "./io.js";
import type { Progress } from "./progress.js";

/** The inputs of every run: one slice per run, or the same tensors for a single run. */
export interface BatchedInputs {
  /** Number of inferences to run. */
  readonly runs: number;
  /** True when at least one file had the extra leading (batch) dimension. */
  readonly batched: boolean;
  /** The model inputs of run `i`, in graph input order. */
  slice(i: number): TensorData[];
}

interface InputData {
  readonly data: TensorData;
  readonly batch: number | undefined;
  readonly file: string;
}

/** Reads one input file for model input `id`, deciding whether it carries a batch dimension. */
async function readInput(io: CliIo, graph: Graph, id: string, file: string): Promise<InputData> {
  const t = getTensor(graph, id);
  const kind = tensorFileKind(file);
  const wanted = `${t.dtype}${formatShape(t.shape)}`;
  if (t.dtype === "bit") {
    throw new McuError(
      "MCU_E_INPUT",
      `model input "${id}" is a bit tensor; bit inputs cannot be read from files`,
      {
        tensor: id,
      },
    );
  }
  const value = decodeTensorFile(await readUserFile(io, file), file, { dtype: t.dtype });
  const per = numElements(t.shape);
  if (kind === "csv") {
    // A CSV file is flat: its value count decides between one input and a batch of them.
    const n = value.data.length;
    if (n === per) return { data: value.data, batch: undefined, file };
    if (per > 0 && n % per === 0) return { data: value.data, batch: n / per, file };
    throw new McuError(
      "MCU_E_INPUT",
      `"${file}" has ${n} values; model input "${id}" takes ${wanted} (${per} values, or a multiple of ${per} for a batch)`,
      { tensor: id },
    );
  }
  if (sameShape(value.shape, t.shape)) return { data: value.data, batch: undefined, file };
  if (value.shape.length === t.shape.length + 1 && sameShape(value.shape.slice(1), t.shape)) {
    return { data: value.data, batch: value.shape[0]!, file };
  }
  throw new McuError(
    "MCU_E_INPUT",
    `"${file}" has shape ${formatShape(value.shape)}; model input "${id}" takes ${wanted} (or [N,${t.shape.join(",")}] for a batch of N)`,
    { tensor: id },
  );
}

/** Reads the input files (one per graph input, in order) and applies the leading-batch rule. */
export async function readModelInputs(
  io: CliIo,
  graph: Graph,
  files: readonly string[],
): Promise<BatchedInputs> {
  if (files.length !== graph.inputs.length) {
    const names = graph.inputs.map((id) => `"${id}"`).join(", ");
    throw new McuError(
      "MCU_E_INPUT",
      `the model takes ${graph.inputs.length} input(s) (${names}); got ${files.length} --input file(s)`,
    );
  }
  const inputs: InputData[] = [];
  for (let i = 0; i < files.length; i++) inputs.push(await readInput(io, graph, graph.inputs[i]!, files[i]!));
  const batches = inputs.filter((x) => x.batch !== undefined);
  const runs = batches[0]?.batch ?? 1;
  for (const b of batches) {
    if (b.batch !== runs) {
      throw new McuError(
        "MCU_E_INPUT",
        `batched inputs disagree on the batch size: "${batches[0]!.file}" has ${runs}, "${b.file}" has ${b.batch}`,
      );
    }
  }
  const lengths = graph.inputs.map((id) => {
    const t = getTensor(graph, id);
    return storageLength(t.dtype, t.shape);
  });
  return {
    runs,
    batched: batches.length > 0,
    slice: (run) =>
      inputs.map((x, i) =>
        x.batch === undefined
          ? x.data
          : (x.data.subarray(run * lengths[i]!, (run + 1) * lengths[i]!) as TensorData),
      ),
  };
}

/**
 * Runs a prepared model once per batch slice and stacks each output along a new leading axis
 * when the inputs were batched. An engine with `invokeBatch` gets every slice in one call (one
 * build and one process or simulator run for the whole batch).
 */
export async function runBatches(
  graph: Graph,
  prepared: PreparedModel,
  inputs: BatchedInputs,
  progress: Progress,
): Promise<TensorFileValue[]> {
  const outs = graph.outputs.map((id) => getTensor(graph, id));
  const lengths = outs.map((t) => storageLength(t.dtype, t.shape));
  const shapes = outs.map((t) => (inputs.batched ? [inputs.runs, ...t.shape] : [...t.shape]));
  const stacked = outs.map((t, k) => allocateData(t.dtype, shapes[k]!));
  const slices = Array.from({ length: inputs.runs }, (_, run) => inputs.slice(run));
  const batch = prepared.invokeBatch !== undefined ? await prepared.invokeBatch(slices) : undefined;
  if (batch !== undefined && batch.length !== inputs.runs) {
    throw new McuError(
      "MCU_E_ENGINE",
      `the engine returned ${batch.length} results for a batch of ${inputs.runs} samples`,
    );
  }
  for (let run = 0; run < inputs.runs; run++) {
    const results = batch !== undefined ? batch[run]! : await prepared.invoke(slices[run]!);
    if (results.length !== outs.length) {
      throw new McuError(
        "MCU_E_ENGINE",
        `the engine returned ${results.length} outputs, the model has ${outs.length}`,
      );
    }
    results.forEach((data, k) => {
      const t = outs[k]!;
      if (!dataMatchesDType(t.dtype, data) || data.length !== lengths[k]) {
        throw new McuError(
          "MCU_E_ENGINE",
          `the engine returned ${data.constructor.name}(${data.length}) for output "${t.name}", which is ${t.dtype}${formatShape(t.shape)}`,
        );
      }
      (stacked[k] as { set(a: ArrayLike<unknown>, o: number): void }).set(
        data as ArrayLike<unknown>,
        run * lengths[k]!,
      );
    });
    progress.tick();
  }
  return outs.map((t, k) => ({ dtype: t.dtype, shape: shapes[k]!, data: stacked[k]! }));
}

/** Checks, before any work, that there is one `.npy` or `.csv` output file per graph output. */
export function checkOutputFiles(graph: Graph, files: readonly string[]): void {
  if (files.length !== graph.outputs.length) {
    throw new McuError(
      "MCU_E_OUTPUT",
      `the model has ${graph.outputs.length} output(s); give --output once per output (got ${files.length})`,
    );
  }
  for (const f of files) tensorFileKind(f);
}

/** Writes output tensors, one file per output (`.npy` or `.csv` by extension). */
export async function writeModelOutputs(
  io: CliIo,
  values: readonly TensorFileValue[],
  files: readonly string[],
): Promise<void> {
  if (files.length !== values.length) {
    throw new McuError("MCU_E_OUTPUT", `${values.length} output(s) but ${files.length} --output file(s)`);
  }
  for (let i = 0; i < files.length; i++)
    await writeUserFile(io, files[i]!, encodeTensorFile(values[i]!, files[i]!));
}
