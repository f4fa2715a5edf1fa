import { readFileSync } from 'fs';
import * as path from 'path';
import { decodeUtf8Strict, hasDigitRunOver, parsePythonJson, parsePythonJsonFast, PyJsonError, PY_INT_MAX_DIGITS } from './json-parse';
import { NeedsFaithfulParse, pyFloatRepr, pyJsonDumps, pyRepr, pyStr, pyStrip, pyTruthy, PyFloat, PyInt } from './py-value';

const cases = JSON.parse(readFileSync(path.join(__dirname, '__fixtures__/python-cases.json'), 'utf8')) as [string, string, string, string][];

describe('Python str/repr/json.dumps of json.loads values (expectations from CPython 3.11)', () => {
  it.each(cases)('%s', (text, str, repr, dumps) => {
    const v = parsePythonJson(text);
    expect(pyStr(v)).toBe(str);
    expect(pyRepr(v)).toBe(repr);
    // CPython writes a lone surrogate raw (and then fails to encode it); JSON.stringify escapes it.
    if (!/\\ud800(?!\\udc)/i.test(text)) expect(pyJsonDumps(v)).toBe(dumps);
  });
});

describe('parsePythonJson', () => {
  it.each([
    ['', 'Expecting value'],
    ['{"a": 1} x', 'Extra data'],
    ['{"a": 1}\n{"a": 2}', 'Extra data'],
    ['\ufeff{}', 'Unexpected UTF-8 BOM'],
    ['{"a": 1,}', 'Expecting property name enclosed in double quotes'],
    ['[1,]', 'Expecting value'],
    ['"a\tb"', 'Invalid control character'],
    ['"\\x41"', 'Invalid \\escape'],
    ['"\\u12"', 'Invalid \\uXXXX escape'],
    ['"abc', 'Unterminated string'],
    ['01', 'Extra data'],
    ['{"a" 1}', "Expecting ':' delimiter"],
    ['[1 2]', "Expecting ',' delimiter"],
    ['nan', 'Expecting value'],
    ['\u00a0{}', 'Expecting value'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(() => parsePythonJson(text)).toThrow(PyJsonError);
    try {
      parsePythonJson(text);
    } catch (e) {
      expect((e as PyJsonError).reason).toContain(reason);
      expect((e as PyJsonError).message).toMatch(/line \d+ column \d+ \(char \d+\)/);
    }
  });

  it('reports line and column', () => {
    try {
      parsePythonJson('{\n  "a": tru\n}');
      throw new Error('no error');
    } catch (e) {
      expect((e as PyJsonError).line).toBe(2);
      expect((e as PyJsonError).column).toBe(8);
    }
  });

  it('keeps first-insertion order with the last value for duplicate keys, as a dict', () => {
    expect(pyStr(parsePythonJson('{"b": 1, "a": 2, "b": 3}'))).toBe("{'b': 3, 'a': 2}");
  });

  it('refuses integers longer than CPython converts, and very deep nesting', () => {
    expect(() => parsePythonJson('1'.repeat(PY_INT_MAX_DIGITS + 1))).toThrow(/Exceeds the limit/);
    expect(pyStr(parsePythonJson('1'.repeat(PY_INT_MAX_DIGITS)))).toHaveLength(PY_INT_MAX_DIGITS);
    expect(() => parsePythonJson('['.repeat(2000) + ']'.repeat(2000))).toThrow(/recursion/);
    for (const pad of [0, 1, 2149, 2150, 2151, 5000]) {
      expect(() => parsePythonJsonFast(`[${' '.repeat(pad)}${'1'.repeat(PY_INT_MAX_DIGITS + 1)}]`)).toThrow(/Exceeds the limit/);
      expect(hasDigitRunOver(`"${'x'.repeat(pad)}${'1'.repeat(PY_INT_MAX_DIGITS)}"`, PY_INT_MAX_DIGITS)).toBe(false);
      expect(hasDigitRunOver(`"${'x'.repeat(pad)}${'1'.repeat(PY_INT_MAX_DIGITS + 1)}"`, PY_INT_MAX_DIGITS)).toBe(true);
    }
    // a long digit run inside a string is fine for CPython
    expect(parsePythonJsonFast(`["${'1'.repeat(PY_INT_MAX_DIGITS + 1)}"]`)).toEqual(['1'.repeat(PY_INT_MAX_DIGITS + 1)]);
  });

  it('the fast path refuses to stringify ambiguous numbers and objects', () => {
    const v = parsePythonJsonFast('{"a": 1.0, "o": {"2": 1, "1": 2}}') as Record<string, unknown>;
    expect(() => pyStr(v.a as number)).toThrow(NeedsFaithfulParse);
    expect(() => pyStr(v.o as Record<string, number>)).toThrow(NeedsFaithfulParse);
    expect(parsePythonJsonFast('[NaN]')).toEqual([new PyFloat(NaN)]);
  });

  it('decodes strict UTF-8 and keeps a BOM', () => {
    expect(() => decodeUtf8Strict(Uint8Array.from([0x7b, 0xff, 0x7d]))).toThrow(/utf-8/);
    expect(() => decodeUtf8Strict(Uint8Array.from([0xed, 0xa0, 0x80]))).toThrow(/utf-8/); // encoded surrogate
    expect(decodeUtf8Strict(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('\ufeff{}');
  });
});

describe('Python string helpers', () => {
  it('strip() uses str.isspace', () => {
    expect(pyStrip(`\x1f 123\r\x85`)).toBe('123');
    expect(pyStrip('\ufeff1')).toBe('\ufeff1');
  });

  it('truthiness', () => {
    for (const f of ['', 0, null, false, [], {}, new Map(), new PyInt('0'), new PyFloat(0), new PyFloat(-0)]) expect(pyTruthy(f as never)).toBe(false);
    for (const t of ['a', 1, true, [0], { a: 1 }, new PyInt('-1'), new PyFloat(NaN)]) expect(pyTruthy(t as never)).toBe(true);
  });

  it('float repr switches to exponent notation where Python does', () => {
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1e15)).toBe('1000000000000000.0');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.00001)).toBe('1e-05');
    expect(pyFloatRepr(1.2492834517843616)).toBe('1.2492834517843616');
    expect(pyFloatRepr(-2.5e-7)).toBe('-2.5e-07');
  });
});
