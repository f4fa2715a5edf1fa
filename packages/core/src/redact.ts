// The one redaction rule for every message that quotes text from an HTTP service (the chat client's
// errors, the LLM judge's warnings): gateways and proxies sometimes echo the request, Authorization
// header included, so a quoted body could carry the API key to stderr and to logs.

export const REDACTED = '[REDACTED]';

// Bearer tokens, and the usual key shapes (OpenAI/Anthropic "sk-…", "sk-proj-…", "sk-ant-…").
const TOKEN_PATTERNS: readonly RegExp[] = [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, /\bsk-[A-Za-z0-9_-]{8,}/g];

/**
 * `text` with every known secret value and anything that looks like a bearer token or API key
 * replaced by [REDACTED]. Redact before truncating: a cut key would no longer match its full value.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    // A very short "key" would redact ordinary words; real keys are long.
    if (s && s.length >= 6) out = out.split(s).join(REDACTED);
  }
  for (const re of TOKEN_PATTERNS) out = out.replace(re, (m) => (/^bearer/i.test(m) ? `Bearer ${REDACTED}` : REDACTED));
  return out;
}

/** The first `max` characters of a response body, redacted, for an error message. */
export function bodyExcerpt(body: string, max: number, secrets: readonly (string | undefined)[] = []): string {
  const red = redactSecrets(body, secrets);
  return red.length > max ? `${red.slice(0, max)}…` : red;
}
