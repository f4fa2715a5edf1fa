// The whitespace tokenizer every stage shares: Python's `str.split()` with no argument, which the
// official builder uses for reasoning lengths (`len(text.split())`) and the light snippet cutter for
// its first-N-tokens cut. One definition, so token counts agree with Python everywhere.

/** Code points Python's str.isspace() accepts: what str.split() and str.strip() break on (not U+FEFF). */
export function isPyWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** `len(text.split())`: the number of runs of non-whitespace, without building them. */
export function countWhitespaceTokens(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    // Every Python whitespace code point is in the BMP, so UTF-16 units suffice.
    if (isPyWhitespace(text.charCodeAt(i))) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

/** `text.split()`: runs of non-whitespace; never an empty token. */
export function whitespaceTokens(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const ws = i === text.length || isPyWhitespace(text.charCodeAt(i));
    if (ws) {
      if (start >= 0) out.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  return out;
}
