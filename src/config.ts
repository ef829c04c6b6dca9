/**
 * The only reader of process.env. Validated at start; a bad value fails fast with a message naming the variable.
 * Every variable is documented in README.md ("Configuration").
 */
import { z } from 'zod';

const schema = z.object({
  CLEARINGHOUSE_DATABASE_URL: z
    .string()
    .default('sqlite:./data/clearinghouse.db')
    .refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') || v.startsWith('postgresql://'), {
      message: 'must start with sqlite: or postgres://',
    }),
  CLEARINGHOUSE_HOST: z.string().default('127.0.0.1'),
  CLEARINGHOUSE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CLEARINGHOUSE_BASE_URL: z.string().url().optional(),
  CLEARINGHOUSE_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  CLEARINGHOUSE_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  CLEARINGHOUSE_ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  CLEARINGHOUSE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  CLEARINGHOUSE_REPORT_QUOTA_PER_DAY: z.coerce.number().int().positive().default(10_000),
  /** The referral-signing Ed25519 key (PEM); default: signing-key.pem beside the SQLite file, else ./data/. */
  CLEARINGHOUSE_SIGNING_KEY_FILE: z.string().min(1).optional(),
  CLEARINGHOUSE_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  CLEARINGHOUSE_IMPORT_REMOTE_FETCH: z.enum(['true', 'false']).default('false'),
  /** AES-256-GCM key for secrets stored at rest (review endpoints): 32 bytes as base64 or 64 hex digits. */
  CLEARINGHOUSE_SECRETS_KEY: z
    .string()
    .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, {
      message: 'must be 32 bytes as base64 or 64 hex digits',
    })
    .optional(),
  /** Or a file holding that key; default: secrets.key beside the SQLite file, else ./data/ (created on first use). */
  CLEARINGHOUSE_SECRETS_KEY_FILE: z.string().min(1).optional(),
  /** The CSAF provider's OpenPGP signing key (armored private key); default: generated beside the secrets key file. */
  CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE: z.string().min(1).optional(),
  /** The passphrase of that key, when it is encrypted. */
  CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE: z.string().min(1).optional(),
  /** The judge model for model-graded scorers (an OpenAI-compatible endpoint). */
  CLEARINGHOUSE_JUDGE_BASE_URL: z.string().url().optional(),
  CLEARINGHOUSE_JUDGE_API_KEY: z.string().min(1).optional(),
  CLEARINGHOUSE_JUDGE_MODEL: z.string().min(1).optional(),
  /** Review windows: maximum length in days (the policy maximum of 30 can be lowered, never raised). */
  CLEARINGHOUSE_REVIEW_MAX_DAYS: z.coerce.number().int().min(1).max(30).default(30),
  CLEARINGHOUSE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CLEARINGHOUSE_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  CLEARINGHOUSE_WEBHOOK_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  CLEARINGHOUSE_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(10_000),
  CLEARINGHOUSE_WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().positive().default(21_600_000),
  CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(15),
  CLEARINGHOUSE_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

/** Webhook delivery settings (src/notify/, docs/notifications.md). */
export interface WebhookConfig {
  /** Allow webhook URLs that resolve to private, loopback or link-local addresses (off: SSRF protection). */
  allowPrivate: boolean;
  /** Encrypts webhook signing secrets at rest (else CLEARINGHOUSE_SECRETS_KEY is used; with neither, stored in clear). */
  secretKey: string | undefined;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  baseUrl: string;
  adminToken: string | undefined;
  bodyLimitBytes: number;
  attachmentMaxBytes: number;
  rateLimitPerMinute: number;
  reportQuotaPerDay: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** CLEARINGHOUSE_SIGNING_KEY_FILE when set (enforcement derives a default from the database location). */
  signingKeyFile?: string;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (anonymous rate limits are per address). */
  trustProxy: boolean;
  /** POST /api/v1/imports may fetch an http(s) URL given in the body (off by default: the server would make requests). */
  importRemoteFetch: boolean;
  /** CLEARINGHOUSE_SECRETS_KEY (base64 or hex) when set. */
  secretsKey?: string;
  /** CLEARINGHOUSE_SECRETS_KEY_FILE when set (reviews derive a default from the database location). */
  secretsKeyFile?: string;
  /** CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE and _PASSPHRASE when set (src/formats/csaf-provider/signing.ts). */
  csafOpenpgpKeyFile?: string;
  csafOpenpgpPassphrase?: string;
  /** The judge model for model-graded scorers, when configured. */
  judge?: { baseURL: string; apiKey: string; model: string };
  /** Review windows last at most this many days (1..30). */
  reviewMaxDays: number;
  webhooks: WebhookConfig;
}

