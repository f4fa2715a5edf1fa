import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { backoffDelay, ChatClient, ChatRequestError, parseRetryAfter, type ChatClientOptions, type ChatRetryInfo } from './chat-client';

// The retry policy is tested with an injected fetch, sleep and jitter source: every wait is recorded
// instead of slept, so the assertions are about the exact schedule, never about elapsed time.

type Step = { status?: number; body?: string | object; headers?: Record<string, string> } | 'network' | 'hang';

const completion = (content: string | null) => ({ choices: [{ message: { role: 'assistant', content }, finish_reason: 'stop' }] });

interface Harness {
  client: ChatClient;
  requests: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[];
  sleeps: number[];
  retries: ChatRetryInfo[];
}

function scripted(steps: Step[], options: Partial<ChatClientOptions> = {}): Harness {
  const h: Omit<Harness, 'client'> = { requests: [], sleeps: [], retries: [] };
  const fetchImpl = (async (url: string, init: RequestInit) => {
    h.requests.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(String(init.body)) });
    const step = steps.shift() ?? { body: completion('done') };
    if (step === 'network') throw new TypeError('fetch failed: ECONNREFUSED');
    if (step === 'hang')
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const body = typeof step.body === 'string' ? step.body : JSON.stringify(step.body ?? completion('ok'));
    return new Response(body, { status: step.status ?? 200, headers: step.headers });
  }) as unknown as typeof fetch;
  const client = new ChatClient({
    baseUrl: 'http://127.0.0.1:9/v1/',
    model: 'm',
    apiKey: '',
    backoffBaseMs: 100,
    backoffMaxMs: 1000,
    random: () => 0.5,
    sleep: async (ms) => void h.sleeps.push(ms),
    onRetry: (info) => h.retries.push(info),
    fetchImpl,
    ...options,
  });
  return { client, ...h };
}

const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };

