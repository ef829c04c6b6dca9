/**
 * What runs and findings need from the window service (services.reviews): who takes part in a window and how, the
 * window's state, gateway credentials bound to a grant, and a hook when the window ends. Kept narrow so that runs and
 * findings depend on these few calls only.
 */
import type { Q } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../../participants/principal.js';

export type ParticipantRole =
  | 'developer'
  | 'government_reviewer'
  | 'trusted_partner_reviewer'
  | 'developer_liaison'
  | 'observer'
  | 'coordinator';

export interface Participation {
  role: ParticipantRole;
  grantIds: string[];
  rawTranscripts: boolean;
  categories: string[];
}

export type WindowEndReason = 'closed' | 'expired' | 'withdrawn';

/** The fields of the window view that runs and findings read. */
export interface WindowFacts {
  id: string;
  state: string;
  trustedPartnerDate?: string;
}

export interface ReviewsPort {
  getWindow(caller: Caller, windowId: string): Promise<WindowFacts>;
  participation(caller: Caller, windowId: string): Promise<Participation | null>;
  runCredentials(
    caller: Caller,
    windowId: string,
    grantId: string,
    variant: string,
  ): Promise<{ baseURL: string; apiKey: string; model: string }>;
  onWindowEnd(listener: (tx: Q, windowId: string, reason: WindowEndReason, effects: string[]) => Promise<void>): void;
}

/** The caller's part in the window, or 404 (no part: the window does not exist for them). */
export async function requireParticipation(
  reviews: ReviewsPort,
  caller: Caller,
  windowId: string,
): Promise<Participation> {
  const p = caller ? await reviews.participation(caller, windowId) : null;
  if (!p) throw AppError.notFound('review window', windowId);
  return p;
}

/** Roles that run evaluations and write findings. */
export const REVIEWER_ROLES: readonly ParticipantRole[] = ['government_reviewer', 'trusted_partner_reviewer'];
/** Roles that speak for the developer. */
export const DEVELOPER_ROLES: readonly ParticipantRole[] = ['developer', 'developer_liaison'];
