import fc from "fast-check";
import { McuError } from "@mcu/tensor";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import { FlatReader } from "./flat-reader.js";
import type { Model, Operator, Tensor } from "./model.js";
import { optionsTable, optionValue } from "./options.js";

const CONV = optionsTable("Conv2DOptions");

/** Random models within the part of the schema @mcu reads and writes. */
const modelArb: fc.Arbitrary<Model> = fc
  .record({
    bufferCount: fc.integer({ min: 1, max: 4 }),
    tensorCount: fc.integer({ min: 1, max: 6 }),
  })
  .chain(({ bufferCount, tensorCount }) => {
    const tensorArb: fc.Arbitrary<Tensor> = fc.record({
      shape: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }),
      type: fc.integer({ min: 0, max: 17 }),
      buffer: fc.integer({ min: 0, max: bufferCount - 1 }),
      name: fc.string({ maxLength: 12 }),
      isVariable: fc.boolean(),
    });
    const operatorArb: fc.Arbitrary<Operator> = fc.record({
      opcodeIndex: fc.integer({ min: 0, max: 1 }),
      inputs: fc.array(fc.integer({ min: -1, max: tensorCount - 1 }), { maxLength: 4 }),
      outputs: fc.array(fc.integer({ min: 0, max: tensorCount - 1 }), { maxLength: 2 }),
      builtinOptionsType: fc.constant(CONV.type),
      builtinOptions: fc.record({
        padding: fc.integer({ min: 0, max: 1 }),
        stride_w: fc.constantFrom(0, 1, 2, -5),
        dilation_h_factor: fc.constantFrom(0, 1, 3),
      }),
    });
    return fc.record({
      version: fc.constant(3),
      operatorCodes: fc.tuple(
        fc.record({
          builtinCode: fc.integer({ min: 0, max: 209 }),
          version: fc.integer({ min: 1, max: 12 }),
        }),
        fc.record({
          builtinCode: fc.constant(32),
          customCode: fc.string({ maxLength: 8 }),
          version: fc.constant(1),
        }),
      ),
      subgraphs: fc.tuple(
        fc.record({
          tensors: fc.array(tensorArb, { minLength: tensorCount, maxLength: tensorCount }),
          inputs: fc.array(fc.integer({ min: 0, max: tensorCount - 1 }), { maxLength: 2 }),
          outputs: fc.array(fc.integer({ min: 0, max: tensorCount - 1 }), { maxLength: 2 }),
          operators: fc.array(operatorArb, { maxLength: 3 }),
        }),
      ),
      description: fc.string({ maxLength: 20 }),
      buffers: fc.array(fc.record({ data: fc.uint8Array({ minLength: 1, maxLength: 40 }) }), {
        minLength: bufferCount,
        maxLength: bufferCount,
      }),
      metadata: fc.constant([]),
    }) as fc.Arbitrary<Model>;
  });

/** The model as the decoder reports it: defaults dropped, buffer 0 always read back as given. */
function normalized(m: Model) {
  return {
    ...m,
    subgraphs: m.subgraphs.map((sg) => ({
      ...sg,
      tensors: sg.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
      operators: sg.operators.map((op) => ({
        ...op,
        // The writer leaves out fields equal to their schema default; the reader reports what is stored.
        builtinOptions: Object.fromEntries(
          Object.entries(op.builtinOptions ?? {}).filter(([k, v]) => v !== optionValue(undefined, CONV, k)),
        ),
      })),
    })),
    buffers: m.buffers.map((b) => ({ data: Array.from(b.data ?? []) })),
  };
}

describe("encodeModel / decodeModel", () => {
  it("round-trip random models", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const back = decodeModel(encodeModel(m));
        const got = normalized({
          ...back,
          buffers: back.buffers.map((b) => ({ data: b.data ?? new Uint8Array(0) })),
        });
        expect(got).toEqual(normalized(m));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("aligns buffer data to 16 bytes (force_align: 16) and writes the TFL3 identifier", () => {
    const m: Model = {
      version: 3,
      operatorCodes: [],
      subgraphs: [{ tensors: [], inputs: [], outputs: [], operators: [] }],
      buffers: [{}, { data: Uint8Array.from([1, 2, 3]) }, { data: Uint8Array.from([4, 5, 6, 7, 8]) }],
      metadata: [],
    };
    const bytes = encodeModel(m);
    expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe("TFL3");
    const back = decodeModel(bytes);
    for (const b of back.buffers.slice(1)) expect(b.data!.byteOffset % 16).toBe(0);
  });
});

describe("FlatReader bounds", () => {
  it("rejects offsets and vector lengths that point past the end", () => {
    // root offset 8 → table at 8 whose vtable offset points at byte 8 − (−1000).
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 8, true);
    bytes.set([84, 70, 76, 51], 4); // "TFL3"
    view.setInt32(8, -1000, true);
    expect(() => new FlatReader(bytes).root("TFL3")).toThrow(
      expect.objectContaining({ code: "MCU_E_TFLITE_TRUNCATED" }),
    );
    const r = new FlatReader(bytes);
    view.setUint32(12, 0xfffffff0, true);
    expect(() => r.vectorAt(12, 4, "shape")).toThrow(McuError);
  });

  it("caps the work a file can cause by its size", () => {
    const r = new FlatReader(new Uint8Array(100));
    expect(() => r.spend(10_000, "operators")).toThrow(
      expect.objectContaining({ code: "MCU_E_TFLITE_INVALID" }),
    );
  });
});
