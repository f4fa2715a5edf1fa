import { isUtf8 } from 'buffer';
import { PyFloat, PyInt, type PyValue } from './py-value';

// Python's json.loads, reproduced: the same grammar (NaN/Infinity/-Infinity accepted, control
// characters in strings rejected, only " \t\n\r" as whitespace, no trailing data, a leading BOM
// rejected), ints kept exact, dicts insertion-ordered, and roughly CPython's nesting limit.

/** CPython raises RecursionError a little below its recursion limit of 1000. */
export const PY_JSON_MAX_DEPTH = 990;
/** CPython 3.11+ refuses to convert integers longer than this (sys.int_info.default_max_str_digits). */
export const PY_INT_MAX_DIGITS = 4300;

export class PyJsonError extends Error {
  constructor(
    readonly reason: string,
    readonly pos: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason}: line ${line} column ${column} (char ${pos})`);
    this.name = 'PyJsonError';
  }
}

function fail(s: string, reason: string, pos: number): never {
  let line = 1;
  let lastNl = -1;
  for (let i = 0; i < pos && i < s.length; i++) {
    if (s.charCodeAt(i) === 10) {
      line++;
      lastNl = i;
    }
  }
  throw new PyJsonError(reason, pos, line, pos - lastNl);
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13) p++;
      else break;
    }
    this.pos = p;
  }

  value(depth: number): PyValue {
    const s = this.s;
    const p = this.pos;
    const c = s.charCodeAt(p);
    if (c === 34) return this.string();
    if (c === 123) return this.object(depth + 1);
    if (c === 91) return this.array(depth + 1);
    if (c === 110 && s.startsWith('null', p)) return (this.pos += 4), null;
    if (c === 116 && s.startsWith('true', p)) return (this.pos += 4), true;
    if (c === 102 && s.startsWith('false', p)) return (this.pos += 5), false;
    if (c === 78 && s.startsWith('NaN', p)) return (this.pos += 3), new PyFloat(NaN);
    if (c === 73 && s.startsWith('Infinity', p)) return (this.pos += 8), new PyFloat(Infinity);
    if (c === 45 && s.startsWith('-Infinity', p)) return (this.pos += 9), new PyFloat(-Infinity);
    NUMBER_RE.lastIndex = p;
    const m = NUMBER_RE.exec(s);
    if (m) {
      this.pos = p + m[0].length;
      if (m[1] === undefined && m[2] === undefined) {
        let digits = m[0];
        const neg = digits.startsWith('-');
        const body = neg ? digits.slice(1) : digits;
        if (body.length > PY_INT_MAX_DIGITS) {
          fail(s, `Exceeds the limit (${PY_INT_MAX_DIGITS} digits) for integer string conversion: value has ${body.length} digits`, p);
        }
        if (body === '0') digits = '0';
        return new PyInt(digits);
      }
      return new PyFloat(Number(m[0]));
    }
    return fail(s, 'Expecting value', p);
  }

  string(): string {
    const s = this.s;
    const start = this.pos + 1;
    let p = start;
    let out = '';
    let chunk = start;
    for (;;) {
      if (p >= s.length) fail(s, 'Unterminated string starting at', start - 1);
      const c = s.charCodeAt(p);
      if (c === 34) {
        out += s.slice(chunk, p);
        this.pos = p + 1;
        return out;
      }
      if (c < 0x20) fail(s, 'Invalid control character at', p);
      if (c !== 92) {
        p++;
        continue;
      }
      out += s.slice(chunk, p);
      const e = s.charCodeAt(p + 1);
      if (Number.isNaN(e)) fail(s, 'Unterminated string starting at', start - 1);
      switch (e) {
        case 34: out += '"'; break;
        case 92: out += '\\'; break;
        case 47: out += '/'; break;
        case 98: out += '\b'; break;
        case 102: out += '\f'; break;
        case 110: out += '\n'; break;
        case 114: out += '\r'; break;
        case 116: out += '\t'; break;
        case 117: {
          const u = this.hex4(p + 2, p);
          p += 6;
          // A high surrogate escape followed by a low one is one code point, as in CPython.
          if (u >= 0xd800 && u <= 0xdbff && s.charCodeAt(p) === 92 && s.charCodeAt(p + 1) === 117) {
            const lo = this.hex4(p + 2, p);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              out += String.fromCharCode(u, lo);
              p += 6;
              chunk = p;
              continue;
            }
          }
          out += String.fromCharCode(u);
          chunk = p;
          continue;
        }
        default:
          fail(s, 'Invalid \\escape', p);
      }
      p += 2;
      chunk = p;
    }
  }

  hex4(at: number, escPos: number): number {
    const h = this.s.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail(this.s, 'Invalid \\uXXXX escape', escPos);
    return parseInt(h, 16);
  }

  object(depth: number): Map<string, PyValue> {
    const s = this.s;
    if (depth > PY_JSON_MAX_DEPTH) fail(s, 'maximum recursion depth exceeded while decoding a JSON object', this.pos);
    const m = new Map<string, PyValue>();
    this.pos++;
    this.ws();
    if (s.charCodeAt(this.pos) === 125) {
      this.pos++;
      return m;
    }
    for (;;) {
      if (s.charCodeAt(this.pos) !== 34) fail(s, 'Expecting property name enclosed in double quotes', this.pos);
      const k = this.string();
      this.ws();
      if (s.charCodeAt(this.pos) !== 58) fail(s, "Expecting ':' delimiter", this.pos);
      this.pos++;
      this.ws();
      const v = this.value(depth);
      m.set(k, v);
      this.ws();
      const c = s.charCodeAt(this.pos);
      if (c === 125) {
        this.pos++;
        return m;
      }
      if (c !== 44) fail(s, "Expecting ',' delimiter", this.pos);
      this.pos++;
      this.ws();
    }
  }

  array(depth: number): PyValue[] {
    const s = this.s;
    if (depth > PY_JSON_MAX_DEPTH) fail(s, 'maximum recursion depth exceeded while decoding a JSON array', this.pos);
    const a: PyValue[] = [];
    this.pos++;
    this.ws();
    if (s.charCodeAt(this.pos) === 93) {
      this.pos++;
      return a;
    }
    for (;;) {
      a.push(this.value(depth));
      this.ws();
      const c = s.charCodeAt(this.pos);
      if (c === 93) {
        this.pos++;
        return a;
      }
      if (c !== 44) fail(s, "Expecting ',' delimiter", this.pos);
      this.pos++;
      this.ws();
    }
  }
}

/** `json.loads(text)` with Python's types and errors (throws {@link PyJsonError}). */
export function parsePythonJson(text: string): PyValue {
  if (text.charCodeAt(0) === 0xfeff) fail(text, 'Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
  const p = new Parser(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) fail(text, 'Extra data', p.pos);
  return v;
}

/**
 * Like {@link parsePythonJson} but tries the native parser first: the result may hold plain
 * numbers and objects, which Python-faithful stringification refuses (NeedsFaithfulParse) so the
 * caller can re-parse with {@link parsePythonJson}. Errors always come from the faithful parser.
 */
export function parsePythonJsonFast(text: string): PyValue {
  if (text.charCodeAt(0) === 0xfeff) return parsePythonJson(text);
  let v: PyValue;
  try {
    v = JSON.parse(text) as PyValue;
  } catch {
    return parsePythonJson(text);
  }
  // Integers too long for CPython to convert make the whole document fail there.
  if (hasDigitRunOver(text, PY_INT_MAX_DIGITS)) return parsePythonJson(text);
  return v;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether the text holds more than `max` consecutive ASCII digits. Any such run covers one of the
 * probes spaced `half` apart, so only the runs under those probes are measured (a regex scan of the
 * whole text cost as much as parsing it).
 */
export function hasDigitRunOver(text: string, max: number): boolean {
  if (text.length <= max) return false;
  const half = Math.floor(max / 2);
  for (let p = half; p < text.length; p += half) {
    if (!isDigit(text.charCodeAt(p))) continue;
    let a = p;
    let b = p;
    while (a > 0 && isDigit(text.charCodeAt(a - 1))) a--;
    while (b + 1 < text.length && isDigit(text.charCodeAt(b + 1))) b++;
    if (b - a + 1 > max) return true;
    p = b; // the next probe starts beyond this run
  }
  return false;
}

/** Decode bytes as Python's strict UTF-8 codec does (throws on invalid UTF-8; keeps a BOM). */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  // isUtf8 (simdutf) rejects what CPython rejects: overlongs, encoded surrogates, > U+10FFFF.
  if (!isUtf8(bytes)) throw new Error(`'utf-8' codec can't decode the bytes: invalid UTF-8`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
