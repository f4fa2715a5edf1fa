// Text helpers shared by the simulated and reader agents.

const STOPWORDS = new Set(
  ('a an the of in on at to for from by with and or but is are was were be been being which who whom whose what when where why how ' +
    'that this these those it its as into than then there their they he she his her him them we you your our i me my do does did ' +
    'has have had not no yes also both either neither same other another more most many much such so if about after before between ' +
    'during while over under up down out off again further once here all any each few some own only very can will just should now ' +
    'did done name named called known one first').split(' '),
);

/** Lower-cased word tokens without punctuation and stop words: what a query keyword is. */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOPWORDS.has(w) && w.length > 1);
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase());
}

/**
 * Named-entity-like spans: quoted strings and runs of capitalised words (allowing "of", "the", "de"
 * inside). A crude stand-in for what an LLM would pick out of a page as the next thing to look up.
 */
export function extractEntities(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (e: string, quoted = false) => {
    // Sentence-initial question words ("Which Grammy ...") are not part of a name; a quoted title is kept whole.
    const words = e.trim().replace(/[,.;:]+$/, '').split(/\s+/);
    while (!quoted && words.length > 0 && isStopword(words[0])) words.shift();
    const t = words.join(' ');
    const key = t.toLowerCase();
    if (t.length < 3 || seen.has(key) || isStopword(t)) return;
    seen.add(key);
    out.push(t);
  };
  for (const m of text.matchAll(/"([^"]{3,80})"/g)) add(m[1], true);
  const re = /\p{Lu}[\p{L}\p{N}'’.-]*(?:\s+(?:(?:of|the|de|von|van|and|la|le|du|da)\s+)?\p{Lu}[\p{L}\p{N}'’.-]*)*/gu;
  for (const m of text.matchAll(re)) add(m[0]);
  return out;
}

/** Splits a paragraph into sentences (good enough for Wikipedia prose). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[\p{Lu}"'(\d])/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