export interface ConfigOverrides {
  database?: string;
  host?: string;
  port?: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0] ?? '')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE && !e.CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE)
    throw new ConfigError(
      'invalid configuration:\n  CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE: needs CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE',
    );
  const host = overrides.host ?? e.CLEARINGHOUSE_HOST;
  const port = overrides.port ?? e.CLEARINGHOUSE_PORT;
  return {
    databaseUrl: overrides.database ?? e.CLEARINGHOUSE_DATABASE_URL,
    host,
    port,
    baseUrl: (e.CLEARINGHOUSE_BASE_URL ?? `http://${host}:${port}`).replace(/\/$/, ''),
    adminToken: e.CLEARINGHOUSE_ADMIN_TOKEN,
    bodyLimitBytes: e.CLEARINGHOUSE_BODY_LIMIT_BYTES,
    attachmentMaxBytes: e.CLEARINGHOUSE_ATTACHMENT_MAX_BYTES,
    rateLimitPerMinute: e.CLEARINGHOUSE_RATE_LIMIT_PER_MINUTE,
    reportQuotaPerDay: e.CLEARINGHOUSE_REPORT_QUOTA_PER_DAY,
    logLevel: e.CLEARINGHOUSE_LOG_LEVEL,
    trustProxy: e.CLEARINGHOUSE_TRUST_PROXY === 'true',
    importRemoteFetch: e.CLEARINGHOUSE_IMPORT_REMOTE_FETCH === 'true',
    webhooks: {
      allowPrivate: e.CLEARINGHOUSE_WEBHOOK_ALLOW_PRIVATE === 'true',
      secretKey: e.CLEARINGHOUSE_WEBHOOK_SECRET_KEY,
      retryBaseMs: e.CLEARINGHOUSE_WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: e.CLEARINGHOUSE_WEBHOOK_RETRY_MAX_MS,
      maxAttempts: e.CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.CLEARINGHOUSE_WEBHOOK_TIMEOUT_MS,
    },
    ...(e.CLEARINGHOUSE_SIGNING_KEY_FILE ? { signingKeyFile: e.CLEARINGHOUSE_SIGNING_KEY_FILE } : {}),
    ...(e.CLEARINGHOUSE_SECRETS_KEY ? { secretsKey: e.CLEARINGHOUSE_SECRETS_KEY } : {}),
    ...(e.CLEARINGHOUSE_SECRETS_KEY_FILE ? { secretsKeyFile: e.CLEARINGHOUSE_SECRETS_KEY_FILE } : {}),
    ...(e.CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE ? { csafOpenpgpKeyFile: e.CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE } : {}),
    ...(e.CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE
      ? { csafOpenpgpPassphrase: e.CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE }
      : {}),
    ...(e.CLEARINGHOUSE_JUDGE_BASE_URL && e.CLEARINGHOUSE_JUDGE_MODEL
      ? {
          judge: {
            baseURL: e.CLEARINGHOUSE_JUDGE_BASE_URL,
            apiKey: e.CLEARINGHOUSE_JUDGE_API_KEY ?? '',
            model: e.CLEARINGHOUSE_JUDGE_MODEL,
          },
        }
      : {}),
    reviewMaxDays: e.CLEARINGHOUSE_REVIEW_MAX_DAYS,
  };
}
