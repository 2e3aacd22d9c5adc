/**
 * C source shared by the cluster.conv2d C kernels (emitted once per model by @mcu/codegen-c).
 * Storage as in storage.ts: codes packed LSB first (index in the low bits, transform above),
 * scales as float / binary16 / log8 / int8 factors, the codebook as float / binary16 / int8.
 */
import type { CSupportCode } from "@mcu/codegen-c";
import type { RoundingMode } from "@mcu/tensor";
import { LOG8_MANTISSAS } from "../scale-formats.js";

/** Reading one code of a packed stream. */
export const clusterCode: CSupportCode = {
  id: "cluster/code",
  code: `
/* Code n of a stream of bits-wide codes packed least significant bit first. */
static uint32_t mcu_cluster_code(const uint8_t *codes, int32_t bits, int32_t n) {
  uint32_t bit = (uint32_t)n * (uint32_t)bits, v = 0;
  int32_t b;
  for (b = 0; b < bits; b++, bit++) v |= (uint32_t)((codes[bit >> 3] >> (bit & 7u)) & 1u) << b;
  return v;
}`,
};

/** The layer descriptor and the window symmetries. */
export const clusterCommon: CSupportCode = {
  id: "cluster/common",
  requires: [clusterCode],
  code: `
/* A clustered convolution (see @mcu/cluster): kernel n = o*in_per_group + i is
   scale[n] * T_t(codebook[c]) with (c, t) = (code & index_mask, code >> index_bits). */
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t groups, in_per_group;
  int32_t plane_h, plane_w; /* add-then-conv: the input plane with its zero padding around it */
  int32_t code_bits, index_bits, keys; /* keys = 2^code_bits, the distinct codes */
  int32_t scale_format; /* 0 float, 1 binary16, 2 log8, 3 int8 factor */
  int32_t codebook_format; /* 0 float, 1 binary16, 2 int8 */
  float scale_max; /* log8: the layer's largest |scale| */
  int32_t act; /* float: 0 none, 1 relu, 2 relu6, 3 relu_n1_to_1 */
} mcu_cluster_t;

/* The source tap of tap j of T_t(K) (row-major kh x kw): the 8 symmetries of the square
   (identity, rot90 clockwise, rot180, rot270, flip-h, flip-v, transpose, anti-transpose), or of a
   rectangle (t = 0..3: identity, rot180, flip-h, flip-v). */
static int32_t mcu_cluster_src(int32_t t, int32_t j, int32_t kh, int32_t kw) {
  const int32_t r = j / kw, c = j % kw;
  int32_t sr = r, sc = c;
  if (kh != kw) {
    static const int8_t rect[4] = {0, 2, 4, 5};
    t = rect[t & 3];
  }
  switch (t) {
    case 1: sr = kh - 1 - c; sc = r; break;
    case 2: sr = kh - 1 - r; sc = kw - 1 - c; break;
    case 3: sr = c; sc = kh - 1 - r; break;
    case 4: sc = kw - 1 - c; break;
    case 5: sr = kh - 1 - r; break;
    case 6: sr = c; sc = r; break;
    case 7: sr = kh - 1 - c; sc = kh - 1 - r; break;
    default: break;
  }
  return sr * kw + sc;
}`,
};

/** A float32 literal that reads back exactly (9 significant digits suffice). */
function floatLiteral(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = Math.fround(v).toPrecision(p);
    if (Math.fround(Number(s)) === Math.fround(v))
      return `${s.includes(".") || s.includes("e") ? s : `${s}.0`}f`;
  }
  return `${Math.fround(v).toPrecision(9)}f`;
}

const mantissas = Array.from(LOG8_MANTISSAS, floatLiteral).join(", ");

