import { createRng, type Rng } from '@lrat/core';
import { type SearchTool, type ToolDocument, type ToolSearchHit, TrajectoryRecorder } from '@lrat/trajectory';
import { contentWords, extractEntities, sentences } from '../text';
import type { Agent, AgentRunOptions } from './agent';
import { extractAnswer, type AnswerCandidate } from './reader-answer';
import { coverage, perceivedRelevance, termWeights, type TermWeights } from './reader-perception';

// The text-only simulated agent (`simulated:reader`). Unlike the oracle profiles (simulated.ts), it
// never sees the qrels or the gold answer: it is handed only the question's id and text, and every
// decision — what to search, what to open, whether a document helps, what to write, which entity to
// look up next, what to answer and when to stop — is made from the text it reads through the tool.
// Its relevance perception is a lexical scorer of its own (term coverage of the question and of the
// current sub-goal, title match), independent of whichever retriever is under test, with Gaussian
// noise; so, like an LLM, it opens look-alike distractors and sometimes accepts them, and misses
// evidence whose snippet reads poorly. Multi-hop: the next hop is an entity it read in a document it
// accepted that the question does not name.

export interface ReaderProfile {
  name: string;
  description: string;
  maxSearches: number;
  maxBrowses: number;
  /** At most this many documents opened after one search. */
  browsesPerSearch: number;
  /** Perceived snippet relevance needed to open a result. */
  openThreshold: number;
  /** Perceived document relevance needed to accept an opened document as useful. */
  acceptThreshold: number;
  /** Standard deviation of the Gaussian noise on every relevance perception. */
  noise: number;
  /** Answer confidence at which it stops searching (once it holds two documents). */
  stopConfidence: number;
  /** Multiplier of post-browse reasoning length. */
  verbosity: number;
}

export const READER_PROFILE: ReaderProfile = {
  name: 'reader',
  description: 'text-only simulated agent: lexical relevance perception with noise, follows entities it read, extracts an answer span; never sees qrels or gold answers',
  maxSearches: 14,
  maxBrowses: 8,
  browsesPerSearch: 1,
  // Thresholds set by hand on 150 multihop-wiki train questions through BM25 (seed 13 split): it
  // accepts ≈ 77 % of the gold documents it opens and ≈ 41 % of the others (≈ 43 % of its accepted
  // documents are gold), so mined positives are noisy the way an LLM's reading is, not the qrels.
  openThreshold: 0.5,
  acceptThreshold: 0.6,
  noise: 0.12,
  stopConfidence: 0.55,
  verbosity: 1,
};

export interface ReaderAgentOptions {
  profile?: Partial<ReaderProfile>;
  /** Report name (default `simulated:reader`). */
  name?: string;
}

/** What the reader is allowed to know about a question: its id and its text, nothing else. */
interface Visible {
  id: string;
  text: string;
}

/** A thing to find: the question itself, an entity it names, or an entity read in an accepted doc. */
interface Goal {
  label: string;
  terms: TermWeights;
  /** The entity the goal is about, when it is one (title matches count). */
  entity?: string;
  /** Queries already issued for it. */
  tries: number;
}

interface Accepted {
  doc: ToolDocument;
  goal: Goal;
  relevance: number;
}

export function createReaderAgent(options: ReaderAgentOptions = {}): Agent {
  const profile = { ...READER_PROFILE, ...options.profile };
  const name = options.name ?? `simulated:${profile.name}`;
  return {
    name,
    simulated: true,
    async run(question, tool, runOptions) {
      // Blindfold: the rest of the agent sees only this view of the question.
      const visible: Visible = { id: question.id, text: question.text };
      const { recorder, answer, accepted } = await read(visible, tool, runOptions, profile);
      return recorder.trajectory({
        id: `${name}:${question.id}`,
        questionId: question.id,
        question: question.text,
        // Bookkeeping only (the trajectory format carries the gold answer for later evaluation).
        answer: question.answer ?? null,
        agent: { name, backend: 'simulated', profile: profile.name, simulated: true },
        metadata: { seed: runOptions.seed, acceptedDocs: accepted, answerConfidence: Number(answer.confidence.toFixed(3)) },
      });
    },
  };
}

const MAX_KEYWORDS_PER_QUERY = 4;
const MONTHS = new Set('january february march april may june july august september october november december'.split(' '));

