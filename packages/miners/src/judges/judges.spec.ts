import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { createJudge, isClearlyNegative, MissingVerdictError, noneJudge, parseVerdicts, RecordingJudge, reasoningSha256, ReplayJudge, ruleJudge } from '.';

describe('rule judge', () => {
  it.each([
    'This page is not relevant to the question.',
    'The article is irrelevant; search again.',
    'It does not mention the 1973 designation at all.',
    "The document doesn't help with the birth date.",
    'There is no information about the second husband here.',
    'Unrelated content about a football club.',
    'Not helpful. Next.',
    'This is about a different person entirely.',
    'The page is NOT RELEVANT.',
  ])('NOT_RELEVANT on a clear negative judgement: %s', (t) => {
    expect(isClearlyNegative(t)).toBe(true);
    expect(ruleJudge.judgeSync?.(t)).toBe(false);
  });

  it.each([
    'The page says he was born in 1921; we still need the spouse, so continue searching.',
    'Partially helpful: gives the founding year as background.',
    '',
    'We found the relevant passage: the bog was designated in 1973.',
  ])('RELEVANT otherwise: %s', async (t) => {
    expect(ruleJudge.judgeSync?.(t)).toBe(true);
    expect(await ruleJudge.judge([t])).toEqual([true]);
  });
});

describe('replay judge', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-replay-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers from sha256 of the exact text and names a missing one', () => {
    const f = path.join(dir, 'v.jsonl');
    writeFileSync(f, `${JSON.stringify({ reasoning_sha256: reasoningSha256('yes'), verdict: 'RELEVANT' })}\n\n${JSON.stringify({ reasoning_sha256: reasoningSha256('no'), verdict: 'NOT_RELEVANT' })}\n`);
    const j = ReplayJudge.fromFile(f);
    expect(j.judgeSync('yes')).toBe(true);
    expect(j.judgeSync('no')).toBe(false);
    expect(() => j.judgeSync('yes ')).toThrow(MissingVerdictError);
    expect(() => j.judgeSync('yes ')).toThrow(new RegExp(`${reasoningSha256('yes ')}.*v\\.jsonl`));
  });

  it.each([
    ['{"reasoning_sha256": "abc", "verdict": "RELEVANT"}\n{}\n', /v\.jsonl:1 \(field reasoning_sha256\)/],
    [`{"reasoning_sha256": "${'a'.repeat(64)}", "verdict": "MAYBE"}\n`, /v\.jsonl:1 \(field verdict\)/],
    [`[1]\n{"x": 1}\n`, /v\.jsonl:1: expected a JSON object/],
    [`{oops\n{"reasoning_sha256": "${'a'.repeat(64)}", "verdict": "RELEVANT"}\n`, /v\.jsonl:1: not valid JSON/],
  ])('rejects malformed verdict files precisely (%#)', (text, re) => {
    expect(() => parseVerdicts(text, 'v.jsonl')).toThrow(re);
  });

  it('tolerates a truncated last line (a writer killed mid-line)', () => {
    const text = `{"reasoning_sha256": "${'b'.repeat(64)}", "verdict": "RELEVANT"}\n{"reasoning_sha2`;
    expect(parseVerdicts(text, 'v.jsonl').size).toBe(1);
  });

  it('createJudge validates its spec', () => {
    expect(() => createJudge({ kind: 'replay' })).toThrow(/--verdicts/);
    expect(() => createJudge({ kind: 'llm' })).toThrow(/--judge-base-url/);
    expect(createJudge({ kind: 'none' })).toBe(noneJudge);
    expect(createJudge({ kind: 'rule' })).toBe(ruleJudge);
  });

  it('RecordingJudge keeps every verdict given', async () => {
    const r = new RecordingJudge(ruleJudge);
    r.judgeSync?.('irrelevant page');
    await r.judge(['fine']);
    expect([...r.verdicts]).toEqual([
      [reasoningSha256('irrelevant page'), 'NOT_RELEVANT'],
      [reasoningSha256('fine'), 'RELEVANT'],
    ]);
  });
});
