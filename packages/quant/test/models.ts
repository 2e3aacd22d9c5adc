/** Loading the fixture models and golden data for the golden tests. */
import { readdirSync, readFileSync } from "node:fs";
import { allocateData, createInterpreter, type Graph, type Interpreter, type TensorData } from "@mcu/tensor";
import { fixturePath, readFixture } from "@mcu/testing";
import { readTflite } from "@mcu/tflite-io";
import { registry } from "./graph.js";

/** Reads a fixture .tflite into a graph checked against core + @mcu/quant. */
export function loadModel(...parts: string[]): Graph {
  return readTflite(readFixture(...parts), { registry });
}

/** An interpreter on core + @mcu/quant. */
export function interpreterOf(graph: Graph): Interpreter {
  return createInterpreter(graph, { registry });
}

/** Raw little-endian bytes as the typed array of a graph input. */
export function inputFromBytes(graph: Graph, index: number, bytes: Uint8Array): TensorData {
  const t = graph.tensors.get(graph.inputs[index]!)!;
  const data = allocateData(t.dtype, t.shape);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes.subarray(0, data.byteLength));
  return data;
}

/** The bytes of a typed array. */
export function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A one-line CSV of integers. */
export function readCsvInts(...parts: string[]): number[] {
  return readFileSync(fixturePath(...parts), "utf8")
    .trim()
    .split(/[,\s]+/)
    .map(Number);
}

/** Files of a fixture folder. */
export function fixtureFiles(...parts: string[]): string[] {
  return readdirSync(fixturePath(...parts)).sort();
}
