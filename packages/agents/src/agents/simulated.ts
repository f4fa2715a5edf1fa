import { type Trajectory, type DocumentStore, type SearchTool, type ToolDocument, type ToolSearchHit, TrajectoryRecorder } from '@lrat/trajectory';
import type { Question } from '../dataset';
import { createRng } from '@lrat/core';
import { contentWords, extractEntities, sentences } from '../text';
import type { Agent, AgentRunOptions } from './agent';

// A deterministic-by-seed model of a deep-research agent (README: "The simulated agent"). It plays the
// LLM's part with an oracle — the question's gold evidence (qrels) — seen through noise: it recognises
// evidence from snippets only with some probability per exposure, so how often and how high the
// retriever shows the evidence decides how fast it is found. Everything it sees comes through the tool.

export interface SimulatedProfile {
  name: string;
  /** What kind of agent architecture the profile stands for. */
  description: string;
  /** Search budget: the agent gives up (and guesses) after this many searches. */
  maxSearches: number;
  maxBrowses: number;
  /** P(opening a shown gold doc it does not hold yet), per exposure, from the snippet alone. */
  recognition: number;
  /** P(opening a shown non-gold doc), per exposure, scaled by the snippet's overlap with the question. */
  curiosity: number;
  /** At most this many documents opened after one search. */
  browsesPerSearch: number;
  /** P(misjudging an opened doc: rejecting evidence, or accepting a distractor as partly useful). */
  misjudge: number;
  /** P(following the right lead — the entity that names the missing evidence — after reading evidence). */
  leadSkill: number;
  /** Up to this many extra searches spent double-checking once all evidence is held. */
  verifySearches: number;
  /** Multiplier of post-browse reasoning length. */
  verbosity: number;
  /** Share of the question's keywords a reformulated query keeps. */
  keywordKeep: number;
}

/** Three architectures (calibrated on multihop-wiki with BM25; see README and `calibrationStats`). */
export const SIMULATED_PROFILES: Readonly<Record<string, SimulatedProfile>> = {
  careful: {
    name: 'careful',
    description: 'large reasoning model: reads snippets closely, follows the right leads, verifies before answering, long reasoning',
    maxSearches: 30,
    maxBrowses: 12,
    recognition: 0.22,
    curiosity: 0.03,
    browsesPerSearch: 2,
    misjudge: 0.04,
    leadSkill: 0.85,
    verifySearches: 3,
    verbosity: 1.4,
    keywordKeep: 0.7,
  },
  greedy: {
    name: 'greedy',
    description: 'fast tool-happy model: opens many results per search, misjudges more often, answers as soon as it can',
    maxSearches: 20,
    maxBrowses: 14,
    recognition: 0.18,
    curiosity: 0.035,
    browsesPerSearch: 2,
    misjudge: 0.1,
    leadSkill: 0.6,
    verifySearches: 1,
    verbosity: 0.9,
    keywordKeep: 0.6,
  },
  shallow: {
    name: 'shallow',
    description: 'small model: short search budget, opens one result at a time, weaker leads, terse reasoning',
    maxSearches: 16,
    maxBrowses: 6,
    recognition: 0.2,
    curiosity: 0.025,
    browsesPerSearch: 1,
    misjudge: 0.1,
    leadSkill: 0.5,
    verifySearches: 1,
    verbosity: 0.6,
    keywordKeep: 0.5,
  },
};

export interface SimulatedAgentOptions {
  profile: string | SimulatedProfile;
  /**
   * The corpus, read only to model what the LLM knows without a tool call: the titles of the evidence
   * it still misses (to pick the right lead among the entities it read). Never used for what it sees.
   */
  documents: DocumentStore;
  /** Report name (default `simulated:<profile>`); the bench calls them `oracle:<profile>` since they read the qrels. */
  name?: string;
}

