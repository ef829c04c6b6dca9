/**
 * A ChatModel over any OpenAI-compatible chat-completions endpoint, through the official `openai` client.
 *
 * Retries are ours, not the client's (its maxRetries is set to 0): the harness must count retries per sample for the
 * transcript, honour Retry-After, and let tests run the back-off in milliseconds. Transient errors are HTTP 408, 409,
 * 429 and 5xx, connection errors and timeouts; anything else (400, 401, 403, 404) fails at once. A server's
 * `x-should-retry` header overrides the status: `false` (our gateway's answer when a grant's budget is used up, a 429
 * that waiting will not cure) stops at once, `true` retries.
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type {
  AssistantMessage,
  ChatMessage,
  ChatModel,
  GenerateRequest,
  GenerateResult,
  Tool,
  ToolCall,
} from './types.js';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface OpenAIModelOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  /** Per-request timeout; a model that hangs longer counts as a transient error. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  temperature?: number;
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Is this error worth retrying? */
export function isTransient(e: unknown): boolean {
  if (e instanceof OpenAI.APIConnectionTimeoutError || e instanceof OpenAI.APIConnectionError) return true;
  if (e instanceof OpenAI.APIUserAbortError) return false;
  if (e instanceof OpenAI.APIError) {
    const hint = e.headers?.get('x-should-retry')?.trim().toLowerCase();
    if (hint === 'false') return false;
    if (hint === 'true') return true;
    const s = e.status ?? 0;
    return s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return false;
}

/** The delay before retry `attempt` (0-based): Retry-After(-ms) when the server sent it, else capped doubling. */
export function retryDelay(e: unknown, attempt: number, p: RetryPolicy): number {
  if (e instanceof OpenAI.APIError && e.headers) {
    const ms = Number(e.headers.get('retry-after-ms'));
    if (Number.isFinite(ms) && ms >= 0 && e.headers.get('retry-after-ms') !== null) return Math.min(ms, p.maxDelayMs);
    const s = Number(e.headers.get('retry-after'));
    if (Number.isFinite(s) && s >= 0 && e.headers.get('retry-after') !== null) return Math.min(s * 1000, p.maxDelayMs);
  }
  return Math.min(p.baseDelayMs * 2 ** attempt, p.maxDelayMs);
}

function toOpenAIMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
      case 'user':
        return { role: m.role, content: m.content };
      case 'assistant':
        return m.tool_calls?.length
          ? {
              role: 'assistant',
              content: m.content || null,
              tool_calls: m.tool_calls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.function, arguments: JSON.stringify(c.arguments) },
              })),
            }
          : { role: 'assistant', content: m.content };
      default:
        return { role: 'tool', content: m.content, tool_call_id: m.tool_call_id };
    }
  });
}

function toOpenAITools(tools: Tool[]): ChatCompletionTool[] {
  return tools.map((t) => ({
    type: 'function' as const,
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

function parseArguments(raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { _unparsed: raw };
  }
}

export function openAIChatModel(opts: OpenAIModelOptions): ChatModel {
  const client = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey,
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 120_000,
  });
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const sleep = opts.sleep ?? defaultSleep;

  async function once(req: GenerateRequest) {
    return client.chat.completions.create(
      {
        model: opts.model,
        messages: toOpenAIMessages(req.messages),
        ...(req.tools?.length ? { tools: toOpenAITools(req.tools) } : {}),
        ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}),
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
      },
      { signal: req.signal },
    );
  }

  return {
    name: opts.model,
    baseURL: opts.baseURL,
    async generate(req: GenerateRequest): Promise<GenerateResult> {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await once(req);
          const choice = res.choices[0];
          const calls: ToolCall[] = (choice?.message.tool_calls ?? []).flatMap((c) =>
            c.type === 'function'
              ? [
                  {
                    id: c.id,
                    type: 'function' as const,
                    function: c.function.name,
                    arguments: parseArguments(c.function.arguments),
                  },
                ]
              : [],
          );
          const message: AssistantMessage = {
            role: 'assistant',
            content: choice?.message.content ?? '',
            model: res.model,
            ...(calls.length ? { tool_calls: calls } : {}),
          };
          const u = res.usage;
          return {
            message,
            model: res.model,
            stopReason: choice?.finish_reason ?? 'unknown',
            usage: {
              input_tokens: u?.prompt_tokens ?? 0,
              output_tokens: u?.completion_tokens ?? 0,
              total_tokens: u?.total_tokens ?? (u?.prompt_tokens ?? 0) + (u?.completion_tokens ?? 0),
            },
            retries: attempt,
          };
        } catch (e) {
          if (req.signal?.aborted || !isTransient(e) || attempt >= policy.maxRetries) throw e;
          await sleep(retryDelay(e, attempt, policy), req.signal);
        }
      }
    },
  };
}