describe('ChatClient retries', () => {
  it('retries network errors, 408, 409, 429, 5xx and malformed replies with exponential backoff and jitter', async () => {
    const h = scripted(
      ['network', { status: 408 }, { status: 409 }, { status: 429 }, { status: 500 }, { status: 503 }, { body: '<html>' }, { body: { error: 'busy' } }, { body: completion('yes') }],
      { maxAttempts: 9 },
    );
    const res = await h.client.complete(ask);
    expect(res.choices[0].message.content).toBe('yes');
    expect(h.requests).toHaveLength(9);
    expect(h.requests[0].url).toBe('http://127.0.0.1:9/v1/chat/completions');
    // random 0.5: 3/4 of min(1000, 100·2^(n-1)).
    expect(h.sleeps).toEqual([75, 150, 300, 600, 750, 750, 750, 750]);
    expect(h.retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.retries.map((r) => r.reason.replace(/^.*?chat\/completions: /, '').split(':')[0])).toEqual([
      'network error',
      'HTTP 408',
      'HTTP 409',
      'HTTP 429',
      'HTTP 500',
      'HTTP 503',
      'response is not JSON',
      'response has no choices[0].message',
    ]);
  });

  it('waits at least what Retry-After asks (seconds or a date), capped by backoffMaxMs', async () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    const h = scripted(
      [
        { status: 429, headers: { 'retry-after': '3' } },
        { status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:07 GMT' } },
        { status: 429, headers: { 'retry-after': '0' } },
        { status: 429, headers: { 'retry-after': '3600' } },
      ],
      { backoffMaxMs: 60000, now: () => now },
    );
    await h.client.complete(ask);
    expect(h.sleeps).toEqual([3000, 7000, 300, 60000]);
  });

  it('fails at once on other client errors, with the status', async () => {
    for (const status of [400, 401, 404, 422]) {
      const h = scripted([{ status, body: { error: 'bad model' } }]);
      const err = (await h.client.complete(ask).catch((e: Error) => e)) as ChatRequestError;
      expect(err).toBeInstanceOf(ChatRequestError);
      expect(err).toMatchObject({ status, retryable: false, attempts: 1 });
      expect(err.message).toMatch(new RegExp(`HTTP ${status}: .*bad model`));
      expect(h.requests).toHaveLength(1);
      expect(h.sleeps).toEqual([]);
    }
  });

  it('gives up after maxAttempts with the last error, marked retryable', async () => {
    const h = scripted([{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }], { maxAttempts: 3 });
    const err = (await h.client.complete(ask).catch((e: Error) => e)) as ChatRequestError;
    expect(err).toMatchObject({ status: 502, retryable: true, attempts: 3 });
    expect(h.requests).toHaveLength(3);
    expect(h.sleeps).toHaveLength(2);
  });

  it('times a hanging request out and retries it', async () => {
    const h = scripted(['hang', { body: completion('late but fine') }], { timeoutMs: 20 });
    expect(await h.client.completeText(ask)).toBe('late but fine');
    expect(h.retries[0].reason).toMatch(/timeout after 20 ms/);
  });

  it('stops when the caller aborts, without another request', async () => {
    const ctl = new AbortController();
    const h = scripted([{ status: 500 }, { status: 500 }], { sleep: async () => ctl.abort(new Error('run cancelled')) });
    await expect(h.client.complete(ask, ctl.signal)).rejects.toThrow('run cancelled');
    expect(h.requests).toHaveLength(1);
  });

  it('completeText retries a reply whose message has no text; complete accepts it (tool calls)', async () => {
    const h = scripted([{ body: completion(null) }, { body: completion('RELEVANT') }]);
    expect(await h.client.completeText(ask)).toBe('RELEVANT');
    expect(h.retries[0].reason).toMatch(/no choices\[0\]\.message\.content/);
    const g = scripted([{ body: completion(null) }]);
    expect((await g.client.complete(ask)).choices[0].message.content).toBeNull();
    expect(g.requests).toHaveLength(1);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const fetchImpl = (async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return new Response(JSON.stringify(completion('x')));
    }) as unknown as typeof fetch;
    const client = new ChatClient({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', concurrency: 2, fetchImpl });
    await Promise.all(Array.from({ length: 7 }, () => client.complete(ask)));
    expect(most).toBe(2);
  });

  it('sends the request with the model and passes extra fields through', async () => {
    const h = scripted([]);
    await h.client.complete({ ...ask, temperature: 0.8, top_k: 50 });
    expect(h.requests[0].body).toEqual({ model: 'm', messages: ask.messages, temperature: 0.8, top_k: 50 });
  });
});

describe('backoff arithmetic', () => {
  it('equal jitter within [cap/2, cap], never under Retry-After, never over the maximum', () => {
    const o = { baseMs: 500, maxMs: 30000 };
    expect(backoffDelay(1, 0, o)).toBe(250);
    expect(backoffDelay(1, 1, o)).toBe(500);
    expect(backoffDelay(4, 0.5, o)).toBe(3000);
    expect(backoffDelay(20, 1, o)).toBe(30000);
    expect(backoffDelay(1, 0, { ...o, retryAfterMs: 2000 })).toBe(2000);
    expect(backoffDelay(1, 0, { ...o, retryAfterMs: 1e9 })).toBe(30000);
  });

  it('reads Retry-After as delta-seconds or an HTTP date', () => {
    const now = Date.parse('2015-10-21T07:28:00Z');
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('ChatClient and the API key', () => {
  const ENV = 'LRAT_CHAT_CLIENT_TEST_KEY';
  afterEach(() => {
    delete process.env[ENV];
  });

  it('reads the key from the named environment variable and sends it as a bearer token', async () => {
    process.env[ENV] = 'sk-env-9Hq2LongEnoughSecret';
    const h = scripted([], { apiKey: undefined, apiKeyEnv: ENV });
    await h.client.complete(ask);
    expect(h.requests[0].headers.authorization).toBe('Bearer sk-env-9Hq2LongEnoughSecret');
    const none = scripted([], { apiKey: undefined, apiKeyEnv: `${ENV}_UNSET` });
    await none.client.complete(ask);
    expect(none.requests[0].headers.authorization).toBeUndefined();
  });

  it('never echoes the key in errors or retry notices, whatever the service quotes back', async () => {
    const key = 'my-gateway-key-without-a-known-prefix';
    const echo = { status: 503, body: { error: 'unavailable', got: `Bearer ${key}`, raw: key } };
    const h = scripted([echo, { body: `<html>echo: ${key}</html>` }, { status: 400, body: { error: 'bad', auth: `Bearer ${key}` } }], { apiKey: key });
    const err = (await h.client.complete(ask).catch((e: Error) => e)) as ChatRequestError;
    expect(err.status).toBe(400);
    const said = [err.message, ...h.retries.map((r) => r.reason)].join('\n');
    expect(said).toContain('[REDACTED]');
    expect(said).not.toContain(key);
    expect(said).not.toContain('without-a-known');
  });
});

// The same guarantees over real HTTP on 127.0.0.1, with a service that puts the Authorization header in its replies.
describe('ChatClient over HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let reply: (authorization: string | undefined) => { status: number; body: string };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const r = reply(req.headers.authorization);
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a 401 that quotes the Authorization header names the status, not the key', async () => {
    const key = 'sk-proj-4f9QxSecretKeyThatMustNotLeak000';
    reply = (auth) => ({ status: 401, body: JSON.stringify({ error: 'invalid key', received: auth }) });
    const err = (await new ChatClient({ baseUrl, model: 'm', apiKey: key, maxAttempts: 1 }).complete(ask).catch((e: Error) => e)) as ChatRequestError;
    expect(err).toBeInstanceOf(ChatRequestError);
    expect(err.message).toMatch(/HTTP 401/);
    expect(err.message).toContain('[REDACTED]');
    expect(err.message).not.toContain('4f9Qx');
  });

  it('a 200 reply that is not JSON is redacted too', async () => {
    const key = 'my-gateway-key-without-a-known-prefix';
    reply = (auth) => ({ status: 200, body: `<html>echo: ${auth}</html>` });
    const err = (await new ChatClient({ baseUrl, model: 'm', apiKey: key, maxAttempts: 1 }).complete(ask).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/not JSON/);
    expect(err.message).not.toContain(key);
  });
});
