import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { startScriptedServer, assistantReply, ScriptedServer } from '@lrat/agents/testing';
import { createLlmAnswerJudge, parseJudgeVerdict } from './llm-answer-judge';

// This file's temporary folder, removed when it ends.
const tmpRoot = mkdtempSync(path.join(tmpdir(), 'judge-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('LLM answer judge', () => {
  it('asks the endpoint, caches verdicts on disk and reuses them', async () => {
    server = await startScriptedServer((req) => {
      const prompt = String(req.body.messages[0].content);
      return { body: assistantReply({ content: prompt.includes('[response]: 1922') ? 'extracted_final_answer: 1922\ncorrect: yes' : 'reasoning: differs\n**correct:** no' }) };
    });
    const cacheFile = path.join(tmpRoot, 'cache.json');
    const judge = createLlmAnswerJudge({ client: { baseUrl: server.baseUrl, model: 'judge-1' }, cacheFile });
    const a = await judge.judge({ question: 'When?', prediction: '1922', gold: 'October 1922' });
    expect(a).toMatchObject({ correct: true, exactMatch: false, method: 'llm:judge-1' });
    expect(a.f1).toBeCloseTo(2 / 3);
    expect((await judge.judge({ question: 'When?', prediction: '1950', gold: 'October 1922' })).correct).toBe(false);
    expect(server.requests).toHaveLength(2);
    const again = createLlmAnswerJudge({ client: { baseUrl: server.baseUrl, model: 'judge-1' }, cacheFile });
    expect((await again.judge({ question: 'When?', prediction: '1922', gold: 'October 1922' })).correct).toBe(true);
    expect(again.stats).toEqual({ calls: 0, cacheHits: 1 });
    expect(server.requests).toHaveLength(2);
    expect(Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8')))).toHaveLength(2);
  });

  it('retries unreadable verdicts and then fails loudly instead of counting the answer wrong', async () => {
    server = await startScriptedServer((_req, i) => ({ body: assistantReply({ content: i < 1 ? 'hmm' : 'nothing useful' }) }));
    const judge = createLlmAnswerJudge({ client: { baseUrl: server.baseUrl, model: 'j' }, attempts: 2 });
    await expect(judge.judge({ question: 'q', prediction: 'a', gold: 'b' })).rejects.toThrow(/no "correct: yes\|no" verdict after 2 attempts/);
    expect(server.requests).toHaveLength(2);
  });

  it('parses verdict lines', () => {
    expect(parseJudgeVerdict('correct: yes')).toBe(true);
    expect(parseJudgeVerdict('Correct: No.')).toBe(false);
    expect(parseJudgeVerdict('**correct**: yes')).toBe(true);
    expect(parseJudgeVerdict('I think it is right')).toBeUndefined();
  });
});
