/** A unique name: `base`, or `base_1`, `base_2`, ... if taken. */
export function uniqueName(base: string, taken: { has(name: string): boolean }): string {
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) {
    const name = `${base}_${i}`;
    if (!taken.has(name)) return name;
  }
}
