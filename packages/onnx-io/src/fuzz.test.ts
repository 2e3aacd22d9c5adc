import { readFixture } from "@mcu/testing";
import { kitchenSinkModel } from "./testing/fuzz-seeds.js";
import { type FuzzReport, fuzzReadOnnx } from "./testing/fuzz.js";

const MODELS = ["mnist_cnn", "mnist_vgg", "mnist_dscnn", "mnist_dscnn_bn", "mnist_bnn", "mnist_cnn_qdq_ort"];

describe("reading damaged ONNX files", () => {
  // 7 seeds × 1,000 cases: the six fixtures and a model using most supported ops; half the
  // cases damage bytes, half change decoded fields. A longer run (80,000 cases, other seeds)
  // found nothing either.
  let report: FuzzReport;
  beforeAll(() => {
    const files = [
      ...MODELS.map((m) => [m, readFixture("pytorch-mnist", `${m}.onnx`)] as const),
      ["kitchen-sink", kitchenSinkModel()] as const,
    ];
    report = fuzzReadOnnx(files, 20261126, 7000);
  }, 120_000);

  it("7,000 seeded mutations give only McuError (or a valid graph)", () => {
    expect(report.failures).toEqual([]);
    const rejected = Object.values(report.codes).reduce((a, b) => a + b, 0);
    expect(report.accepted + rejected).toBe(7000);
    // The damage is real and is reported with the reader's own codes.
    expect(report.codes.MCU_E_ONNX_DECODE).toBeGreaterThan(500);
    expect(report.codes.MCU_E_ONNX_INVALID).toBeGreaterThan(500);
    expect(report.codes.MCU_E_UNSUPPORTED_OP).toBeGreaterThan(50);
  });

  it("never hangs: every case finishes within 1 s of CPU time", () => {
    expect(report.slowestMs).toBeLessThan(1000);
  });
});
