import { ChatClient, ChatRequestError } from './openai-client';
import { startScriptedServer } from './testing/scripted-openai-server';

describe('ChatClient error messages', () => {
  it('never echo the API key, even when the service puts the Authorization header in its error body', async () => {
    const key = 'sk-proj-4f9QxSecretKeyThatMustNotLeak000';
    const server = await startScriptedServer((req) => ({ status: 401, body: { error: 'invalid key', received: req.authorization } }));
    try {
      const client = new ChatClient({ baseUrl: server.baseUrl, model: 'm', apiKey: key, maxRetries: 0 });
      const err = (await client.complete({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: Error) => e)) as ChatRequestError;
      expect(err).toBeInstanceOf(ChatRequestError);
      expect(err.message).toMatch(/HTTP 401/);
      expect(err.message).toContain('[REDACTED]');
      expect(err.message).not.toContain('4f9Qx');
    } finally {
      await server.close();
    }
  });

  it('redact a 200 reply that is not JSON too', async () => {
    const key = 'my-gateway-key-without-a-known-prefix';
    const server = await startScriptedServer(() => ({ status: 200, body: `<html>echo: Bearer ${key}</html>` }));
    try {
      const client = new ChatClient({ baseUrl: server.baseUrl, model: 'm', apiKey: key, maxRetries: 0 });
      const err = (await client.complete({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: Error) => e)) as Error;
      expect(err.message).toMatch(/not JSON/);
      expect(err.message).not.toContain(key);
    } finally {
      await server.close();
    }
  });
});