/** The in-bounds taps of an output pixel (the decode-then-conv kernels). */
export const clusterTaps: CSupportCode = {
  id: "cluster/taps",
  code: `
/* The in-bounds taps of output row/column o: [*lo, *hi) (all k taps away from the borders). */
static void mcu_cluster_taps(int32_t o, int32_t stride, int32_t pad, int32_t dil, int32_t k, int32_t size,
                             int32_t *lo, int32_t *hi) {
  const int32_t start = o * stride - pad;
  int32_t a = 0, b = k;
  if (start >= 0 && start + (k - 1) * dil < size) {
    *lo = 0;
    *hi = k;
    return;
  }
  while (a < k && start + a * dil < 0) a++;
  while (b > a && start + (b - 1) * dil >= size) b--;
  *lo = a;
  *hi = b;
}`,
};

/** Decoding float scales and codebook values in every storage format. */
export const clusterFloatValues: CSupportCode = {
  id: "cluster/float-values",
  requires: [clusterCommon],
  code: `
/* IEEE 754 binary16 to float (exact). */
static float mcu_cluster_f16(uint16_t h) {
  const int32_t e = (h >> 10) & 0x1f, q = h & 0x3ff;
  float v;
  if (e == 0) v = (float)q * (1.0f / 16777216.0f);
  else {
    int32_t k;
    v = 1.0f + (float)q * (1.0f / 1024.0f);
    for (k = 15; k < e; k++) v *= 2.0f;
    for (k = e; k < 15; k++) v *= 0.5f;
  }
  return (h & 0x8000) ? -v : v;
}

/* log8 scale: code c, |c| = 127 - e, s = sign(c) * smax * 2^(-e/16), computed as two float
   products exactly as @mcu/cluster's log8Value does. */
static const float mcu_cluster_log8_mantissa[16] = {${mantissas}};
static float mcu_cluster_log8(int8_t code, float smax) {
  int32_t e, q;
  float v;
  if (code == 0) return 0.0f;
  e = 127 - (code < 0 ? -code : code);
  v = smax * mcu_cluster_log8_mantissa[e & 15];
  for (q = e >> 4; q > 0; q--) v *= 0.5f;
  return code < 0 ? -v : v;
}

/* The scale (float formats) of kernel n. */
static float mcu_cluster_scale(const void *scales, const mcu_cluster_t *p, int32_t n) {
  switch (p->scale_format) {
    case 1: return mcu_cluster_f16(((const uint16_t *)scales)[n]);
    case 2: return mcu_cluster_log8(((const int8_t *)scales)[n], p->scale_max);
    case 3: return (float)((const int8_t *)scales)[n];
    default: return ((const float *)scales)[n];
  }
}

/* Codebook value i (float formats). */
static float mcu_cluster_cb(const void *codebook, const mcu_cluster_t *p, int32_t i) {
  switch (p->codebook_format) {
    case 1: return mcu_cluster_f16(((const uint16_t *)codebook)[i]);
    case 2: return (float)((const int8_t *)codebook)[i];
    default: return ((const float *)codebook)[i];
  }
}`,
};

/** Float fused activation clamps. */
export const clusterFloatAct: CSupportCode = {
  id: "cluster/float32-act",
  code: `
static float mcu_cluster_act(float v, int32_t act) {
  if (act == 1) return v < 0.0f ? 0.0f : v;
  if (act == 2) return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
  if (act == 3) return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v);
  return v;
}`,
};

