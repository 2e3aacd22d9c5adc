import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";

describe("mcu demo", () => {
  it("runs the demo CNN and prints the per-layer table with arena placement and totals", async () => {
    const io = captureIo();
    expect(await main(["demo"], io)).toBe(0);
    expect(io.err()).toBe("");
    const out = io.out();
    expect(out).toMatch(/layer\s+op\s+output\s+MACs\s+params\s+arena offset\s+arena bytes/);
    // By hand: conv1 26·26·8 outputs × 9 = 48,672 MACs, 8·9 + 8 = 80 params;
    // conv2 11·11·16 × 9·8 = 139,392 MACs, 16·72 + 16 = 1,168 params;
    // fc 400 × 10 = 4,000 MACs, 4,010 params.
    expect(out).toMatch(/conv1\s+core\.conv2d\s+float32\[1,26,26,8\]\s+48,672\s+80\s+[\d,]+\s+21,632\n/);
    expect(out).toMatch(/conv2\s+core\.conv2d\s+float32\[1,11,11,16\]\s+139,392\s+1,168\s+[\d,]+\s+7,744\n/);
    expect(out).toMatch(/fc\s+core\.fully_connected\s+float32\[1,10\]\s+4,000\s+4,010\s+[\d,]+\s+40\n/);
    expect(out).toContain("total MACs:  192,064\n");
    expect(out).toContain("params:      5,258 (21,032 B (20.5 KiB) of weights)\n");
    // The arena can never be smaller than the largest pair of buffers live together: conv1's
    // input (3,136 B) and output (21,632 B) are both live while conv1 runs.
    const peak = Number(/peak arena:\s+([\d,]+) B/.exec(out)![1]!.replace(/,/g, ""));
    expect(peak).toBeGreaterThanOrEqual(3136 + 21632);
    const probs = /output:\s+\[([^\]]+)\]/.exec(out)![1]!.split(", ").map(Number);
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  });

  it("prints the same output on every run (fixed seed)", async () => {
    const a = captureIo();
    const b = captureIo();
    await main(["demo"], a);
    await main(["demo"], b);
    expect(a.out()).toBe(b.out());
  });
});
