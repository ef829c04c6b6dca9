import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, startScriptedModel } from '../../../test/scripted-model/server.js';
import { DEFAULT_RETRY, isTransient, openAIChatModel, retryDelay } from './openai-model.js';
import { mapPool } from './runner.js';

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModel({
    bad: () => ({ status: 400, message: 'bad request' }),
    down: () => ({ status: 503, message: 'down' }),
    // A used-up budget, as our gateway answers it: 429 that waiting will not cure.
    quota: () => ({ status: 429, message: 'budget used up', headers: { 'x-should-retry': 'false' } }),
    busy: () => ({ status: 429, message: 'slow down', headers: { 'retry-after-ms': '5' } }),
    nudged: () => ({ status: 400, message: 'try again', headers: { 'x-should-retry': 'true' } }),
    tools: (req) => ({
      content: 'calling',
      toolCalls: [
        { name: 'lookup', arguments: { q: req.messages.length, tools: req.tools?.map((t) => t.function.name) } },
      ],
    }),
  });
});
afterAll(async () => server.close());

const model = (name: string, sleeps: number[] = []) =>
  openAIChatModel({
    baseURL: server.baseURL,
    apiKey: 'k',
    model: name,
    retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 1000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

describe('OpenAI-compatible model', () => {
  it('does not retry a client error', async () => {
    await expect(model('bad').generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/400/);
    expect(server.calls.get('bad')).toBe(1);
  });

  it('retries a server error with doubling back-off, then gives up', async () => {
    const sleeps: number[] = [];
    await expect(model('down', sleeps).generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/503/);
    expect(server.calls.get('down')).toBe(4);
    expect(sleeps).toEqual([10, 20, 40]);
  });

  it('does not retry a 429 that says x-should-retry: false (a used-up budget), but retries a plain 429', async () => {
    const sleeps: number[] = [];
    await expect(model('quota', sleeps).generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(
      /429/,
    );
    expect(server.calls.get('quota')).toBe(1);
    expect(sleeps).toEqual([]);
    await expect(model('busy', sleeps).generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/429/);
    expect(server.calls.get('busy')).toBe(4);
    expect(sleeps).toEqual([5, 5, 5]);
  });

  it('retries what the server marks x-should-retry: true, even a status it would not retry', async () => {
    await expect(model('nudged').generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/400/);
    expect(server.calls.get('nudged')).toBe(4);
  });

  it('round-trips tool definitions and tool calls', async () => {
    const res = await model('tools').generate({
      messages: [{ role: 'user', content: 'x' }],
      tools: [
        { name: 'lookup', description: 'd', parameters: { type: 'object', properties: {} }, run: async () => '' },
      ],
    });
    expect(res.message.tool_calls).toEqual([
      { id: expect.any(String), type: 'function', function: 'lookup', arguments: { q: 1, tools: ['lookup'] } },
    ]);
    expect(res.stopReason).toBe('tool_calls');
    expect(res.usage.total_tokens).toBe(res.usage.input_tokens + res.usage.output_tokens);
  });

  it('classifies errors and honours Retry-After', () => {
    const err = (status: number, headers: Record<string, string> = {}) =>
      OpenAI.APIError.generate(status, { message: 'x' }, 'x', new Headers(headers));
    expect([408, 409, 429, 500, 502].map((s) => isTransient(err(s)))).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 422].map((s) => isTransient(err(s)))).toEqual([false, false, false, false, false]);
    expect(isTransient(new Error('plain'))).toBe(false);
    expect(isTransient(err(429, { 'x-should-retry': 'false' }))).toBe(false);
    expect(isTransient(err(503, { 'x-should-retry': 'false' }))).toBe(false);
    expect(isTransient(err(400, { 'x-should-retry': 'true' }))).toBe(true);
    expect(retryDelay(err(429, { 'retry-after': '2' }), 0, DEFAULT_RETRY)).toBe(2000);
    expect(retryDelay(err(429, { 'retry-after-ms': '15' }), 3, DEFAULT_RETRY)).toBe(15);
    expect(retryDelay(err(500), 2, DEFAULT_RETRY)).toBe(2000);
    expect(retryDelay(err(500), 20, DEFAULT_RETRY)).toBe(DEFAULT_RETRY.maxDelayMs);
  });
});

describe('mapPool', () => {
  it('stops starting work after the first error and waits for what is in flight', async () => {
    const finished: number[] = [];
    const run = mapPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
      await new Promise((r) => setTimeout(r, n === 2 ? 5 : 20));
      if (n === 2) throw new Error('two');
      finished.push(n);
    });
    await expect(run).rejects.toThrow('two');
    expect(finished).toEqual([1]); // 1 was in flight and finishes; nothing starts after 2 fails
  });
});
