import { bodyExcerpt, redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('replaces known secret values, bearer tokens and sk- keys', () => {
    const text = 'key=abcdef123456 auth: Bearer tok.en_value-1 other sk-ant-api03-XYZxyz123 plain words';
    expect(redactSecrets(text, ['abcdef123456'])).toBe('key=[REDACTED] auth: Bearer [REDACTED] other [REDACTED] plain words');
  });

  it('ignores secrets too short to be keys, so ordinary words survive', () => {
    expect(redactSecrets('the cat sat', ['cat', undefined, ''])).toBe('the cat sat');
  });
});

describe('bodyExcerpt', () => {
  it('redacts before cutting, so a key split by the cut cannot leak its head', () => {
    const key = 'gateway-secret-value-0123456789';
    const body = `${'x'.repeat(10)}${key}`;
    const out = bodyExcerpt(body, 20, [key]);
    expect(out).toBe(`${'x'.repeat(10)}[REDACTED]`);
    expect(bodyExcerpt(body, 15, [key])).toBe(`${'x'.repeat(10)}[REDA…`);
    expect(bodyExcerpt(body, 15, [key])).not.toContain('gateway');
  });
});
