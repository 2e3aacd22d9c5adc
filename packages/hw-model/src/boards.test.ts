import { isMcuError } from "@mcu/tensor";
import { BOARDS, boardById } from "./boards.js";

// The issue's list of boards with the core and clock it states for each (an independent
// statement of the same datasheet facts the catalog cites).
const ISSUE_BOARDS: Record<string, { core: string; mhz?: number }> = {
  "nucleo-l4r5zi": { core: "cortex-m4", mhz: 120 },
  "nucleo-h7a3zi-q": { core: "cortex-m7", mhz: 280 },
  "nucleo-u575zi-q": { core: "cortex-m33", mhz: 160 },
  "nucleo-g0b1re": { core: "cortex-m0plus", mhz: 64 },
  "nucleo-f446re": { core: "cortex-m4", mhz: 180 },
  "nucleo-f746zg": { core: "cortex-m7", mhz: 216 },
  "nrf52840-dk": { core: "cortex-m4", mhz: 64 },
  rp2040: { core: "cortex-m0plus", mhz: 133 },
  "ek-ra6m4": { core: "cortex-m33", mhz: 200 },
  "arduino-nano-33-ble-sense": { core: "cortex-m4" },
};

describe("board catalog", () => {
  it("has every board the issue lists, with the stated core and clock", () => {
    expect(BOARDS.map((b) => b.id).sort()).toEqual(Object.keys(ISSUE_BOARDS).sort());
    for (const [id, want] of Object.entries(ISSUE_BOARDS)) {
      const b = boardById(id);
      expect(b.core).toBe(want.core);
      if (want.mhz !== undefined) expect(b.clockHz.value).toBe(want.mhz * 1e6);
    }
  });

  it("cites a document and an address for every figure", () => {
    for (const b of BOARDS) {
      for (const f of [b.clockHz, b.sramBytes, b.flashBytes]) {
        expect(f.source.url).toMatch(/^https:\/\//);
        expect(f.source.document.length).toBeGreaterThan(10);
        expect(f.value).toBeGreaterThan(0);
      }
      if (b.activePower !== undefined) expect(b.activePower.source.url).toMatch(/^https:\/\//);
      expect(b.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it("derives the U575 active power from the cited µA/MHz figure", () => {
    // 19.5 µA/MHz × 160 MHz = 3.12 mA; × 3.3 V = 10.296 mW.
    expect(boardById("nucleo-u575zi-q").activePower?.milliwatts).toBeCloseTo(10.296, 3);
  });

  it("finds boards case-insensitively and names the known ids for an unknown one", () => {
    expect(boardById("NUCLEO-L4R5ZI").id).toBe("nucleo-l4r5zi");
    try {
      boardById("esp32-s3");
      throw new Error("no error");
    } catch (e) {
      expect(isMcuError(e) && e.code).toBe("MCU_E_UNKNOWN_BOARD");
      expect(String(e)).toContain("nucleo-l4r5zi");
    }
  });
});
