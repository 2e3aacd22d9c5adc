/**
 * A reader for the small subset of Python literal syntax that NumPy writes into `.npy` headers
 * (`ast.literal_eval` input): dicts, tuples, lists, strings, integers, True/False/None.
 * Reference: NumPy's `numpy.lib.format` documentation ("the header data ... is a literal
 * expression of a Python dictionary").
 */

/** A value of the Python literal subset. Tuples and lists are both arrays. */
export type PyValue =
  | string
  | number
  | boolean
  | null
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

/** Raised for text that is not in the subset; the caller turns it into its own error code. */
export class PyLiteralError extends Error {
  override readonly name = "PyLiteralError";
}

/** Parses one Python literal; throws `PyLiteralError` with the offending position. */
export function parsePyLiteral(text: string): PyValue {
  let pos = 0;

  const fail = (what: string): PyLiteralError => new PyLiteralError(`${what} at character ${pos}`);
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos += 1;
  };
  const peek = (): string => {
    skipSpace();
    return text[pos] ?? "";
  };
  const expect = (ch: string): void => {
    if (peek() !== ch) throw fail(`expected "${ch}"`);
    pos += 1;
  };

  const parseString = (): string => {
    const quote = text[pos]!;
    pos += 1;
    let out = "";
    for (;;) {
      const ch = text[pos];
      if (ch === undefined) throw fail("unterminated string");
      pos += 1;
      if (ch === quote) return out;
      if (ch === "\\") {
        const next = text[pos];
        if (next === undefined) throw fail("unterminated string");
        pos += 1;
        out += next === "n" ? "\n" : next === "t" ? "\t" : next;
      } else {
        out += ch;
      }
    }
  };

  const parseSequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    for (;;) {
      if (peek() === close) {
        pos += 1;
        return items;
      }
      items.push(parseValue());
      const next = peek();
      if (next === ",") pos += 1;
      else if (next !== close) throw fail(`expected "," or "${close}"`);
    }
  };

  const parseDict = (): { [key: string]: PyValue } => {
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      if (peek() === "}") {
        pos += 1;
        return out;
      }
      const key = parseValue();
      if (typeof key !== "string") throw fail("dict keys must be strings");
      expect(":");
      out[key] = parseValue();
      const next = peek();
      if (next === ",") pos += 1;
      else if (next !== "}") throw fail('expected "," or "}"');
    }
  };

  const parseValue = (): PyValue => {
    const ch = peek();
    if (ch === "{") {
      pos += 1;
      return parseDict();
    }
    if (ch === "(") {
      pos += 1;
      return parseSequence(")");
    }
    if (ch === "[") {
      pos += 1;
      return parseSequence("]");
    }
    if (ch === "'" || ch === '"') return parseString();
    const word = /^(?:[+-]?\d+L?|True|False|None)/.exec(text.slice(pos));
    if (word === null) throw fail("unexpected input");
    pos += word[0].length;
    if (word[0] === "True") return true;
    if (word[0] === "False") return false;
    if (word[0] === "None") return null;
    // Python 2 NumPy wrote long integers with an `L` suffix.
    const n = Number(word[0].replace(/L$/, ""));
    if (!Number.isSafeInteger(n)) throw fail(`integer ${word[0]} is too large`);
    return n;
  };

  const value = parseValue();
  skipSpace();
  if (pos !== text.length) throw fail("unexpected text after the literal");
  return value;
}