/** The float plane convolution of add-then-conv. */
export const clusterFloatPlane: CSupportCode = {
  id: "cluster/float32-plane",
  requires: [clusterCommon],
  code: `
/* acc[oy, ox] += sum over the window of k[ky, kx] * plane[oy*stride_h + ky*dil_h, ox*stride_w + kx*dil_w],
   plane being plane_h x plane_w with the zero padding in place: no bounds checks; a 3x3 window with
   unit stride and dilation runs unrolled. Taps are summed per output pixel in (ky, kx) order. */
static void mcu_cluster_plane_f32(const float *src, const float *k, float *acc, const mcu_cluster_t *p) {
  const int32_t w = p->plane_w;
  int32_t oy, ox, ky, kx;
  if (p->k_h == 3 && p->k_w == 3 && p->stride_h == 1 && p->stride_w == 1 && p->dil_h == 1 && p->dil_w == 1) {
    const int32_t oh = p->out_h, ow = p->out_w;
    for (oy = 0; oy < oh; oy++) {
      float *a = acc + oy * ow;
      const float *r = src + oy * w;
      for (ox = 0; ox < ow; ox++, r++) {
        a[ox] += k[0] * r[0] + k[1] * r[1] + k[2] * r[2] + k[3] * r[w] + k[4] * r[w + 1] + k[5] * r[w + 2] +
                 k[6] * r[2 * w] + k[7] * r[2 * w + 1] + k[8] * r[2 * w + 2];
      }
    }
    return;
  }
  for (oy = 0; oy < p->out_h; oy++) {
    for (ox = 0; ox < p->out_w; ox++) {
      float s = 0.0f;
      for (ky = 0; ky < p->k_h; ky++) {
        const float *r = src + (oy * p->stride_h + ky * p->dil_h) * w + ox * p->stride_w;
        for (kx = 0; kx < p->k_w; kx++) s += k[ky * p->k_w + kx] * r[kx * p->dil_w];
      }
      acc[oy * p->out_w + ox] += s;
    }
  }
}`,
};

/** Float decode-then-conv. */
export const clusterFloatDecode: CSupportCode = {
  id: "cluster/float32-decode",
  requires: [clusterFloatValues, clusterFloatAct, clusterTaps],
  code: `
/* Decode-then-conv: each output channel's filter is decoded into w (k_h*k_w*in_per_group floats). */
static void mcu_cluster_conv_decode_f32(const float *x, const uint8_t *codes, const void *scales,
                                        const void *codebook, const float *bias, float *y,
                                        const mcu_cluster_t *p, float *w) {
  const int32_t taps = p->k_h * p->k_w, in = p->in_per_group, per = p->out_c / p->groups;
  const uint32_t mask = ((uint32_t)1 << p->index_bits) - 1u;
  int32_t o, i, j, b, oy, ox, ky, kx, ky0, ky1, kx0, kx1;
  for (o = 0; o < p->out_c; o++) {
    const int32_t xc = (o / per) * in;
    for (i = 0; i < in; i++) {
      const int32_t n = o * in + i;
      const uint32_t code = mcu_cluster_code(codes, p->code_bits, n);
      const int32_t c = (int32_t)(code & mask), t = (int32_t)(code >> p->index_bits);
      const float s = mcu_cluster_scale(scales, p, n);
      for (j = 0; j < taps; j++) w[j * in + i] = s * mcu_cluster_cb(codebook, p, c * taps + mcu_cluster_src(t, j, p->k_h, p->k_w));
    }
    for (b = 0; b < p->batches; b++) {
      const float *xb = x + (size_t)b * (size_t)(p->in_h * p->in_w * p->in_c);
      float *yb = y + (size_t)b * (size_t)(p->out_h * p->out_w * p->out_c);
      for (oy = 0; oy < p->out_h; oy++) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        mcu_cluster_taps(oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, p->in_h, &ky0, &ky1);
        for (ox = 0; ox < p->out_w; ox++) {
          const int32_t ix0 = ox * p->stride_w - p->pad_left;
          float acc = 0.0f;
          mcu_cluster_taps(ox, p->stride_w, p->pad_left, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
          for (ky = ky0; ky < ky1; ky++) {
            for (kx = kx0; kx < kx1; kx++) {
              const float *xp = xb + (size_t)((iy0 + ky * p->dil_h) * p->in_w + ix0 + kx * p->dil_w) * (size_t)p->in_c + xc;
              const float *wp = w + (ky * p->k_w + kx) * in;
              for (i = 0; i < in; i++) acc += xp[i] * wp[i];
            }
          }
          if (bias != NULL) acc += bias[o];
          yb[(oy * p->out_w + ox) * p->out_c + o] = mcu_cluster_act(acc, p->act);
        }
      }
    }
  }
}`,
};

