/** A minimal PNG decoder for the test images: 8-bit grayscale, non-interlaced (PNG spec §7–§9). */
import { inflateSync } from "node:zlib";

/** Decodes an 8-bit grayscale PNG into its pixel rows (row-major bytes). */
export function decodeGrayPng(bytes: Uint8Array): { width: number; height: number; pixels: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  for (let i = 8; i < bytes.length; ) {
    const length = view.getUint32(i);
    const type = String.fromCharCode(...bytes.subarray(i + 4, i + 8));
    const body = bytes.subarray(i + 8, i + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(i + 8);
      height = view.getUint32(i + 12);
      if (body[8] !== 8 || body[9] !== 0 || body[12] !== 0)
        throw new Error("not an 8-bit grayscale, non-interlaced PNG");
    } else if (type === "IDAT") idat.push(body);
    i += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)]!;
    const line = raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1));
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? pixels[y * width + x - 1]! : 0;
      const b = y > 0 ? pixels[(y - 1) * width + x]! : 0;
      const c = x > 0 && y > 0 ? pixels[(y - 1) * width + x - 1]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        // Paeth
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * width + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}
