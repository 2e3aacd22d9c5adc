/**
 * report.html in a real browser: Debian's Chromium driven by playwright-core loads the report of
 * an int8 mnist_cnn compile from disk. The charts must render (non-empty SVG boxes, one mark per
 * layer / buffer / constant, bar lengths proportional to the MACs the op contracts count), with
 * no console errors and no request besides the page itself. A screenshot is kept in
 * test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { nodeCounts, readNpy, type Registry, tensorLifetimes } from "@mcu/tensor";
import { artifactPath, readFixture } from "@mcu/testing";
import { type Browser, chromium } from "playwright-core";
import { loadRegistry } from "../plugins.js";
import { type CompileResult, compileModel } from "./compile-flow.js";
import type { CompileReport } from "./report.js";
import { writeCompileOutput } from "./write-output.js";

let dir: string;
let browser: Browser;
let registry: Registry;
let result: CompileResult;
let report: CompileReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcu-report-html-"));
  registry = await loadRegistry([], process.cwd());
  const source = registry.formatFor("mnist_cnn.onnx").read!(readFixture("pytorch-mnist", "mnist_cnn.onnx"), {
    registry,
  });
  const d = readNpy(readFixture("mnist", "calib-digits.npy"));
  const calibration = Array.from({ length: 100 }, (_, i) => [
    Float32Array.from((d.data as Uint8Array).subarray(i * 784 * 2, i * 784 * 2 + 784), (v) => v / 255),
  ]);
  result = await compileModel(source, { registry, board: "nucleo-l4r5zi", calibration, name: "mnist_cnn" });
  report = await writeCompileOutput(dir, result, { registry, file: "mnist_cnn.onnx", format: "onnx" });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

describe("report.html in Chromium", () => {
  it("renders every chart with the expected marks, offline and without errors", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(join(dir, "report.html")).href;
    await page.goto(url, { waitUntil: "load" });

    const boxes = (selector: string): Promise<Box[]> =>
      page.$$eval(selector, (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }),
      );

    // Every chart is drawn with a non-empty box.
    const charts = ["chart-fit", "chart-latency", "chart-macs", "chart-arena", "chart-flash"];
    for (const id of charts) {
      const [box] = await boxes(`svg#${id}`);
      expect(box).toBeDefined();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(20);
    }

    // One bar per layer; MAC bars proportional to the op contracts' MAC counts.
    const graph = result.graph;
    const macs = graph.nodes.map((n) => nodeCounts(graph, registry, n).macs);
    expect(macs).toHaveLength(10);
    expect(await boxes("#chart-latency rect.bar")).toHaveLength(10);
    const macBars = await boxes("#chart-macs rect.bar");
    expect(macBars).toHaveLength(10);
    const widest = Math.max(...macBars.map((b) => b.width));
    const most = Math.max(...macs);
    macBars.forEach((b, i) => {
      expect(Math.abs(b.width - (macs[i]! / most) * widest)).toBeLessThan(1.5);
    });
    expect(macBars.filter((b) => b.width > 0).length).toBe(macs.filter((m) => m > 0).length);

    // The arena timeline: one rect per planned buffer (the graph's unaliased tensors plus the
    // kernels' scratch), every one inside the plot, heights in proportion to their bytes.
    const roots = tensorLifetimes(graph, registry).filter((l) => l.aliasOf === undefined);
    const buffers = await boxes("#chart-arena rect.buffer");
    expect(buffers).toHaveLength(roots.length + result.project.model.scratch.length);
    expect(await boxes("#chart-arena rect.buffer.scratch")).toHaveLength(result.project.model.scratch.length);
    const [plot] = await boxes("#chart-arena rect.plot");
    for (const b of buffers) {
      expect(b.width).toBeGreaterThan(0);
      expect(b.height).toBeGreaterThan(0);
      expect(b.y).toBeGreaterThanOrEqual(plot!.y - 0.5);
      expect(b.y + b.height).toBeLessThanOrEqual(plot!.y + plot!.height + 0.5);
    }
    const largest = report.arena.buffers.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const tallest = Math.max(...buffers.map((b) => b.height));
    expect(tallest).toBeCloseTo((largest.bytes / report.arena.bytes) * plot!.height, 0);

    // Fit: a track per resource and its parts (RAM: arena, state, stack; flash: weights, code).
    expect(await boxes("#chart-fit rect.track")).toHaveLength(2);
    expect(await boxes("#chart-fit rect.segment")).toHaveLength(5);
    // Flash: one segment per constant of the graph, then the code.
    const constants = new Set(
      graph.nodes.flatMap((n) => n.inputs.filter((id) => graph.tensors.get(id)?.data !== undefined)),
    );
    expect(await boxes("#chart-flash rect.segment")).toHaveLength(constants.size + 1);

    // Self-contained: no scripts, stylesheets, images or frames to fetch.
    expect(await page.$$eval("script, link, img, iframe, object, embed", (els) => els.length)).toBe(0);

    // The per-layer table has a row per layer.
    expect(await page.$$eval("#layers tbody tr", (rows) => rows.length)).toBe(10);

    const shot = artifactPath("cli", "report-html-mnist_cnn-int8.png");
    mkdirSync(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    await page.close();

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
  }, 60_000);
});
