/**
 * Review window tables: the window (the developer's offer of a model, its encrypted endpoint secret and its state),
 * versioned terms and the consents given to them, grants to reviewers, per-grant gateway keys (hashed) and the gateway's
 * metadata log. Conventions as in 001-core: text ids, ISO-8601 UTC text instants, JSON as text, 0/1 integers.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('review_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('developer_org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('created_by_member_id', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('snapshot_id', 'text', (c) => c.notNull())
    .addColumn('trusted_partner_date', 'text', (c) => c.notNull())
    .addColumn('public_date', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('max_window_days', 'integer', (c) => c.notNull())
    .addColumn('offered_at', 'text')
    .addColumn('opened_at', 'text')
    .addColumn('closes_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('close_reason', 'text')
    .addColumn('withdrawn_at', 'text')
    .addColumn('endpoint_base_url', 'text', (c) => c.notNull())
    // AES-256-GCM: base64 of iv (12) | tag (16) | ciphertext; null once the window has ended (secret wiped).
    .addColumn('endpoint_secret', 'text')
    .addColumn('variants', 'text', (c) => c.notNull())
    .addColumn('limits', 'text', (c) => c.notNull())
    .addColumn('covered_ref', 'text')
    .addColumn('covered_status', 'text', (c) => c.notNull())
    .addColumn('reminders_sent', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_windows_state').on('review_windows').columns(['state', 'closes_at']).execute();
  await db.schema.createIndex('review_windows_developer').on('review_windows').column('developer_org_id').execute();

  await db.schema
    .createTable('review_terms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull().references('review_windows.id'))
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('confidentiality', 'text', (c) => c.notNull())
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .addColumn('on_withdrawal', 'text', (c) => c.notNull())
    .addColumn('tlp_default', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('text_sha256', 'text', (c) => c.notNull())
    .addColumn('created_by_member_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('review_terms_version', ['window_id', 'audience', 'version'])
    .execute();

  await db.schema
    .createTable('review_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull().references('review_windows.id'))
    .addColumn('terms_id', 'text', (c) => c.notNull().references('review_terms.id'))
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('signer_org_id', 'text', (c) => c.notNull())
    .addColumn('signer_member_id', 'text', (c) => c.notNull())
    .addColumn('terms_sha256', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('review_consents_once', ['terms_id', 'signer_org_id'])
    .execute();

  await db.schema
    .createTable('review_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull().references('review_windows.id'))
    .addColumn('grantee_org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('grantee_member_id', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('variants', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('raw_transcripts', 'integer', (c) => c.notNull())
    .addColumn('valid_from', 'text')
    .addColumn('valid_until', 'text')
    .addColumn('budget_requests', 'integer', (c) => c.notNull())
    .addColumn('budget_tokens', 'integer', (c) => c.notNull())
    .addColumn('budget_seconds', 'integer', (c) => c.notNull())
    .addColumn('used_requests', 'integer', (c) => c.notNull())
    .addColumn('used_tokens', 'integer', (c) => c.notNull())
    .addColumn('used_ms', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('proposed_by_member_id', 'text', (c) => c.notNull())
    .addColumn('proposed_by_org_id', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    .addColumn('accepted_by_member_id', 'text')
    .addColumn('accepted_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('review_grants_window').on('review_grants').column('window_id').execute();
  await db.schema.createIndex('review_grants_grantee').on('review_grants').column('grantee_org_id').execute();

  await db.schema
    .createTable('review_grant_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull().references('review_grants.id'))
    .addColumn('window_id', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_by_member_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('review_grant_keys_grant').on('review_grant_keys').column('grant_id').execute();

  // Metadata only: hashes of the request and response bodies, never their content.
  await db.schema
    .createTable('review_gateway_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('variant', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
    .addColumn('completion_tokens', 'integer', (c) => c.notNull())
    .addColumn('request_sha256', 'text')
    .addColumn('response_sha256', 'text')
    .execute();
  await db.schema
    .createIndex('review_gateway_log_window')
    .on('review_gateway_log')
    .columns(['window_id', 'at'])
    .execute();
}
