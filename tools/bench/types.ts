/** The result a benchmark module returns. */
export interface BenchResult {
  /** Section title in bench/README.md. */
  readonly title?: string;
  /** What was measured and how (method, inputs, repetitions). */
  readonly description: string;
  /** Column order of the table (default: keys of the first row). */
  readonly columns?: readonly string[];
  readonly rows: readonly Readonly<Record<string, string | number>>[];
  /** Free text below the table. */
  readonly notes?: string;
}
