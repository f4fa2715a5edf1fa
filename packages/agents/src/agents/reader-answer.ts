import type { Rng } from '@lrat/core';
import type { ToolDocument } from '@lrat/trajectory';
import { contentWords, extractEntities, sentences } from '../text';
import { coverage, termWeights, titleMatch } from './reader-perception';

// The reader's answer: a span extracted from the documents it accepted, chosen from the question's
// wording alone (expected answer type, sentences that share most with the question). It is scored
// against the gold answer afterwards (EM / F1); nothing here sees it.

export interface AnswerCandidate {
  text: string;
  /** How sure the reader is, in [0, 1]: drives when it stops searching. */
  confidence: number;
}

type AnswerType = 'yesno' | 'choice' | 'date' | 'number' | 'entity';

const YES_NO = /^(is|are|was|were|do|does|did|can|could|has|have|had|will|would)\b/i;
const MONTH = '(?:January|February|March|April|May|June|July|August|September|October|November|December)';
const DATE_RE = new RegExp(`\\b(?:\\d{1,2} ${MONTH},? \\d{4}|${MONTH} \\d{1,2},? \\d{4}|${MONTH} \\d{4}|1[0-9]{3}|20[0-9]{2})\\b`, 'g');
const NUMBER_RE = /\b\d[\d,]*(?:\.\d+)?(?:\s(?:million|billion|thousand|hundred))?\b/g;
const EARLIER = /\b(first|earlier|earliest|older|oldest|before|prior)\b/i;
const LATER = /\b(later|latest|last|newer|newest|younger|youngest|more recent(?:ly)?|most recent(?:ly)?)\b/i;

export function answerType(question: string): AnswerType {
  const q = question.trim();
  if (/\bor\b/i.test(q) && /^(which|who|what)\b/i.test(q) && choiceOptions(q).length === 2) return 'choice';
  if (YES_NO.test(q)) return 'yesno';
  if (/\b(when|what year|which year|what date|in what year)\b/i.test(q)) return 'date';
  if (/\b(how many|how much|how long|how old|what number|how tall|how far)\b/i.test(q)) return 'number';
  return 'entity';
}

/** The two options of "Which came first, A or B?" (quoted names first, else the names around "or"). */
export function choiceOptions(question: string): string[] {
  const quoted = [...question.matchAll(/"([^"]{2,80})"/g)].map((m) => m[1]);
  if (quoted.length >= 2) return quoted.slice(-2);
  const m = question.match(/([^,?:]+?)\s+or\s+([^,?]+)\??$/i);
  if (!m) return [];
  const left = extractEntities(m[1]);
  const right = extractEntities(m[2]);
  return left.length && right.length ? [left[left.length - 1], right[0]] : [];
}

function years(text: string): number[] {
  return [...text.matchAll(/\b(1[0-9]{3}|20[0-9]{2})\b/g)].map((m) => Number(m[1]));
}

export function extractAnswer(question: string, docs: readonly ToolDocument[], rng: Rng): AnswerCandidate {
  const type = answerType(question);
  if (docs.length === 0) return { text: '', confidence: 0 };
  const qTerms = termWeights(question);
  const qLower = question.toLowerCase();

  if (type === 'choice') {
    const options = choiceOptions(question);
    // The doc that names each option best; compare the earliest year each one mentions.
    const info = options.map((o) => {
      const doc = [...docs].sort((a, b) => titleMatch(b.title, o) - titleMatch(a.title, o))[0];
      const match = titleMatch(doc.title, o);
      const ys = match > 0.5 ? years(doc.text) : [];
      return { o, match, year: ys.length ? Math.min(...ys) : undefined, cov: match > 0.5 ? coverage(contentWords(doc.text), qTerms) : 0 };
    });
    const both = info.every((i) => i.match > 0.5);
    let pick: (typeof info)[number];
    if (both && info.every((i) => i.year !== undefined) && (EARLIER.test(question) || LATER.test(question))) {
      const earlier = (info[0].year as number) <= (info[1].year as number) ? info[0] : info[1];
      pick = EARLIER.test(question) ? earlier : earlier === info[0] ? info[1] : info[0];
      return { text: pick.o, confidence: 0.8 };
    }
    pick = info[0].cov === info[1].cov ? rng.pick(info) : info[0].cov > info[1].cov ? info[0] : info[1];
    return { text: pick.o, confidence: both ? 0.6 : 0.35 };
  }

  if (type === 'yesno') {
    // "Are A and B both X?": yes when the question's non-name terms show up in each document it read.
    const names = new Set(extractEntities(question).flatMap((e) => contentWords(e)));
    const predicate = new Map([...qTerms].filter(([t]) => !names.has(t)));
    if (predicate.size === 0) return { text: 'yes', confidence: docs.length >= 2 ? 0.6 : 0.3 };
    const covers = docs.slice(0, 3).map((d) => coverage(contentWords(d.text), predicate));
    const yes = covers.filter((c) => c >= 0.5).length >= Math.min(2, docs.length);
    return { text: yes ? 'yes' : 'no', confidence: docs.length >= 2 ? 0.6 : 0.3 };
  }

  // Span extraction: candidates of the expected type in each sentence, scored by the sentence's
  // overlap with the question; names the question already contains are not answers.
  const scored = new Map<string, number>();
  const who = /^(who|whom|whose)\b|\bwhich (person|man|woman|actor|actress|singer|player|footballer|author|writer|director)\b/i.test(question);
  const where = /^where\b|\b(which|what) (city|country|state|town|island|county|place)\b/i.test(question);
  docs.forEach((doc, di) => {
    for (const s of sentences(doc.text)) {
      const overlap = coverage(contentWords(s), qTerms);
      const tokens = s.split(/\s+/);
      // Later documents are the later hops: the answer of a bridge question is usually there.
      const hop = 0.1 * (di / Math.max(1, docs.length - 1));
      const spans = type === 'date' ? [...s.matchAll(DATE_RE)].map((m) => m[0]) : type === 'number' ? [...s.matchAll(NUMBER_RE)].map((m) => m[0]) : extractEntities(s);
      for (const span of spans) {
        const key = span.toLowerCase();
        if (qLower.includes(key)) continue;
        const words = contentWords(span);
        if (type === 'entity' && (words.length === 0 || words.every((w) => qTerms.has(w)))) continue;
        // Answers sit next to the question's words: coverage of a ±8-word window around the span.
        const at = tokens.findIndex((t) => t.includes(span.split(/\s+/)[0]));
        const window = at < 0 ? [] : contentWords(tokens.slice(Math.max(0, at - 8), at + 8 + span.split(/\s+/).length).join(' '));
        let score = 0.6 * overlap + 0.4 * coverage(window, qTerms) + hop + rng.next() * 0.05;
        if (who && words.length >= 2) score += 0.1;
        if (where && at > 0 && /^(in|at|on|near|from)$/i.test(tokens[at - 1])) score += 0.15;
        if (score > (scored.get(span) ?? -1)) scored.set(span, score);
      }
    }
  });
  let bestText = '';
  let bestScore = 0;
  for (const [t, s] of scored) if (s > bestScore) [bestText, bestScore] = [t, s];
  return { text: bestText, confidence: Math.min(1, bestScore) };
}
