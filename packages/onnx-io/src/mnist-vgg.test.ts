/** mnist_vgg (150k parameters, 9 layers) against onnxruntime's logits on all 1996 test digits. */
import { compareWithOrt, type OrtComparison } from "./testing/mnist.js";

describe("mnist_vgg on all 1996 test digits", () => {
  let r: OrtComparison;
  beforeAll(() => {
    r = compareWithOrt("mnist_vgg");
  }, 600_000);

  it("matches onnxruntime's logits within 1e-4 (relative to each row's largest logit)", () => {
    expect(r.over).toEqual([]);
    expect(r.worst).toBeLessThanOrEqual(1e-4);
  });

  it("has onnxruntime's top-1 on every digit: 1971/1996 = 0.987475, the README's figure", () => {
    expect(r.agree).toBe(1996);
    expect(r.ort).toBe(1971);
    expect(r.ours).toBe(1971);
  });
});
