// Makes packages/cli/assets/ (the `mcu demo` data) from the workspace fixtures:
//   mnist_cnn.onnx      byte copy of fixtures/pytorch-mnist/mnist_cnn.onnx
//   calib-digits.npy    byte copy of fixtures/mnist/calib-digits.npy (200 train-split digits)
//   test-digits.npy     uint8 [100,28,28]: the first 10 digits of each class 0…9 of
//                       fixtures/mnist/test-digits.npy, in file order (which is class order)
//   test-labels.npy     uint8 [100]: their labels
// Usage (from the repository root): node packages/cli/scripts/make-demo-assets.mjs
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..", "..");
const fixtures = join(root, "fixtures");
const assets = join(root, "packages", "cli", "assets");

/** A uint8 .npy (format 1.0, C order): its shape and data. */
function readUint8Npy(path) {
  const buf = readFileSync(path);
  if (buf.toString("latin1", 0, 6) !== "\x93NUMPY" || buf[6] !== 1) throw new Error(`${path}: not a format 1.0 .npy`);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString("latin1", 10, 10 + headerLen);
  if (!/'descr':\s*'\|u1'/.test(header) || /'fortran_order':\s*True/.test(header)) throw new Error(`${path}: not uint8 C order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").filter((s) => s.trim() !== "").map(Number);
  return { shape, data: buf.subarray(10 + headerLen) };
}

/** A uint8 .npy (format 1.0), header padded to a multiple of 64 bytes as NumPy writes it. */
function writeUint8Npy(path, shape, data) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${dims}), }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const head = Buffer.alloc(10);
  Buffer.from("\x93NUMPY", "latin1").copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, "latin1"), Buffer.from(data)]));
}

copyFileSync(join(fixtures, "pytorch-mnist", "mnist_cnn.onnx"), join(assets, "mnist_cnn.onnx"));
copyFileSync(join(fixtures, "mnist", "calib-digits.npy"), join(assets, "calib-digits.npy"));

const digits = readUint8Npy(join(fixtures, "mnist", "test-digits.npy"));
const labels = readUint8Npy(join(fixtures, "mnist", "test-labels.npy"));
const pixels = digits.shape[1] * digits.shape[2];
const perClass = new Array(10).fill(0);
const picked = [];
for (let i = 0; i < labels.shape[0] && picked.length < 100; i++) {
  const label = labels.data[i];
  if (perClass[label] < 10) {
    perClass[label] += 1;
    picked.push(i);
  }
}
const out = new Uint8Array(picked.length * pixels);
picked.forEach((i, k) => out.set(digits.data.subarray(i * pixels, (i + 1) * pixels), k * pixels));
writeUint8Npy(join(assets, "test-digits.npy"), [picked.length, digits.shape[1], digits.shape[2]], out);
writeUint8Npy(join(assets, "test-labels.npy"), [picked.length], Uint8Array.from(picked, (i) => labels.data[i]));
console.log(`test digits: indices ${picked[0]}…${picked[picked.length - 1]} of fixtures/mnist/test-digits.npy`);
console.log(`per class: ${picked.map((i) => labels.data[i]).join("")}`);
