import { fixturePath } from "@mcu/testing";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";

describe("mcu estimate", () => {
  it("prints the board catalog as a schema-1 JSON document with --board list --json", async () => {
    const io = captureIo();
    expect(await main(["estimate", "--board", "list", "--json"], io)).toBe(0);
    const doc = JSON.parse(io.out()) as {
      schema: number;
      boards: { id: string; core: string; sramBytes: { value: number } }[];
    };
    expect(doc.schema).toBe(1);
    // The MLPerf Tiny reference board: STM32L4R5ZI, Cortex-M4F with 640 KiB SRAM (RIOT's board page).
    expect(doc.boards.find((b) => b.id === "nucleo-l4r5zi")).toMatchObject({
      core: "cortex-m4",
      sramBytes: { value: 640 * 1024 },
    });
  });

  it("prints the schema-1 JSON document for a real int8 model", async () => {
    const io = captureIo();
    const model = fixturePath("mlcommons-tiny", "kws_ref_model.tflite");
    expect(await main(["estimate", model, "--board", "nucleo-l4r5zi", "--json"], io)).toBe(0);
    const doc = JSON.parse(io.out()) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(
      ["board", "energyUj", "fits", "flashBytes", "latencyMs", "layers", "ramBytes", "schema"].sort(),
    );
    expect(doc.schema).toBe(1);
    expect(doc.board).toBe("nucleo-l4r5zi");
    expect(doc.fits).toBe(true);
    // 13 operators in the file (5 CONV_2D, 4 DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX).
    expect(doc.layers).toHaveLength(13);
    // MLPerf Tiny v0.5 measured 181.9 ms for this model on this board; model (b) is fitted to it.
    const tflm = (doc.latencyMs as { tflmCmsisNn: number }).tflmCmsisNn;
    expect(Math.abs(tflm / 181.9 - 1)).toBeLessThan(0.15);
  });

  it("prints a per-layer table, the fit with margins and the bottleneck", async () => {
    const io = captureIo();
    const model = fixturePath("tflite-micro", "person_detect.tflite");
    expect(await main(["estimate", model, "--board", "nucleo-g0b1re"], io)).toBe(0);
    const out = io.out();
    expect(out).toContain("NUCLEO-G0B1RE");
    expect(out).toMatch(/RAM +[\d,]+ B .* margin/);
    expect(out).toContain("fits: yes");
    expect(out).toMatch(/bottleneck: #\d+/);
  });

  it("lists the catalog with --board list", async () => {
    const io = captureIo();
    expect(await main(["estimate", "--board", "list"], io)).toBe(0);
    for (const id of ["nucleo-l4r5zi", "rp2040", "arduino-nano-33-ble-sense"]) expect(io.out()).toContain(id);
  });

  it("fails with one error line for an unknown board or a missing model", async () => {
    let io = captureIo();
    expect(await main(["estimate", "m.tflite", "--board", "esp32-s3"], io)).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_UNKNOWN_BOARD: unknown board "esp32-s3"/);
    io = captureIo();
    expect(await main(["estimate", "--board", "rp2040"], io)).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_USAGE/);
  });
});
