// exp(x) correctly rounded (double-double evaluation), so weights match CPython's math.exp — glibc's
// exp rounds correctly in practice — to the last bit, where V8's Math.exp (fdlibm) is off by one ulp
// now and then. Used for the official weight formula; costs ≈ 1 µs per call.

const SPLIT = 134217729; // 2^27 + 1 (Dekker)

interface DD {
  hi: number;
  lo: number;
}

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

function ddAdd(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  let r = quickTwoSum(s.hi, s.lo + t.hi);
  r = quickTwoSum(r.hi, r.lo + t.lo);
  return r;
}

function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

function ddDivD(a: DD, d: number): DD {
  const q1 = a.hi / d;
  const p = twoProd(q1, d);
  const r = ddAdd(a, { hi: -p.hi, lo: -p.lo });
  const q2 = r.hi / d;
  return quickTwoSum(q1, q2);
}

// ln 2 as a double-double, and 1/n! for the Taylor series of exp on |r| <= ln2/2.
const LN2: DD = { hi: 0.6931471805599453, lo: 2.3190468138462996e-17 };
const TERMS = 24;
const INV_FACT: DD[] = [{ hi: 1, lo: 0 }];
for (let n = 1; n <= TERMS; n++) INV_FACT.push(ddDivD(INV_FACT[n - 1], n));

export function expCorrectlyRounded(x: number): number {
  if (!Number.isFinite(x) || x > 709 || x < -700) return Math.exp(x);
  const k = Math.round(x / LN2.hi);
  // r = x − k·ln2, in double-double
  const a = twoProd(k, LN2.hi);
  const b = twoProd(k, LN2.lo);
  let r = ddAdd({ hi: x, lo: 0 }, { hi: -a.hi, lo: -a.lo });
  r = ddAdd(r, { hi: -b.hi, lo: -b.lo });
  let s = INV_FACT[TERMS];
  for (let n = TERMS - 1; n >= 0; n--) s = ddAdd(ddMul(s, r), INV_FACT[n]);
  // s.hi is s rounded to the nearest double; scaling by 2^k is exact in this range.
  return (s.hi + s.lo) * 2 ** k;
}