/** Float add-then-conv. */
export const clusterFloatAdd: CSupportCode = {
  id: "cluster/float32-add",
  requires: [clusterFloatValues, clusterFloatAct, clusterFloatPlane],
  code: `
/* Add-then-conv: per output channel, the input channels whose kernels share (centroid, transform)
   are summed (scaled) into one plane, convolved once with T(centroid). head (keys = 2^code_bits
   entries), next and order (in_per_group entries) group the channels in O(in_per_group). */
static void mcu_cluster_conv_add_f32(const float *x, const uint8_t *codes, const void *scales,
                                     const void *codebook, const float *bias, float *y,
                                     const mcu_cluster_t *p, float *plane, float *acc, int16_t *head,
                                     int16_t *next, int16_t *order, float *k) {
  const int32_t taps = p->k_h * p->k_w, in = p->in_per_group, per = p->out_c / p->groups;
  const int32_t hw = p->in_h * p->in_w, ohw = p->out_h * p->out_w, pw = p->plane_w;
  const int32_t ih = p->in_h, iw = p->in_w;
  const size_t ic = (size_t)p->in_c;
  const uint32_t mask = ((uint32_t)1 << p->index_bits) - 1u;
  float *inner = plane + p->pad_top * pw + p->pad_left; /* the input's place in the padded plane */
  int32_t b, o, i, g, j, q, cx, cy, groups;
  for (q = 0; q < p->keys; q++) head[q] = -1;
  for (q = 0; q < p->plane_h * pw; q++) plane[q] = 0.0f; /* the padding stays zero */
  for (b = 0; b < p->batches; b++) {
    const float *xb = x + (size_t)b * (size_t)(hw * p->in_c);
    float *yb = y + (size_t)b * (size_t)(ohw * p->out_c);
    for (o = 0; o < p->out_c; o++) {
      const int32_t xc = (o / per) * in;
      groups = 0;
      for (i = in - 1; i >= 0; i--) {
        const int32_t key = (int32_t)mcu_cluster_code(codes, p->code_bits, o * in + i);
        if (head[key] < 0) order[groups++] = (int16_t)key;
        next[i] = head[key];
        head[key] = (int16_t)i;
      }
      for (q = 0; q < ohw; q++) acc[q] = 0.0f;
      /* Groups in order of their first input channel, members in increasing order. */
      for (g = groups - 1; g >= 0; g--) {
        const int32_t key = order[g], first = head[key];
        const int32_t c = key & (int32_t)mask, t = key >> p->index_bits;
        for (j = 0; j < taps; j++) k[j] = mcu_cluster_cb(codebook, p, c * taps + mcu_cluster_src(t, j, p->k_h, p->k_w));
        if (next[first] < 0) {
          /* One member: its channel, convolved with s * T(C). */
          const float s = mcu_cluster_scale(scales, p, o * in + first);
          const float *xp = xb + xc + first;
          size_t ti = 0;
          for (j = 0; j < taps; j++) k[j] *= s;
          for (cy = 0; cy < ih; cy++) {
            float *d = inner + cy * pw;
            for (cx = 0; cx < iw; cx++, ti += ic) d[cx] = xp[ti];
          }
        } else {
          for (cy = 0; cy < ih; cy++)
            for (cx = 0; cx < iw; cx++) inner[cy * pw + cx] = 0.0f;
          for (i = first; i >= 0; i = next[i]) {
            const float s = mcu_cluster_scale(scales, p, o * in + i);
            const float *xp = xb + xc + i;
            size_t ti = 0;
            for (cy = 0; cy < ih; cy++) {
              float *d = inner + cy * pw;
              for (cx = 0; cx < iw; cx++, ti += ic) d[cx] += s * xp[ti];
            }
          }
        }
        mcu_cluster_plane_f32(plane, k, acc, p);
        head[key] = -1;
      }
      for (q = 0; q < ohw; q++) yb[q * p->out_c + o] = mcu_cluster_act(acc[q] + (bias != NULL ? bias[o] : 0.0f), p->act);
    }
  }
}`,
};

