// Values as Python's `json` module produces them, and Python's `str()` / `repr()` / `json.dumps` of them.
// The official LRAT builder stringifies doc ids, queries and reasoning with `str()`, so reproducing its
// output needs the int/float distinction (1 vs 1.0), exact big integers and insertion-ordered dicts —
// none of which survive `JSON.parse`.

import { isPyWhitespace } from '../whitespace-tokens';

/** A Python int, kept as its canonical decimal digits (arbitrary size). */
export class PyInt {
  constructor(readonly digits: string) {}
}

/** A Python float (JSON number with a fraction or exponent, NaN, Infinity). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/**
 * A value decoded the way Python's json module decodes it. Objects are Maps (insertion order of the
 * first occurrence, last value wins, as a Python dict). `number` and plain objects only appear in
 * values from `JSON.parse` (the fast path), where they are ambiguous; see {@link NeedsFaithfulParse}.
 */
export type PyValue = string | boolean | null | PyInt | PyFloat | PyValue[] | Map<string, PyValue> | number | { [k: string]: PyValue };

/**
 * Thrown when a value from the fast `JSON.parse` path would have to be stringified the Python way but
 * lost the information needed (1.0 parsed as 1, object key order). The caller re-parses faithfully.
 */
export class NeedsFaithfulParse extends Error {
  constructor() {
    super('value needs a faithful (Python-typed) parse');
  }
}

export function isPyDict(v: unknown): v is Map<string, PyValue> | { [k: string]: PyValue } {
  return v instanceof Map || (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyInt) && !(v instanceof PyFloat));
}

/** `d.get(key)` on a Python dict (Map or, on the fast path, a plain object). */
export function pyGet(d: Map<string, PyValue> | { [k: string]: PyValue }, key: string): PyValue | undefined {
  if (d instanceof Map) return d.get(key);
  return Object.prototype.hasOwnProperty.call(d, key) ? d[key] : undefined;
}

export function pyHas(d: Map<string, PyValue> | { [k: string]: PyValue }, key: string): boolean {
  if (d instanceof Map) return d.has(key);
  return Object.prototype.hasOwnProperty.call(d, key);
}

/** Python truthiness. */
export function pyTruthy(v: PyValue | undefined): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof PyInt) return v.digits !== '0';
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  for (const _ in v) return true;
  return false;
}

/** `repr(float)`: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16, else exponent. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument yields the shortest digits that round-trip, like Python's repr.
  const e = Math.abs(x).toExponential();
  const at = e.indexOf('e');
  const digits = e.slice(0, at).replace('.', '');
  const exp = Number(e.slice(at + 1));
  const decpt = exp + 1;
  const n = digits.length;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= n) return `${sign}${digits}${'0'.repeat(decpt - n)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const mant = n > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ae = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
}

// Python's str.isprintable() is false for these categories (space excepted).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

/** `repr(str)`: Python's quote choice and escapes. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      out += cp <= 0xff ? '\\x' + hex(cp, 2) : cp <= 0xffff ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8);
    } else out += ch;
  }
  return out + quote;
}

/** `repr(v)` of a decoded JSON value. */
export function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return pyStrRepr(v);
  return pyStrNonString(v, true);
}

/** `str(v)` of a decoded JSON value. */
export function pyStr(v: PyValue): string {
  if (typeof v === 'string') return v;
  return pyStrNonString(v, false);
}

function pyStrNonString(v: Exclude<PyValue, string>, _repr: boolean): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v instanceof PyInt) return v.digits;
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === 'number') throw new NeedsFaithfulParse();
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(`${pyStrRepr(k)}: ${pyRepr(x)}`);
    return '{' + parts.join(', ') + '}';
  }
  // A plain object from JSON.parse: key order may differ from Python's (integer-like keys first).
  throw new NeedsFaithfulParse();
}

/** `json.dumps(v, ensure_ascii=False)` of a decoded JSON value. */
export function pyJsonDumps(v: PyValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (v instanceof PyInt) return v.digits;
  if (v instanceof PyFloat) return pyJsonFloat(v.value);
  if (typeof v === 'number') throw new NeedsFaithfulParse();
  if (Array.isArray(v)) return '[' + v.map(pyJsonDumps).join(', ') + ']';
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(`${JSON.stringify(k)}: ${pyJsonDumps(x)}`);
    return '{' + parts.join(', ') + '}';
  }
  throw new NeedsFaithfulParse();
}

/** A float as `json.dumps` writes it (NaN and infinities as JavaScript-style literals). */
export function pyJsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pyFloatRepr(x);
}

/** `s.strip()`. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPyWhitespace(s.charCodeAt(a))) a++;
  while (b > a && isPyWhitespace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Python's `type(v).__name__` of a parsed JSON value, for error messages worded as Python words them. */
export function pyTypeName(v: PyValue | undefined): string {
  if (v === undefined || v === null) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof PyInt) return 'int';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}
