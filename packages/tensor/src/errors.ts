/**
 * Errors. `McuError` is for problems caused by the user's input (a bad file, an unsupported
 * op, an invalid option); its `code` is stable and documented. `InternalError` is a broken
 * invariant inside @mcu — a bug to report, never the user's fault.
 */

/** Where an error happened, when it concerns a particular part of a model or pipeline. */
export interface McuErrorLocation {
  readonly node?: string;
  readonly tensor?: string;
  readonly pass?: string;
}

/** An error caused by the user's input, with a stable machine-readable `code` (`MCU_E_*`). */
export class McuError extends Error implements McuErrorLocation {
  override readonly name = "McuError";
  readonly code: string;
  readonly node?: string;
  readonly tensor?: string;
  readonly pass?: string;

  constructor(code: string, message: string, where: McuErrorLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    if (where.node !== undefined) this.node = where.node;
    if (where.tensor !== undefined) this.tensor = where.tensor;
    if (where.pass !== undefined) this.pass = where.pass;
  }

  /** The one-line form the CLI prints: `error CODE: message (where)`. */
  format(): string {
    const where = [
      this.pass !== undefined ? `pass ${this.pass}` : "",
      this.node !== undefined ? `node ${this.node}` : "",
      this.tensor !== undefined ? `tensor ${this.tensor}` : "",
    ].filter((s) => s !== "");
    return `error ${this.code}: ${this.message}${where.length > 0 ? ` (${where.join(", ")})` : ""}`;
  }
}

/** A broken invariant inside @mcu: a bug, not a problem with the user's input. */
export class InternalError extends Error {
  override readonly name = "InternalError";
}

/** Type guard for `McuError`, also across duplicated module instances. */
export function isMcuError(e: unknown): e is McuError {
  return e instanceof McuError || (e instanceof Error && e.name === "McuError" && "code" in e);
}

/** Throws an `InternalError` when `condition` is false. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(message);
}
