/**
 * The PyTorch-exported MNIST models against onnxruntime's logits for all 1996 test digits
 * (fixtures/pytorch-mnist/*.test_logits_all.npy, computed by onnxruntime 1.30). mnist_vgg and
 * mnist_bnn are larger and have their own test files.
 */
import { compareWithOrt, type OrtComparison } from "./testing/mnist.js";

describe.each([
  // [model, onnxruntime's correct count from its logits, the README's accuracy]
  ["mnist_cnn", 1958, 0.980962],
  ["mnist_dscnn", 1954, 0.978958],
  ["mnist_dscnn_bn", 1954, 0.978958],
])("%s on all 1996 test digits", (model, ortCorrect, readmeAcc) => {
  let r: OrtComparison;
  beforeAll(() => {
    r = compareWithOrt(model);
  });

  it("matches onnxruntime's logits within 1e-4 (relative to each row's largest logit)", () => {
    expect(r.worst).toBeLessThanOrEqual(1e-4);
  });

  it("has onnxruntime's top-1 on every digit, hence its accuracy", () => {
    expect(r.agree).toBe(1996);
    expect(r.ort).toBe(ortCorrect);
    expect(r.ours).toBe(ortCorrect);
    expect(r.ours / 1996).toBeCloseTo(readmeAcc, 6);
  });
});