async function read(
  question: Visible,
  tool: SearchTool,
  options: AgentRunOptions,
  profile: ReaderProfile,
): Promise<{ recorder: TrajectoryRecorder; answer: AnswerCandidate; accepted: number }> {
  const rng = createRng(options.seed, profile.name, question.id);
  const rec = new TrajectoryRecorder(tool);
  const qTerms = termWeights(question.text);
  const qEntities = extractEntities(question.text);
  const qLower = question.text.toLowerCase();
  const keywords = [...qTerms.keys()];
  const browsed = new Set<string>();
  const issued = new Set<string>();
  const accepted: Accepted[] = [];
  const questionGoal: Goal = { label: 'the question', terms: qTerms, tries: 0 };
  // The question first, then each entity it names (comparison questions need both pages).
  const goals: Goal[] = [questionGoal, ...rng.shuffle(qEntities).map((e) => entityGoal(e, qTerms))];
  const explored = new Set<string>(qEntities.map((e) => e.toLowerCase()));
  let best: AnswerCandidate = { text: '', confidence: 0 };

  const nextGoal = (): Goal => {
    // Newest bridge goals first (what it just learned), then the question's own entities, then the
    // question again with a different wording.
    const open = goals.filter((g) => g.tries === 0);
    if (open.length > 0) return open[0] === questionGoal ? questionGoal : open[open.length - 1];
    return goals.reduce((a, b) => (b.tries < a.tries ? b : a));
  };

  const queryFor = (goal: Goal): string => {
    goal.tries++;
    if (goal === questionGoal && !issued.has(question.text)) return question.text;
    for (let attempt = 0; attempt < 6; attempt++) {
      const extra = rng.shuffle(keywords.filter((k) => !(goal.entity ?? '').toLowerCase().includes(k))).slice(0, 1 + rng.int(MAX_KEYWORDS_PER_QUERY - 1));
      const q = goal.entity ? [goal.entity, ...extra.slice(0, 2)].join(' ') : extra.join(' ');
      if (q.trim() !== '' && !issued.has(q)) return q;
    }
    return `${goal.entity ?? ''} ${rng.pick(keywords.length ? keywords : [question.text])} ${issued.size}`.trim();
  };

  const choose = (hits: ToolSearchHit[], goal: Goal): Array<{ hit: ToolSearchHit; seen: number }> => {
    const seen = hits
      .filter((h) => !browsed.has(h.docid))
      .map((hit) => ({ hit, seen: perceivedRelevance(hit.snippet, hit.title ?? '', qTerms, goal.terms, goal.entity) + rng.normal() * profile.noise }))
      .filter((x) => x.seen >= profile.openThreshold)
      .sort((a, b) => b.seen - a.seen);
    return seen.slice(0, profile.browsesPerSearch);
  };

  while (rec.searchCalls < profile.maxSearches && rec.browseCalls < profile.maxBrowses) {
    options.signal?.throwIfAborted();
    const goal = nextGoal();
    const query = queryFor(goal);
    issued.add(query);
    const hits = await rec.search(query);
    for (const { hit } of choose(hits, goal)) {
      if (rec.browseCalls >= profile.maxBrowses) break;
      browsed.add(hit.docid);
      const doc = await rec.getDocument(hit.docid);
      if (!doc) {
        rec.reason(`The document ${hit.docid} could not be opened, so it cannot answer anything; I will search again.`);
        continue;
      }
      const relevance = perceivedRelevance(doc.text, doc.title, qTerms, goal.terms, goal.entity) + rng.normal() * profile.noise;
      if (relevance < profile.acceptThreshold) {
        rec.reason(writeRejection(doc, qTerms, goal, rng));
        continue;
      }
      accepted.push({ doc, goal, relevance });
      const bridge = pickBridge(doc, qTerms, qLower, explored, rng);
      if (bridge) {
        explored.add(bridge.toLowerCase());
        goals.push(entityGoal(bridge, qTerms));
      }
      best = extractAnswer(question.text, accepted.map((a) => a.doc), rng);
      rec.reason(writeUseful(doc, qTerms, goal, relevance, bridge, best, profile, rng));
    }
    if (accepted.length >= 2 && best.confidence >= profile.stopConfidence) break;
  }

  if (best.text === '') best = extractAnswer(question.text, accepted.map((a) => a.doc), rng);
  if (best.text === '') best = { text: qEntities.length > 0 ? rng.pick(qEntities) : 'unknown', confidence: 0 };
  rec.reason(
    best.confidence >= profile.stopConfidence
      ? `From what I read, the answer is ${best.text}.`
      : `I could not find a clear answer in what I read; my best guess is ${best.text}.`,
  );
  rec.answer(best.text);
  return { recorder: rec, answer: best, accepted: accepted.length };
}

