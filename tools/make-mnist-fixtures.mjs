#!/usr/bin/env node
// Writes the MNIST digit fixtures from the shared mnist10k.bin (layout in its README.md):
//   node tools/make-mnist-fixtures.mjs /path/to/mnist10k.bin
// Output (fixtures/mnist/), all uint8 .npy (format 1.0, as np.save writes it):
//   test-digits.npy    [1996,28,28]  every image with split byte 1 (test), in file order
//   test-labels.npy    [1996]        their labels
//   calib-digits.npy   [200,28,28]   the first 20 train-split images (split byte 0) of each digit
//                                    0..9 in file order, digit by digit
//   calib-labels.npy   [200]         their labels
// A model input is pixel / 255 as float32 in NCHW [1,1,28,28].
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const src = process.argv[2];
if (!src) {
  console.error("usage: node tools/make-mnist-fixtures.mjs <mnist10k.bin>");
  process.exit(1);
}
const out = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "fixtures", "mnist");
const buf = readFileSync(src);
if (buf.subarray(0, 8).toString("latin1") !== "MNIST10K") throw new Error("not an MNIST10K file");
const n = buf.readUInt32LE(8);
const px = buf.readUInt32LE(12);
const images = buf.subarray(16, 16 + n * px);
const labels = buf.subarray(16 + n * px, 16 + n * px + n);
const split = buf.subarray(16 + n * (px + 1), 16 + n * (px + 2));

function npy(shape, data) {
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, "latin1"), Buffer.from(data)]);
}

function pick(indices) {
  const img = Buffer.alloc(indices.length * px);
  const lab = Buffer.alloc(indices.length);
  indices.forEach((i, k) => {
    images.copy(img, k * px, i * px, (i + 1) * px);
    lab[k] = labels[i];
  });
  return { img, lab };
}

const test = [];
for (let i = 0; i < n; i++) if (split[i] === 1) test.push(i);
const calib = [];
for (let d = 0; d < 10; d++) {
  let taken = 0;
  for (let i = 0; i < n && taken < 20; i++) {
    if (split[i] === 0 && labels[i] === d) {
      calib.push(i);
      taken++;
    }
  }
}
const t = pick(test);
const c = pick(calib);
writeFileSync(join(out, "test-digits.npy"), npy([test.length, 28, 28], t.img));
writeFileSync(join(out, "test-labels.npy"), npy([test.length], t.lab));
writeFileSync(join(out, "calib-digits.npy"), npy([calib.length, 28, 28], c.img));
writeFileSync(join(out, "calib-labels.npy"), npy([calib.length], c.lab));
console.log(`test: ${test.length} digits, calibration: ${calib.length} digits, written to ${out}`);
