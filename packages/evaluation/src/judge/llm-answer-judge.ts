import { createHash } from 'crypto';
import { ChatClient, writeFileAtomic, type ChatClientOptions } from '@lrat/core';
import { promises as fs } from 'fs';
import { AnswerJudge, AnswerVerdict, exactMatch, tokenF1 } from './answer-match';

// The evaluation's LLM judge (as in the official scripts_evaluation/evaluate.py, BrowseComp style):
// the model compares the response with the correct answer and ends with "correct: yes|no". Verdicts
// are cached on disk by (model, question, response, gold); an unreadable verdict is retried, and a
// judge that keeps failing raises an error instead of silently counting the answer as wrong.

export function answerJudgePrompt(question: string, response: string, correct: string): string {
  return [
    'Decide whether the [response] to the [question] is correct, judged only against the [correct_answer].',
    '',
    `[question]: ${question}`,
    '',
    `[response]: ${response}`,
    '',
    `[correct_answer]: ${correct}`,
    '',
    'Reply in this format:',
    'extracted_final_answer: the final exact answer taken from the [response] ("None" if there is none).',
    'reasoning: why the extracted answer is or is not semantically equivalent to [correct_answer]. Allow string',
    'variations and answers more precise than [correct_answer] when the extra details are correct; for numbers,',
    'allow a small margin of error. Do not solve the question yourself.',
    'correct: "yes" if the extracted answer matches [correct_answer], otherwise "no".',
  ].join('\n');
}

/** "correct: yes|no" (markdown emphasis tolerated); undefined when the reply has no verdict. */
export function parseJudgeVerdict(text: string): boolean | undefined {
  const m = text.match(/correct\W{0,4}\s*[:：]\s*\W{0,4}\s*(yes|no)\b/i);
  return m ? m[1].toLowerCase() === 'yes' : undefined;
}

export interface LlmAnswerJudgeOptions {
  client: ChatClient | ChatClientOptions;
  /** JSON file of cached verdicts (created if missing, rewritten atomically on change). */
  cacheFile?: string;
  /** Attempts to get a readable verdict (default 3; HTTP retries happen inside each attempt). */
  attempts?: number;
}

export interface LlmAnswerJudge extends AnswerJudge {
  readonly stats: { calls: number; cacheHits: number };
}

export function createLlmAnswerJudge(options: LlmAnswerJudgeOptions): LlmAnswerJudge {
  const client = options.client instanceof ChatClient ? options.client : new ChatClient(options.client);
  const attempts = options.attempts ?? 3;
  const stats = { calls: 0, cacheHits: 0 };
  let cache: Promise<Map<string, boolean>> | undefined;
  let writing = Promise.resolve();

  const loadCache = () =>
    (cache ??= (async () => {
      if (!options.cacheFile) return new Map<string, boolean>();
      try {
        const raw = JSON.parse(await fs.readFile(options.cacheFile, 'utf8')) as Record<string, boolean>;
        return new Map(Object.entries(raw));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map<string, boolean>();
        throw new Error(`${options.cacheFile}: unreadable judge cache: ${(e as Error).message}`);
      }
    })());

  const save = (map: Map<string, boolean>) => {
    const file = options.cacheFile;
    if (!file) return Promise.resolve();
    writing = writing.then(async () => {
      await writeFileAtomic(file, JSON.stringify(Object.fromEntries(map)));
    });
    return writing;
  };

  const id = `llm:${client.model}`;
  return {
    id,
    stats,
    async judge({ question, prediction, gold }): Promise<AnswerVerdict> {
      const pred = prediction ?? '';
      const em = pred !== '' && exactMatch(pred, gold);
      const f1 = pred === '' ? 0 : tokenF1(pred, gold);
      if (pred.trim() === '') return { correct: false, exactMatch: false, f1: 0, method: id };
      const map = await loadCache();
      const key = createHash('sha256').update([client.model, question, pred, gold].join('\u0000')).digest('hex');
      const hit = map.get(key);
      if (hit !== undefined) {
        stats.cacheHits++;
        return { correct: hit, exactMatch: em, f1, method: id };
      }
      let lastReply = '';
      for (let attempt = 0; attempt < attempts; attempt++) {
        stats.calls++;
        const res = await client.complete({ messages: [{ role: 'user', content: answerJudgePrompt(question, pred, gold) }], temperature: 0 });
        lastReply = res.choices[0].message.content ?? '';
        const verdict = parseJudgeVerdict(lastReply);
        if (verdict !== undefined) {
          map.set(key, verdict);
          await save(map);
          return { correct: verdict, exactMatch: em, f1, method: id };
        }
      }
      throw new Error(`answer judge ${client.model}: no "correct: yes|no" verdict after ${attempts} attempts (last reply: ${lastReply.slice(0, 200)})`);
    },
  };
}
