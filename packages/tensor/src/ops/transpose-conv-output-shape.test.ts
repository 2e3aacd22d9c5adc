import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createRegistry } from "../registry.js";

const registry = createRegistry([corePlugin]);

// tflite-micro seanet transpose_conv0: input [1,1,5,64], weights [64,3,4,64], stride (1, 2),
// SAME, output_shape [1,3,12,64] given as a model input.
describe("core.transpose_conv2d with an outputShape input", () => {
  function build(shapeInput: "runtime" | "constant" | "none", attrShape: number[] = []) {
    const g = graphBuilder(registry);
    const x = g.input("x", [1, 1, 5, 64]);
    const s =
      shapeInput === "runtime"
        ? g.input("output_shape", [4], "int32")
        : shapeInput === "constant"
          ? g.constant("output_shape", Int32Array.from([1, 3, 12, 64]), [4])
          : undefined;
    const w = g.constant("w", new Float32Array(64 * 3 * 4 * 64), [64, 3, 4, 64]);
    const y = g.op("core.transpose_conv2d", [x, w, undefined, s], {
      strides: [1, 2],
      padding: "SAME",
      outputShape: attrShape,
    });
    g.output(y);
    return g.build();
  }
  const outShape = (graph: ReturnType<typeof build>) => graph.tensors.get(graph.outputs[0]!)!.shape;

  it("reads a constant outputShape input", () => {
    expect(outShape(build("constant"))).toEqual([1, 3, 12, 64]);
  });

  it("takes the static shape from the attribute when the input is a runtime value", () => {
    expect(outShape(build("runtime", [1, 3, 12, 64]))).toEqual([1, 3, 12, 64]);
    expect(() => build("runtime")).toThrow(expect.objectContaining({ code: "MCU_E_SHAPE" }));
  });

  it("still works without the input (backward compatible)", () => {
    // SAME with stride (1, 2): H = 1·1, W = 5·2.
    expect(outShape(build("none"))).toEqual([1, 1, 10, 64]);
    expect(outShape(build("none", [1, 3, 12, 64]))).toEqual([1, 3, 12, 64]);
  });
});
