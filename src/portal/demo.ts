/**
 * `serve --demo`: a browser sign-in for each demo organisation's admin (and the coordinator's), with a random password
 * made at seeding and printed once. Demo data only; a real deployment invites members (POST …/invites).
 */
import { randomBytes } from 'node:crypto';
import type { Services } from '../services.js';

export interface DemoSignIn {
  organisation: string;
  kind: string;
  email: string;
  password: string;
}

export async function seedDemoSignIns(s: Services): Promise<DemoSignIn[]> {
  const rows = await s.db.kysely
    .selectFrom('members as mb')
    .innerJoin('organisations as o', 'o.id', 'mb.org_id')
    .select(['mb.id', 'mb.email', 'o.name', 'o.kind'])
    .where('mb.role', '=', 'admin')
    .where('mb.status', '=', 'active')
    .orderBy('o.name')
    .execute();
  const out: DemoSignIn[] = [];
  for (const r of rows) {
    const password = `demo-${randomBytes(9).toString('base64url')}`;
    await s.portal.setPasswordDirect(r.id, password, 'demo seed');
    out.push({ organisation: r.name, kind: r.kind, email: r.email, password });
  }
  return out;
}
