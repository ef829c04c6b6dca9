/**
 * Versioned terms and the consents given to them. A consent records the signer, the time and the SHA-256 of the exact
 * text signed; the signer states that hash, and it must match the stored text. The developer signs the government
 * terms (its consent to the review); a trusted partner signs the trusted-partner terms. Audited in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { inTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { actorOf, type Caller, requireScope } from '../../participants/principal.js';
import { isFinal, type WindowState } from '../window.js';
import { isDeveloper } from './access.js';
import type { WindowService } from './window.service.js';
import { type ConsentView, consentView, latestTerms, sha256, type TermsView, termsView } from './window.view.js';
import * as repo from './windows.repository.js';
import type { TermsBody } from './windows.schema.js';

export class TermsService {
  constructor(private readonly windows: WindowService) {}

  private get db() {
    return this.windows.db;
  }
  private get audit() {
    return this.windows.audit;
  }
  private now(): string {
    return this.windows.now();
  }

  async addTerms(caller: Caller, id: string, body: TermsBody): Promise<TermsView> {
    return inTx(this.db, async (tx) => {
      const { row } = await this.windows.asDeveloper(caller, id, tx);
      if (isFinal(row.state as WindowState)) throw new AppError('conflict', `the window is ${row.state}`);
      const prev = latestTerms(await repo.listTerms(tx, id), body.audience);
      const t: repo.TermsRow = {
        id: randomUUID(),
        window_id: id,
        audience: body.audience,
        version: (prev?.version ?? 0) + 1,
        scope: JSON.stringify(body.scope),
        confidentiality: body.confidentiality,
        retention_days: body.retentionDays,
        on_withdrawal: body.onWithdrawal,
        tlp_default: body.tlpDefault,
        text: body.text,
        text_sha256: sha256(body.text),
        created_by_member_id: caller!.viewer.memberId,
        created_at: this.now(),
      };
      await repo.insertTerms(tx, t);
      await this.audit.record(tx, {
        actor: actorOf(caller),
        action: 'review_terms.create',
        objectType: 'review_window',
        objectId: id,
        details: { termsId: t.id, audience: t.audience, version: t.version, textSha256: t.text_sha256 },
      });
      return termsView(t);
    });
  }

  async listTerms(caller: Caller, id: string): Promise<{ items: TermsView[] }> {
    await this.windows.context(caller, id);
    return { items: (await repo.listTerms(this.db.kysely, id)).map(termsView) };
  }

  /**
   * Sign terms: the developer signs the government terms (its consent to the review); a trusted partner organisation
   * signs the trusted-partner terms. The signer states the SHA-256 of the text read; it must be the stored text's.
   */
  async consent(caller: Caller, id: string, body: { termsId: string; termsSha256: string }): Promise<ConsentView> {
    const p = requireScope(caller, 'write');
    return inTx(this.db, async (tx) => {
      const ctx = await this.windows.context(caller, id, tx);
      const terms = (await repo.listTerms(tx, id)).find((t) => t.id === body.termsId);
      if (!terms) throw AppError.validation([{ path: 'termsId', message: 'no such terms on this window' }]);
      if (terms.text_sha256 !== body.termsSha256)
        throw AppError.validation([{ path: 'termsSha256', message: 'does not match the SHA-256 of the terms text' }]);
      if (latestTerms(await repo.listTerms(tx, id), terms.audience)?.id !== terms.id)
        throw new AppError('conflict', 'a newer version of these terms exists; sign the latest');
      let party: string;
      if (terms.audience === 'government') {
        if (!isDeveloper(p.viewer, ctx.row.developer_org_id))
          throw new AppError('forbidden', 'the government terms are signed by the developer organisation');
        party = 'developer';
      } else {
        if (ctx.role !== 'trusted_partner_reviewer')
          throw new AppError('forbidden', 'trusted-partner terms are signed by a trusted partner holding a grant');
        party = 'trusted_partner';
      }
      if ((await repo.listConsents(tx, id)).some((c) => c.terms_id === terms.id && c.signer_org_id === p.viewer.orgId))
        throw new AppError('conflict', 'your organisation has already signed these terms');
      const c: repo.ConsentRow = {
        id: randomUUID(),
        window_id: id,
        terms_id: terms.id,
        party,
        signer_org_id: p.viewer.orgId,
        signer_member_id: p.viewer.memberId,
        terms_sha256: terms.text_sha256,
        signed_at: this.now(),
      };
      await repo.insertConsent(tx, c);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'review_consent.sign',
        objectType: 'review_window',
        objectId: id,
        details: { consentId: c.id, termsId: terms.id, version: terms.version, party, termsSha256: c.terms_sha256 },
      });
      return consentView(c);
    });
  }
}
