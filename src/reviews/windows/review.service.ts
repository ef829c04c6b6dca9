/**
 * `services.reviews`: the review window capability as other parts use it (runs, findings, CLI, routes). It holds the
 * window, grant and gateway parts and wires them: an ending window or a revoked grant or key aborts gateway calls.
 */
import type { Q } from '../../db/tx.js';
import type { Caller } from '../../participants/principal.js';
import type { Gateway } from './gateway.js';
import type { GrantService, Participation } from './grant.service.js';
import type { TermsService } from './terms.service.js';
import { type EndReason, latestTerms, type WindowService, type WindowView } from './window.service.js';
import { listTerms } from './windows.repository.js';

export class ReviewService {
  constructor(
    readonly windows: WindowService,
    readonly terms: TermsService,
    readonly grants: GrantService,
    readonly gateway: Gateway,
  ) {
    windows.afterEnd.push((windowId) => gateway.abort({ windowId }));
    grants.afterRevoke.push((f) => gateway.abort(f));
  }

  /** not_found unless the caller has a part in the window. */
  getWindow(caller: Caller, windowId: string): Promise<WindowView> {
    return this.windows.get(caller, windowId);
  }

  participation(caller: Caller, windowId: string): Promise<Participation | null> {
    return this.grants.participation(caller, windowId);
  }

  runCredentials(caller: Caller, windowId: string, grantId: string, variant: string) {
    return this.grants.runCredentials(caller, windowId, grantId, variant);
  }

  /** Called inside the transaction that ends a window, with the effects to carry out (cancel runs, freeze findings...). */
  onWindowEnd(listener: (tx: Q, windowId: string, reason: EndReason, effects: string[]) => Promise<void>): void {
    this.windows.onWindowEnd(listener);
  }

  /** What the review data policy of a window says (from the latest government terms), for retention of runs. */
  async retention(
    windowId: string,
  ): Promise<{ retentionDays: number; onWithdrawal: 'keep' | 'purge'; tlpDefault: string } | null> {
    const t = latestTerms(await listTerms(this.windows.db.kysely, windowId), 'government');
    return t
      ? {
          retentionDays: t.retention_days,
          onWithdrawal: t.on_withdrawal as 'keep' | 'purge',
          tlpDefault: t.tlp_default,
        }
      : null;
  }
}
