/**
 * The C @mcu/codegen-c generates for a Cortex-M7, measured now through its engine (QEMU
 * mps2-an500, -icount shift=0; arm-none-eabi-size; MCU_<NAME>_ARENA_BYTES), against latency model
 * (a) and the RAM/flash estimate on NUCLEO-H7A3ZI-Q (see testing/generated-checks.ts).
 */
import { committedErrors, footprints, leaveOneOut, measuredTarget } from "./testing/generated-checks.js";

const m = measuredTarget("cortex-m7");
beforeAll(m.load, 300_000);

it("the committed model (a) reproduces every fixture model's QEMU instructions within 10%", () => {
  const errors = committedErrors(m.data(), m.registry);
  expect(errors).toHaveLength(9);
  for (const e of errors) expect([e.model, Math.abs(e.error) < 0.1]).toEqual([e.model, true]);
});

it("a fit without the model predicts it within 10% (15% under 10,000 instructions)", () => {
  for (const e of leaveOneOut(m.data(), m.registry)) {
    expect([e.model, Math.abs(e.error) < (e.measured < 10_000 ? 0.15 : 0.1)]).toEqual([e.model, true]);
  }
});

it("RAM and flash agree with the build within 5% for every int8 fixture model; the arena exactly", () => {
  for (const f of footprints(m.data(), m.registry)) {
    expect([f.model, f.arenaPredicted]).toEqual([f.model, f.arenaMeasured]);
    expect([f.model, Math.abs(f.ramError) < 0.05]).toEqual([f.model, true]);
    expect([f.model, Math.abs(f.flashError) < 0.05]).toEqual([f.model, true]);
  }
});
