/**
 * The add-then-conv plan (Son, Nah, Lee, ECCV 2018, §3.4): for each output channel, the input
 * channels whose kernels share a (centroid, transform) pair form one group. Convolution is
 * linear, so Σ_i s_i · (x_i ⊛ T(C)) = (Σ_i s_i · x_i) ⊛ T(C): a group costs one scaled sum of its
 * input planes and a single convolution. A group of one member needs no sum: its kernel
 * s · T(C) is formed (kh·kw multiplies) and convolved directly.
 */

/** The groups of every output channel. */
export interface AddThenConvPlan {
  readonly outChannels: number;
  /** Input channels per conv group (the I of the [O, I] index table). */
  readonly inChannels: number;
  /** Groups of output channel o: groupStart[o] … groupStart[o+1]. */
  readonly groupStart: Int32Array;
  /** The pair of each group, as centroid · transforms + transform. */
  readonly groupKey: Int32Array;
  /** Members of group g: members[memberStart[g] … memberStart[g+1]), input channels in increasing order. */
  readonly memberStart: Int32Array;
  readonly members: Int32Array;
}

/** Groups the kernels of an [O, I] index table (and optional transform table) by pair. */
export function addThenConvPlan(
  indices: ArrayLike<number>,
  transforms: ArrayLike<number> | undefined,
  outChannels: number,
  inChannels: number,
  transformCount: number,
): AddThenConvPlan {
  const groupStart = new Int32Array(outChannels + 1);
  const keys: number[] = [];
  const memberStart: number[] = [0];
  const members: number[] = [];
  const slot = new Map<number, number>();
  const lists: number[][] = [];
  for (let o = 0; o < outChannels; o++) {
    slot.clear();
    lists.length = 0;
    const first = keys.length;
    for (let i = 0; i < inChannels; i++) {
      const n = o * inChannels + i;
      const key = indices[n]! * transformCount + (transforms === undefined ? 0 : transforms[n]!);
      let s = slot.get(key);
      if (s === undefined) {
        s = lists.length;
        slot.set(key, s);
        lists.push([]);
        keys.push(key);
      }
      lists[s]!.push(i);
    }
    for (const list of lists) {
      members.push(...list);
      memberStart.push(members.length);
    }
    groupStart[o + 1] = first + lists.length;
  }
  return {
    outChannels,
    inChannels,
    groupStart,
    groupKey: Int32Array.from(keys),
    memberStart: Int32Array.from(memberStart),
    members: Int32Array.from(members),
  };
}

/**
 * Multiply-accumulates of one add-then-conv execution per batch item: every group of more than
 * one member sums its scaled input planes (one MAC per member and input pixel), and every group
 * convolves once (kh·kw MACs per output pixel).
 */
export function addThenConvMacs(
  plan: AddThenConvPlan,
  inPixels: number,
  outPixels: number,
  taps: number,
): number {
  let macs = 0;
  const groups = plan.groupKey.length;
  for (let g = 0; g < groups; g++) {
    const size = plan.memberStart[g + 1]! - plan.memberStart[g]!;
    if (size > 1) macs += size * inPixels;
    macs += taps * outPixels;
  }
  return macs;
}