/** TFLite's MultiplyByQuantizedMultiplier in C, double rounding (default) or TFLITE_SINGLE_ROUNDING. */
export function clusterRequant(rounding: RoundingMode): CSupportCode {
  const code =
    rounding === "single"
      ? `
/* MultiplyByQuantizedMultiplier, TFLITE_SINGLE_ROUNDING: (x*m + 2^(30-shift)) >> (31-shift). */
static int32_t mcu_cluster_mbqm(int32_t x, int32_t m, int32_t shift) {
  const int64_t total = 31 - shift;
  return (int32_t)(((int64_t)x * (int64_t)m + ((int64_t)1 << (total - 1))) >> total);
}`
      : `
/* gemmlowp SaturatingRoundingDoublingHighMul. */
static int32_t mcu_cluster_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int32_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}
/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero. */
static int32_t mcu_cluster_rdbpot(int32_t x, int32_t e) {
  const int32_t mask = (int32_t)(((int64_t)1 << e) - 1), rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}
/* TFLite MultiplyByQuantizedMultiplier (double rounding); the left shift wraps like int32. */
static int32_t mcu_cluster_mbqm(int32_t x, int32_t m, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return mcu_cluster_rdbpot(mcu_cluster_srdhm((int32_t)((uint32_t)x << left), m), right);
}`;
  return { id: `cluster/mbqm-${rounding}`, code };
}

/** Int8 requantization of the accumulators (per output channel, TFLite's ConvPerChannel). */
export function clusterInt8Out(rounding: RoundingMode): CSupportCode {
  return {
    id: `cluster/int8-out-${rounding}`,
    requires: [clusterCommon, clusterRequant(rounding)],
    code: `
/* Per output channel requantization, as TFLite's int8 ConvPerChannel. */
typedef struct {
  int32_t input_offset, output_offset, act_min, act_max;
  const int32_t *multiplier, *shift;
} mcu_cluster_q_t;

static int8_t mcu_cluster_out(uint32_t acc, int32_t o, const mcu_cluster_q_t *q) {
  int32_t v = mcu_cluster_mbqm((int32_t)acc, q->multiplier[o], q->shift[o]) + q->output_offset;
  if (v < q->act_min) v = q->act_min;
  if (v > q->act_max) v = q->act_max;
  return (int8_t)v;
}`,
  };
}

/** Int8 decode-then-conv. */
export function clusterInt8Decode(rounding: RoundingMode): CSupportCode {
  return {
    id: `cluster/int8-decode-${rounding}`,
    requires: [clusterInt8Out(rounding), clusterTaps],
    code: `
/* Decode-then-conv: each output channel's int8 filter a * T(C') is decoded into w. */
static void mcu_cluster_conv_decode_i8(const int8_t *x, const uint8_t *codes, const int8_t *factors,
                                       const int8_t *codebook, const int32_t *bias, int8_t *y,
                                       const mcu_cluster_t *p, const mcu_cluster_q_t *q, int8_t *w) {
  const int32_t taps = p->k_h * p->k_w, in = p->in_per_group, per = p->out_c / p->groups;
  const uint32_t mask = ((uint32_t)1 << p->index_bits) - 1u;
  int32_t o, i, j, b, oy, ox, ky, kx, ky0, ky1, kx0, kx1;
  for (o = 0; o < p->out_c; o++) {
    const int32_t xc = (o / per) * in;
    for (i = 0; i < in; i++) {
      const int32_t n = o * in + i;
      const uint32_t code = mcu_cluster_code(codes, p->code_bits, n);
      const int32_t c = (int32_t)(code & mask), t = (int32_t)(code >> p->index_bits);
      for (j = 0; j < taps; j++) w[j * in + i] = (int8_t)(factors[n] * codebook[c * taps + mcu_cluster_src(t, j, p->k_h, p->k_w)]);
    }
    for (b = 0; b < p->batches; b++) {
      const int8_t *xb = x + (size_t)b * (size_t)(p->in_h * p->in_w * p->in_c);
      int8_t *yb = y + (size_t)b * (size_t)(p->out_h * p->out_w * p->out_c);
      for (oy = 0; oy < p->out_h; oy++) {
        const int32_t iy0 = oy * p->stride_h - p->pad_top;
        mcu_cluster_taps(oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, p->in_h, &ky0, &ky1);
        for (ox = 0; ox < p->out_w; ox++) {
          const int32_t ix0 = ox * p->stride_w - p->pad_left;
          uint32_t acc = 0;
          mcu_cluster_taps(ox, p->stride_w, p->pad_left, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
          for (ky = ky0; ky < ky1; ky++) {
            for (kx = kx0; kx < kx1; kx++) {
              const int8_t *xp = xb + (size_t)((iy0 + ky * p->dil_h) * p->in_w + ix0 + kx * p->dil_w) * (size_t)p->in_c + xc;
              const int8_t *wp = w + (ky * p->k_w + kx) * in;
              for (i = 0; i < in; i++) acc += (uint32_t)((int32_t)wp[i] * ((int32_t)xp[i] + q->input_offset));
            }
          }
          if (bias != NULL) acc += (uint32_t)bias[o];
          yb[(oy * p->out_w + ox) * p->out_c + o] = mcu_cluster_out(acc, o, q);
        }
      }
    }
  }
}`,
  };
}