function entityGoal(entity: string, qTerms: TermWeights): Goal {
  const terms: TermWeights = new Map();
  for (const w of contentWords(entity)) terms.set(w, 2);
  // Keep a little of the question so the goal is "the entity, as the question needs it".
  for (const [w, v] of qTerms) if (!terms.has(w)) terms.set(w, v * 0.25);
  return { label: entity, terms, entity, tries: 0 };
}

/**
 * The entity to look up next: named in the accepted document (not its own title, not in the
 * question), preferring names in the sentences that share most with the question — the bridge.
 */
function pickBridge(doc: ToolDocument, qTerms: TermWeights, qLower: string, explored: ReadonlySet<string>, rng: Rng): string | undefined {
  const own = doc.title.toLowerCase();
  const scored: Array<{ e: string; s: number }> = [];
  for (const s of sentences(doc.text)) {
    const overlap = coverage(contentWords(s), qTerms);
    for (const e of extractEntities(s)) {
      const key = e.toLowerCase();
      const words = contentWords(e);
      // Dates and bare numbers are facts, not things to look up; fragments of the page's own title neither.
      if (key === own || own.includes(key) || qLower.includes(key) || explored.has(key) || words.length === 0) continue;
      if (words.every((w) => MONTHS.has(w) || /^\d+$/.test(w) || own.includes(w))) continue;
      scored.push({ e, s: overlap + rng.next() * 0.15 });
    }
  }
  scored.sort((a, b) => b.s - a.s);
  return scored[0]?.e;
}

/** Post-browse reasoning for a useful document: what it says that matters, at a length that grows with how relevant it looked. */
function writeUseful(doc: ToolDocument, qTerms: TermWeights, goal: Goal, relevance: number, bridge: string | undefined, best: AnswerCandidate, profile: ReaderProfile, rng: Rng): string {
  const ranked = sentences(doc.text)
    .map((s, i) => ({ s, i, o: coverage(contentWords(s), goal.terms) + coverage(contentWords(s), qTerms) + rng.next() * 0.05 }))
    .sort((a, b) => b.o - a.o);
  const n = Math.max(1, Math.round(profile.verbosity * (1 + 4 * Math.max(0, relevance - profile.acceptThreshold) / (1 - profile.acceptThreshold)) + rng.normal() * 0.5));
  const quoted = ranked.slice(0, n).sort((a, b) => a.i - b.i).map((x) => x.s).join(' ');
  const parts = [`"${doc.title || doc.docid}" is useful for ${goal.entity ? `finding out about ${goal.entity}` : 'this question'}. It says: ${quoted}`];
  if (bridge) parts.push(`It mentions ${bridge}, which the question does not name; I should look that up next.`);
  if (best.text && best.confidence > 0.3) parts.push(`So far the answer looks like ${best.text}.`);
  return parts.join(' ');
}

const REJECTIONS: Array<(title: string, about: string, missing: string) => string> = [
  (t, a, m) => `"${t}" is about ${a}; it is not relevant to the question and says nothing about ${m}.`,
  (t, a, m) => `This page on ${t} (${a}) is unrelated to what I need: no information about ${m}.`,
  (t, a, m) => `The document on ${t} does not mention ${m}; it is about ${a}, so I will search differently.`,
];

/** Post-browse reasoning for a document that did not help: what it is about and what it lacks, from its text. */
function writeRejection(doc: ToolDocument, qTerms: TermWeights, goal: Goal, rng: Rng): string {
  const words = new Set(contentWords(doc.text));
  const missing = [...goal.terms.keys(), ...qTerms.keys()].filter((k, i, all) => !words.has(k) && all.indexOf(k) === i);
  const about = extractEntities(sentences(doc.text)[0] ?? '').filter((e) => e.toLowerCase() !== doc.title.toLowerCase()).slice(0, 2).join(' and ') || 'something else';
  const what = missing.length > 0 ? missing.slice(0, 2 + rng.int(2)).join(' and ') : goal.entity ?? 'what the question asks';
  return rng.pick(REJECTIONS)(doc.title || doc.docid, about, what);
}
