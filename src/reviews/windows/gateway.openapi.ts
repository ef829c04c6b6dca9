/**
 * The gateway's routes in the served OpenAPI document. They are not RouteRegistry routes (own key authentication,
 * OpenAI's error shape, outside /api/v1), so they are documented here as OpenAPI 3.1 path items with their own
 * bearer-key security scheme, and handed to `registry.document`. test/reviews/gateway-openapi.db.test.ts checks real
 * gateway answers against these schemas.
 */
import { GATEWAY_ERROR_CODES, GATEWAY_ERROR_TYPES } from './gateway.js';

export const GATEWAY_SECURITY_SCHEME = 'gatewayKey';

const security = [{ [GATEWAY_SECURITY_SCHEME]: [] }];
const tags = ['review gateway'];

const message = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
    content: {
      description: 'Text, or an array of content parts as OpenAI defines them.',
      anyOf: [{ type: 'string' }, { type: 'array' }, { type: 'null' }],
    },
    tool_calls: { type: 'array', items: { type: 'object' } },
    tool_call_id: { type: 'string' },
    name: { type: 'string' },
  },
  additionalProperties: true,
};

const chatRequest = {
  type: 'object',
  required: ['model', 'messages'],
  description:
    "OpenAI's chat-completion request. The gateway forwards every other parameter as sent, with the variant's " +
    'upstream model id in place of `model`.',
  properties: {
    model: {
      type: 'string',
      minLength: 1,
      description: 'A variant of the key’s grant (production, reduced-safeguards, reasoning-visible).',
    },
    messages: { type: 'array', minItems: 1, items: message },
    stream: { type: 'boolean', description: 'Streaming is not supported: omit it or send false.' },
    tools: { type: 'array', items: { type: 'object' } },
    max_tokens: { type: 'integer' },
    temperature: { type: 'number' },
  },
  additionalProperties: true,
};

const usage = {
  type: 'object',
  properties: {
    prompt_tokens: { type: 'integer' },
    completion_tokens: { type: 'integer' },
    total_tokens: { type: 'integer' },
  },
  additionalProperties: true,
};

const chatResponse = {
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices'],
  description: "The model endpoint's answer as it sent it, with `model` replaced by the variant name.",
  properties: {
    id: { type: 'string' },
    object: { type: 'string', const: 'chat.completion' },
    created: { type: 'integer' },
    model: { type: 'string', description: 'The variant name; the upstream model id is not revealed.' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'message'],
        properties: {
          index: { type: 'integer' },
          message,
          finish_reason: {
            anyOf: [
              { type: 'string', enum: ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'] },
              { type: 'null' },
            ],
          },
        },
        additionalProperties: true,
      },
    },
    usage,
  },
  additionalProperties: true,
};

const modelList = {
  type: 'object',
  required: ['object', 'data'],
  properties: {
    object: { type: 'string', const: 'list' },
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'object', 'created', 'owned_by'],
        properties: {
          id: { type: 'string', description: 'A variant of the key’s grant.' },
          object: { type: 'string', const: 'model' },
          created: { type: 'integer' },
          owned_by: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

const errorBody = {
  type: 'object',
  required: ['error'],
  description: "OpenAI's error shape (not problem+json). The upstream's own message is never passed on.",
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'param', 'code'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string', enum: [...GATEWAY_ERROR_TYPES] },
        param: { type: 'null' },
        code: { type: 'string', enum: [...GATEWAY_ERROR_CODES] },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

const json = (schema: unknown) => ({ 'application/json': { schema } });
const err = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(errorBody),
});

const keyErrors = {
  401: err('invalid_api_key: the key is missing, unknown or revoked'),
  403: err(
    'window_not_open, grant_inactive, variant_not_allowed, or access_ended (the window or grant ended during the call)',
  ),
};

export const GATEWAY_PATHS: Record<string, Record<string, unknown>> = {
  '/gateway/v1/chat/completions': {
    post: {
      summary: 'Chat completion with a review window’s model, through the gateway (OpenAI-compatible)',
      description:
        'Checked in order: key, window open, grant active and valid, body, variant, rate per minute, budget. ' +
        'Forwarded to the developer’s endpoint with its secret; only metadata is logged.',
      tags,
      operationId: 'postGatewayV1ChatCompletions',
      security,
      requestBody: { required: true, content: json(chatRequest) },
      responses: {
        200: { description: 'The completion', content: json(chatResponse) },
        400: err('invalid_request, streaming_unsupported'),
        ...keyErrors,
        404: err('model_not_found: no such variant in this window'),
        413: err('request_too_large'),
        429: err(
          'rate_limit_exceeded (retry after Retry-After), insufficient_quota (the grant’s budget is used up: do not retry), or the upstream’s 429',
          {
            'Retry-After': { description: 'Seconds to wait (rate limit)', schema: { type: 'integer' } },
            'x-should-retry': {
              description: '`false` when waiting will not help (budget used up)',
              schema: { type: 'string', enum: ['false'] },
            },
          },
        ),
        502: err('upstream_error, upstream_unreachable'),
        504: err('upstream_timeout'),
        default: err('upstream_error (the upstream’s 5xx), internal'),
      },
    },
  },
  '/gateway/v1/models': {
    get: {
      summary: 'The variants the key’s grant may call (OpenAI-compatible model list)',
      tags,
      operationId: 'getGatewayV1Models',
      security,
      responses: {
        200: { description: 'The variants', content: json(modelList) },
        ...keyErrors,
        default: err('internal'),
      },
    },
  },
};

export const GATEWAY_SECURITY_SCHEMES: Record<string, unknown> = {
  [GATEWAY_SECURITY_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A review gateway key (chgw_…) of one grant, made with POST /api/v1/reviews/windows/{id}/grants/{grantId}/keys. ' +
      'Not an API token: it opens the gateway only.',
  },
};