const YES_NO = /^(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b/i;

const REJECTIONS: Array<(title: string, missing: string) => string> = [
  (t, m) => `"${t}" is not relevant to the question; it does not mention ${m}.`,
  (t, m) => `This page about ${t} is unrelated to what I need: it has no information about ${m}.`,
  (t, m) => `The document on ${t} is irrelevant here. It does not mention ${m}, so I will look elsewhere.`,
  (t, m) => `Nothing useful: ${t} is not relevant, there is no information about ${m} in it.`,
];

export function resolveProfile(profile: string | SimulatedProfile): SimulatedProfile {
  if (typeof profile !== 'string') return profile;
  const p = SIMULATED_PROFILES[profile];
  if (!p) throw new Error(`unknown simulated profile "${profile}" (known: ${Object.keys(SIMULATED_PROFILES).join(', ')})`);
  return p;
}

export function createSimulatedAgent(options: SimulatedAgentOptions): Agent {
  const profile = resolveProfile(options.profile);
  const name = options.name ?? `simulated:${profile.name}`;
  return {
    name,
    simulated: true,
    run: (question, tool, runOptions) => simulate(question, tool, runOptions, profile, options.documents, name),
  };
}

function overlapShare(text: string, keywords: ReadonlySet<string>): number {
  if (keywords.size === 0) return 0;
  const words = new Set(contentWords(text));
  let n = 0;
  for (const k of keywords) if (words.has(k)) n++;
  return n / keywords.size;
}

async function simulate(
  question: Question,
  tool: SearchTool,
  options: AgentRunOptions,
  profile: SimulatedProfile,
  documents: DocumentStore,
  name: string,
): Promise<Trajectory> {
  const rng = createRng(options.seed, profile.name, question.id);
  const rec = new TrajectoryRecorder(tool);
  const evidence = new Set(question.evidence);
  const keywords = [...new Set(contentWords(question.text))];
  const keywordSet = new Set(keywords);
  const questionLower = question.text.toLowerCase();
  const held = new Set<string>();
  const browsed = new Set<string>();
  const issued = new Set<string>();
  const readEntities: string[] = [];
  const acceptedTitles: string[] = [];
  // Leads: names to look up next. The question's own entities come first (agents search them).
  const leads: string[] = rng.shuffle(extractEntities(question.text));
  const usedLeads = new Set<string>();
  let verifyLeft = -1;

  const missingTitles = async () => {
    const out: string[] = [];
    for (const d of evidence) if (!held.has(d)) out.push((await documents.get(d))?.title ?? '');
    return out.filter(Boolean);
  };

  const reformulate = (): string => {
    const kept = keywords.filter(() => rng.chance(profile.keywordKeep));
    while (kept.length < Math.min(2, keywords.length)) {
      const k = rng.pick(keywords);
      if (!kept.includes(k)) kept.push(k);
    }
    const parts = keywords.filter((k) => kept.includes(k));
    if (acceptedTitles.length > 0 && rng.chance(0.3)) parts.unshift(rng.pick(acceptedTitles));
    return parts.join(' ');
  };

  const nextQuery = (): string => {
    if (issued.size === 0) return question.text;
    for (let attempt = 0; attempt < 6; attempt++) {
      let q: string;
      const lead = leads.find((l) => !usedLeads.has(l));
      if (lead !== undefined && rng.chance(0.7)) {
        usedLeads.add(lead);
        const extra = rng.shuffle(keywords).slice(0, 1 + rng.int(3));
        q = [lead, ...extra].join(' ');
      } else {
        q = reformulate();
      }
      if (!issued.has(q)) return q;
    }
    // Every form was tried: widen with a word from what it read, as an agent grasping for new angles.
    const pool = readEntities.length > 0 ? readEntities : keywords;
    return `${reformulate()} ${pool.length ? rng.pick(pool) : issued.size}`;
  };

  const chooseBrowses = (hits: ToolSearchHit[]): ToolSearchHit[] => {
    const picks = hits.filter((h) => {
      if (browsed.has(h.docid)) return false;
      const overlap = overlapShare(h.snippet, keywordSet);
      if (evidence.has(h.docid)) return rng.chance(profile.recognition * (0.6 + 0.4 * overlap));
      return rng.chance(profile.curiosity * (0.3 + 0.7 * overlap));
    });
    // Whichever catches its eye first: no position preference (fig. 4c).
    return rng.shuffle(picks).slice(0, profile.browsesPerSearch);
  };

  const writeUseful = (doc: ToolDocument, usefulness: number, lead: string | undefined, done: boolean): string => {
    const ranked = sentences(doc.text)
      .map((s, i) => ({ s, i, o: overlapShare(s, keywordSet) + rng.next() * 0.05 }))
      .sort((a, b) => b.o - a.o);
    const n = Math.max(1, Math.round(profile.verbosity * (1 + 3 * usefulness) + rng.normal() * 0.5));
    const chosen = ranked.slice(0, n).sort((a, b) => a.i - b.i).map((x) => x.s);
    const head = `The document "${doc.title || doc.docid}" is useful for this question. It says: ${chosen.join(' ')}`;
    const tail = done
      ? ' Together with what I found before, this is the evidence I need to answer.'
      : lead
        ? ` This answers part of the question; next I should find out more about ${lead}.`
        : ' This answers part of the question; I still need the remaining facts.';
    return head + tail;
  };

  const writePartial = (doc: ToolDocument): string => {
    const best = sentences(doc.text).sort((a, b) => overlapShare(b, keywordSet) - overlapShare(a, keywordSet))[0] ?? '';
    return `The document "${doc.title || doc.docid}" may be partly useful: ${best} I will keep it in mind while I keep searching.`;
  };

  const writeRejection = (doc: ToolDocument): string => {
    const missing = keywords.filter((k) => !contentWords(doc.text).includes(k));
    const what = missing.length > 0 ? missing.slice(0, 2 + rng.int(2)).join(' and ') : 'what the question asks';
    const base = rng.pick(REJECTIONS)(doc.title || doc.docid, what);
    return profile.verbosity >= 1.2 && rng.chance(0.5) ? `${base} I will reformulate the search.` : base;
  };

  const pickLead = async (doc: ToolDocument): Promise<string | undefined> => {
    const own = (doc.title || '').toLowerCase();
    const candidates = extractEntities(doc.text).filter((e) => e.toLowerCase() !== own && !questionLower.includes(e.toLowerCase()));
    readEntities.push(...candidates.slice(0, 8));
    const targets = await missingTitles();
    if (targets.length > 0 && rng.chance(profile.leadSkill)) {
      // The LLM's understanding of which name matters, modelled as overlap with the missing evidence's title.
      const pool = [...candidates, ...extractEntities(question.text)];
      let best: string | undefined;
      let bestScore = 0;
      for (const e of pool) {
        const words = new Set(contentWords(e));
        for (const t of targets) {
          const tw = contentWords(t);
          const score = tw.filter((w) => words.has(w)).length / Math.max(1, tw.length);
          if (score > bestScore) {
            bestScore = score;
            best = e;
          }
        }
      }
      if (best) return best;
    }
    return candidates.length > 0 ? rng.pick(candidates.slice(0, 8)) : undefined;
  };

  while (rec.searchCalls < profile.maxSearches && rec.browseCalls < profile.maxBrowses) {
    options.signal?.throwIfAborted();
    const query = nextQuery();
    issued.add(query);
    const hits = await rec.search(query);
    for (const hit of chooseBrowses(hits)) {
      if (rec.browseCalls >= profile.maxBrowses) break;
      browsed.add(hit.docid);
      const doc = await rec.getDocument(hit.docid);
      if (!doc) {
        rec.reason(`The document ${hit.docid} could not be opened; it is not relevant to my search any more.`);
        continue;
      }
      const isGold = evidence.has(hit.docid);
      const misjudged = rng.chance(profile.misjudge);
      if (isGold && !misjudged) {
        held.add(hit.docid);
        acceptedTitles.push(doc.title);
        const done = [...evidence].every((d) => held.has(d));
        const lead = done ? undefined : await pickLead(doc);
        if (lead) leads.unshift(lead);
        rec.reason(writeUseful(doc, overlapShare(doc.text, keywordSet) * 0.5 + 0.5, lead, done));
      } else if (!isGold && misjudged) {
        acceptedTitles.push(doc.title);
        readEntities.push(...extractEntities(doc.text).slice(0, 4));
        rec.reason(writePartial(doc));
      } else {
        rec.reason(writeRejection(doc));
      }
    }
    const complete = evidence.size > 0 && [...evidence].every((d) => held.has(d));
    if (complete) {
      if (verifyLeft < 0) verifyLeft = rng.int(profile.verifySearches + 1);
      if (verifyLeft === 0) break;
      verifyLeft--;
    }
  }

  const complete = evidence.size > 0 && [...evidence].every((d) => held.has(d));
  let answer: string;
  if (complete) {
    rec.reason('I have found all the evidence I need; the answer follows from the documents above.');
    answer = question.answer ?? acceptedTitles.join('; ');
  } else {
    // Without all the evidence an LLM still answers: a guess from what it read (or a coin flip on a
    // yes/no question). It is right only when the guess happens to match.
    if (YES_NO.test(question.text.trim())) answer = rng.chance(0.5) ? 'yes' : 'no';
    else {
      const pool = readEntities.length > 0 ? readEntities : extractEntities(question.text);
      answer = pool.length > 0 ? rng.pick(pool) : 'I could not find the answer.';
    }
    rec.reason(`I could not gather all the evidence within my budget; my best guess is ${answer}.`);
  }
  rec.answer(answer);
  return rec.trajectory({
    id: `${name}:${question.id}`,
    questionId: question.id,
    question: question.text,
    answer: question.answer ?? null,
    agent: { name, backend: 'simulated', profile: profile.name, simulated: true },
    metadata: { seed: options.seed, evidenceHeld: held.size, evidenceTotal: evidence.size },
  });
}

