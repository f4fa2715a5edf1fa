import { readFileSync } from 'fs';
import * as path from 'path';
import { expCorrectlyRounded } from './exp';

// Against CPython's math.exp (glibc): bit-identical except two inputs where glibc itself is off by
// more than half an ulp (see __fixtures__/README.md); V8's Math.exp differs on ~9 % of them.

function fromHex(h: string): number {
  const m = /^(-?)0x([01])\.([0-9a-f]+)p([+-]\d+)$/.exec(h);
  if (!m) throw new Error(`bad hex float ${h}`);
  const mant = parseInt(m[2], 16) + parseInt(m[3], 16) / 16 ** m[3].length;
  return (m[1] ? -1 : 1) * mant * 2 ** Number(m[4]);
}

it('matches math.exp bit for bit where glibc rounds correctly', () => {
  const cases = JSON.parse(readFileSync(path.join(__dirname, '__fixtures__/exp-cases.json'), 'utf8')) as [string, string][];
  const differ: string[] = [];
  let mathExpDiffers = 0;
  for (const [xh, yh] of cases) {
    const x = fromHex(xh);
    if (expCorrectlyRounded(x) !== fromHex(yh)) differ.push(xh);
    if (Math.exp(x) !== fromHex(yh)) mathExpDiffers++;
  }
  expect(cases.length).toBe(4995);
  expect(differ).toEqual(['-0x1.01eb49d00ff2cp+4', '-0x1.9f669d19430a7p+4']);
  expect(mathExpDiffers).toBeGreaterThan(100);
  expect(expCorrectlyRounded(0)).toBe(1);
  expect(expCorrectlyRounded(-Infinity)).toBe(0);
  expect(expCorrectlyRounded(-800)).toBe(0);
  expect(Number.isNaN(expCorrectlyRounded(NaN))).toBe(true);
});