/** Int8 add-then-conv. */
export function clusterInt8Add(rounding: RoundingMode): CSupportCode {
  return {
    id: `cluster/int8-add-${rounding}`,
    requires: [clusterInt8Out(rounding)],
    code: `
/* acc[oy, ox] += sum over the window of k[ky, kx] * plane[...] (the padded plane, no bounds checks), modulo
   2^32; a 3x3 window with unit stride and dilation runs unrolled. */
static void mcu_cluster_plane_i32(const int32_t *src, const int32_t *k, uint32_t *acc, const mcu_cluster_t *p) {
  const int32_t w = p->plane_w;
  int32_t oy, ox, ky, kx;
  if (p->k_h == 3 && p->k_w == 3 && p->stride_h == 1 && p->stride_w == 1 && p->dil_h == 1 && p->dil_w == 1) {
    const uint32_t k0 = (uint32_t)k[0], k1 = (uint32_t)k[1], k2 = (uint32_t)k[2], k3 = (uint32_t)k[3];
    const uint32_t k4 = (uint32_t)k[4], k5 = (uint32_t)k[5], k6 = (uint32_t)k[6], k7 = (uint32_t)k[7];
    const uint32_t k8 = (uint32_t)k[8];
    const int32_t oh = p->out_h, ow = p->out_w;
    for (oy = 0; oy < oh; oy++) {
      uint32_t *a = acc + oy * ow;
      const int32_t *r = src + oy * w;
      for (ox = 0; ox < ow; ox++, r++) {
        a[ox] += k0 * (uint32_t)r[0] + k1 * (uint32_t)r[1] + k2 * (uint32_t)r[2] + k3 * (uint32_t)r[w] +
                 k4 * (uint32_t)r[w + 1] + k5 * (uint32_t)r[w + 2] + k6 * (uint32_t)r[2 * w] +
                 k7 * (uint32_t)r[2 * w + 1] + k8 * (uint32_t)r[2 * w + 2];
      }
    }
    return;
  }
  for (oy = 0; oy < p->out_h; oy++) {
    for (ox = 0; ox < p->out_w; ox++) {
      uint32_t s = acc[oy * p->out_w + ox];
      for (ky = 0; ky < p->k_h; ky++) {
        const int32_t *r = src + (oy * p->stride_h + ky * p->dil_h) * w + ox * p->stride_w;
        for (kx = 0; kx < p->k_w; kx++) s += (uint32_t)k[ky * p->k_w + kx] * (uint32_t)r[kx * p->dil_w];
      }
      acc[oy * p->out_w + ox] = s;
    }
  }
}

/* Add-then-conv on integers: plane = sum of a_i * (x_i - z_x) per (centroid, transform) group,
   acc += T(C') (x) plane; exact modulo 2^32, hence the same accumulator as decode-then-conv. */
static void mcu_cluster_conv_add_i8(const int8_t *x, const uint8_t *codes, const int8_t *factors,
                                    const int8_t *codebook, const int32_t *bias, int8_t *y,
                                    const mcu_cluster_t *p, const mcu_cluster_q_t *q, int32_t *plane,
                                    uint32_t *acc, int16_t *head, int16_t *next, int16_t *order, int32_t *k) {
  const int32_t taps = p->k_h * p->k_w, in = p->in_per_group, per = p->out_c / p->groups;
  const int32_t hw = p->in_h * p->in_w, ohw = p->out_h * p->out_w, pw = p->plane_w, off = q->input_offset;
  const int32_t ih = p->in_h, iw = p->in_w;
  const size_t ic = (size_t)p->in_c;
  const uint32_t mask = ((uint32_t)1 << p->index_bits) - 1u;
  int32_t *inner = plane + p->pad_top * pw + p->pad_left; /* the input's place in the padded plane */
  int32_t b, o, i, g, j, r, cx, cy, groups;
  for (r = 0; r < p->keys; r++) head[r] = -1;
  for (r = 0; r < p->plane_h * pw; r++) plane[r] = 0; /* the padding stays zero */
  for (b = 0; b < p->batches; b++) {
    const int8_t *xb = x + (size_t)b * (size_t)(hw * p->in_c);
    int8_t *yb = y + (size_t)b * (size_t)(ohw * p->out_c);
    for (o = 0; o < p->out_c; o++) {
      const int32_t xc = (o / per) * in;
      groups = 0;
      for (i = in - 1; i >= 0; i--) {
        const int32_t key = (int32_t)mcu_cluster_code(codes, p->code_bits, o * in + i);
        if (head[key] < 0) order[groups++] = (int16_t)key;
        next[i] = head[key];
        head[key] = (int16_t)i;
      }
      for (r = 0; r < ohw; r++) acc[r] = 0;
      for (g = groups - 1; g >= 0; g--) {
        const int32_t key = order[g], first = head[key];
        const int32_t c = key & (int32_t)mask, t = key >> p->index_bits;
        for (j = 0; j < taps; j++) k[j] = codebook[c * taps + mcu_cluster_src(t, j, p->k_h, p->k_w)];
        if (next[first] < 0) {
          /* One member: its channel (x - z_x), convolved with a * T(C'). */
          const int32_t a = factors[o * in + first];
          const int8_t *xp = xb + xc + first;
          size_t ti = 0;
          for (j = 0; j < taps; j++) k[j] *= a;
          for (cy = 0; cy < ih; cy++) {
            int32_t *d = inner + cy * pw;
            for (cx = 0; cx < iw; cx++, ti += ic) d[cx] = (int32_t)xp[ti] + off;
          }
        } else {
          for (cy = 0; cy < ih; cy++)
            for (cx = 0; cx < iw; cx++) inner[cy * pw + cx] = 0;
          for (i = first; i >= 0; i = next[i]) {
            const int32_t a = factors[o * in + i];
            const int8_t *xp = xb + xc + i;
            size_t ti = 0;
            const int32_t aoff = a * off;
            for (cy = 0; cy < ih; cy++) {
              int32_t *d = inner + cy * pw;
              for (cx = 0; cx < iw; cx++, ti += ic) d[cx] += a * (int32_t)xp[ti] + aoff;
            }
          }
        }
        mcu_cluster_plane_i32(plane, k, acc, p);
        head[key] = -1;
      }
      for (r = 0; r < ohw; r++) {
        yb[r * p->out_c + o] = mcu_cluster_out(acc[r] + (bias != NULL ? (uint32_t)bias[o] : 0u), o, q);
      }
    }
  }
}`,
  };
}
