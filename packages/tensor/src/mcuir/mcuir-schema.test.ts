import { readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";
import { DTYPES } from "../dtype.js";
import { mcuirSchema } from "./mcuir-schema.generated.js";
import { DTYPE_CODES } from "./schema.js";

const packageDir = join(__dirname, "..", "..");
const protoText = readFileSync(join(__dirname, "mcuir.proto"), "utf8");

describe("mcuir.proto and its generated descriptor", () => {
  it("the committed descriptor equals a fresh parse of the .proto (run tools/gen-mcuir.mjs if not)", () => {
    const parsed = protobuf.parse(protoText, { keepCase: true });
    expect(parsed.package).toBe("mcu.ir.v1");
    expect(mcuirSchema).toEqual(parsed.root.toJSON());
  });

  it("the DType enum numbers are the ones the code uses, one per IR dtype", () => {
    const root = protobuf.parse(protoText, { keepCase: true }).root;
    const values = root.lookupEnum("mcu.ir.v1.DType").values;
    expect(values.DTYPE_UNSPECIFIED).toBe(0);
    for (const d of DTYPES) expect(values[`DTYPE_${d.toUpperCase()}`]).toBe(DTYPE_CODES[d]);
    expect(Object.keys(values)).toHaveLength(DTYPES.length + 1);
  });

  it("is the file the package exports and publishes as ./mcuir.proto", () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(pkg.exports["./mcuir.proto"]).toBe("./src/mcuir/mcuir.proto");
    expect(pkg.files).toContain("src/mcuir/mcuir.proto");
  });
});
