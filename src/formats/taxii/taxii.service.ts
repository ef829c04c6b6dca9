/**
 * TAXII 2.1 use cases: keep the object versions in step with the advisories (inside the advisory's own transaction,
 * and a catch-up for advisories written before this module or without a change event), read collections through the
 * one access rule, turn POSTed vulnerability objects into reports, withdraw advisories on DELETE.
 */
import { randomUUID } from 'node:crypto';
import type { Marking } from '../../access/marking.js';
import { loadMarkings } from '../../access/marking.repository.js';
import type { Viewer } from '../../access/rule.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connect.js';
import { inTx, type Q } from '../../db/tx.js';
import type { FieldIssue } from '../../errors.js';
import type { ParticipantsService } from '../../participants/participants.service.js';
import { actorOf, type Caller, requireCoordinator, requireScope, viewerOf } from '../../participants/principal.js';
import type { AdvisoryChange, AdvisoryService } from '../../vulnerabilities/advisory.service.js';
import type { ReportService } from '../../vulnerabilities/report.service.js';
import { TLP2_MARKING_IDS } from '../stix/index.js';
import { type Collection, collectionsFor } from './collections.js';
import { encodeNext, type TaxiiFilter } from './filters.js';
import { ingestItems, MAX_OBJECTS } from './ingest.js';
import { TaxiiError } from './media.js';
import { deriveObjects, isReferenceObject, nextVersion, PUBLISHER, type StixObject, versionOf } from './objects.js';
import * as repo from './taxii.repository.js';
import { gainedOrganisations, markingKey, stampAfter } from './visibility.js';

export interface ServedObject {
  object: StixObject;
  id: string;
  version: string;
  added: string;
  specVersion: string;
  type: string;
  /** The advisory the object is derived from (null for reference objects). */
  advisoryId: string | null;
}

export interface ServedPage {
  items: ServedObject[];
  more: boolean;
  next: string | null;
}

export interface StatusDetail {
  id: string;
  version: string;
  message?: string;
}

export interface StatusResource {
  id: string;
  status: 'pending' | 'complete';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: StatusDetail[];
  failure_count: number;
  failures: StatusDetail[];
  pending_count: number;
  pendings: StatusDetail[];
}

const CATCH_UP_BATCH = 200;
/** Advisories a read request may record before it answers (the rest follow with later requests or in the background). */
export const CATCH_UP_PER_REQUEST = 1000;

function notFound(what: string): TaxiiError {
  return new TaxiiError(404, 'Not found', `${what} was not found`);
}

function messageOf(issues: FieldIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

/** A stored row as served: the advisory's marking as it is now; reference objects keep their own (TLP:CLEAR). */
function present(r: repo.ServedRow): ServedObject {
  const object = JSON.parse(r.body) as StixObject;
  if (r.advisory_id && r.tlp && !isReferenceObject(object))
    object.object_marking_refs = [TLP2_MARKING_IDS[r.tlp as keyof typeof TLP2_MARKING_IDS]];
  return {
    object,
    id: r.object_id,
    version: r.version,
    added: r.added,
    specVersion: r.spec_version,
    type: r.object_type,
    advisoryId: r.advisory_id,
  };
}

export class TaxiiService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly participants: ParticipantsService,
    private readonly advisories: AdvisoryService,
    private readonly reports: ReportService,
    private readonly clock: () => Date,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  // --- keeping object versions in step -------------------------------------------------------------------------

  /** AdvisoryListener: runs in the transaction that changed the advisory. */
  async onAdvisoryChange(tx: Q, change: AdvisoryChange): Promise<void> {
    await repo.lockWriters(tx, this.db.dialect);
    await this.syncAdvisory(tx, change.advisory.id);
    // A new advisory's marking was just recorded with its objects: nothing to compare it with.
    if (change.kind === 'created') return;
    const m = (await loadMarkings(tx, [change.advisory.id])).get(change.advisory.id);
    if (!m) return;
    const previous = await repo.markingSnapshot(tx, change.advisory.id);
    if (change.kind === 'marking') {
      const now = this.now();
      const old = previous === null ? null : (JSON.parse(previous) as Marking);
      // An embargo that ended early: for those who could not see the advisory, its objects are added now. A marking
      // change with no active embargo before (or none known) leaves the release as it was.
      if (m.embargoUntil !== null) await repo.setReleased(tx, change.advisory.id, null);
      else if (old === null || (old.embargoUntil !== null && old.embargoUntil > now))
        await repo.setReleased(tx, change.advisory.id, now);
    }
    await this.noteMarking(tx, change.advisory.id, m, previous);
  }

  /**
   * A marking that changed since last seen: every organisation that may see the advisory now and could not under the
   * previous marking (shared with it, a wider TLP, a new embargo party, a member named) gets a grant, so that its
   * objects are added for that organisation now. Organisations kept out by an active embargo get nothing here: the
   * embargo's end adds the objects for them. Caller holds the writer lock.
   */
  private async noteMarking(tx: Q, advisoryId: string, m: Marking, previous: string | null): Promise<void> {
    const key = markingKey(m);
    if (previous === key) return;
    await repo.setMarkingSnapshot(tx, advisoryId, key);
    if (previous === null) return;
    const now = this.now();
    const named = [...m.namedMemberIds, ...(m.authorMemberId ? [m.authorMemberId] : [])];
    const gained = gainedOrganisations(
      await repo.organisationsWithGroups(tx),
      await repo.orgsOfMembers(tx, named),
      JSON.parse(previous) as Marking,
      m,
      now,
    );
    if (gained.size === 0) return;
    const at = stampAfter((await repo.head(tx)).added, now);
    for (const orgId of gained) await repo.grant(tx, [advisoryId], orgId, at);
  }

  /**
   * The reader's organisation joined sharing groups since its last TAXII read: the AMBER advisories of those groups
   * it could not see before are added for it now (a grant), so a client polling with added_after receives them. The
   * first read of an organisation only records its groups (it has no earlier poll to miss anything from).
   */
  private async noteReader(viewer: Viewer): Promise<void> {
    if (viewer.kind !== 'member') return;
    const current = [...new Set(viewer.groupIds)].sort();
    const known = await repo.readerGroups(this.db.kysely, viewer.orgId);
    if (known && known.length === current.length && known.every((g, i) => g === current[i])) return;
    await inTx(this.db, async (tx) => {
      await repo.lockWriters(tx, this.db.dialect);
      const before = await repo.readerGroups(tx, viewer.orgId);
      const joined = before === null ? [] : current.filter((g) => !before.includes(g));
      if (before !== null && joined.length > 0) {
        const now = this.now();
        const was: Viewer = { ...viewer, groupIds: before.filter((g) => current.includes(g)) };
        const ids = new Set<string>();
        for (const g of joined) for (const id of await repo.hiddenGroupAdvisories(tx, g, was, now)) ids.add(id);
        if (ids.size > 0) await repo.grant(tx, [...ids], viewer.orgId, stampAfter((await repo.head(tx)).added, now));
      }
      await repo.setReaderGroups(tx, viewer.orgId, current);
    });
  }

  /** Turn the advisory's versions not yet recorded into STIX object versions (caller holds the writer lock). */
  private async syncAdvisory(tx: Q, advisoryId: string): Promise<void> {
    const state = await repo.syncState(tx, advisoryId);
    const docs = await repo.advisoryVersionsAfter(tx, advisoryId, state?.version ?? 0);
    if (docs.length === 0) return;
    const marking = (await loadMarkings(tx, [advisoryId])).get(advisoryId);
    if (!marking) return;
    const owner = await repo.orgOf(tx, marking.ownerOrgId);
    // Identities are served in every collection: only a coordinator organisation (the clearinghouse) is named.
    const ownerOrgName = owner?.kind === 'coordinator' ? owner.name : PUBLISHER.name;
    const top = await repo.head(tx);
    const now = this.now();
    const added = top.added && top.added > now ? top.added : now;
    let seq = top.seq;
    const insert = async (o: StixObject, advisory: { id: string; version: number } | null) => {
      await repo.insertObject(tx, {
        seq: ++seq,
        object_id: String(o.id),
        object_type: String(o.type),
        spec_version: String(o.spec_version ?? '2.1'),
        version: versionOf(o),
        date_added: added,
        advisory_id: advisory?.id ?? null,
        advisory_version: advisory?.version ?? null,
        body: JSON.stringify(o),
      });
    };
    for (const doc of docs) {
      const { own, reference } = deriveObjects({ doc, tlp: marking.tlp, ownerOrgName });
      for (const r of reference) if (!(await repo.hasVersion(tx, String(r.id), versionOf(r)))) await insert(r, null);
      for (const o of own) {
        const next = nextVersion(o, await repo.lastVersionOf(tx, String(o.id)), added);
        if (next) await insert(next, { id: advisoryId, version: doc.version });
      }
    }
    await repo.setSyncState(tx, advisoryId, docs.at(-1)!.version);
    // The marking the objects were first recorded under: later widenings are told from it.
    if (!state?.marking) await repo.setMarkingSnapshot(tx, advisoryId, markingKey(marking));
  }

  /**
   * Record advisories that have versions without objects: those written before this module existed (the backfill)
   * and any written without a change event. Cheap when there is nothing to do (one indexed read). At most `budget`
   * advisories per call, so one request never carries a whole backfill; `serve` runs it to the end in the background.
   */
  async catchUp(budget = Number.POSITIVE_INFINITY): Promise<number> {
    let done = 0;
    while (done < budget) {
      if ((await repo.advisoriesBehind(this.db.kysely, 1)).length === 0) return done;
      const batch = Math.min(CATCH_UP_BATCH, budget - done);
      const n = await inTx(this.db, async (tx) => {
        await repo.lockWriters(tx, this.db.dialect);
        const ids = await repo.advisoriesBehind(tx, batch);
        for (const id of ids) await this.syncAdvisory(tx, id);
        return ids.length;
      });
      done += n;
      if (n < batch) return done;
    }
    return done;
  }

  // --- reading ---------------------------------------------------------------------------------------------------

  async collections(caller: Caller): Promise<Collection[]> {
    const groups = caller ? await this.participants.listGroups(caller) : [];
    return collectionsFor(caller, groups);
  }

  async collection(caller: Caller, id: string): Promise<Collection> {
    const found = (await this.collections(caller)).find((c) => c.id === id);
    if (found) return found;
    // Anonymous callers have the public collection only: for anything else they are asked to sign in.
    if (!caller)
      throw new TaxiiError(401, 'Authentication required', `collection ${id} is not public: sign in with an API token`);
    throw notFound(`collection ${id}`);
  }

  /** One page of a collection's objects as this caller may see them now. */
  async page(caller: Caller, collection: Collection, f: TaxiiFilter): Promise<ServedPage> {
    if (!collection.canRead) throw new TaxiiError(403, 'Forbidden', 'this collection cannot be read');
    await this.catchUp(CATCH_UP_PER_REQUEST);
    await this.noteReader(viewerOf(caller));
    const now = this.now();
    return inTx(this.db, async (tx) => {
      const rows = await repo.servedPage(tx, viewerOf(caller), now, collection.audience(now), f);
      const page = rows.slice(0, f.limit);
      const seen = new Map<string, string>();
      for (const r of page) if (r.advisory_id && r.tlp) seen.set(r.advisory_id, r.tlp);
      await this.audit.recordSensitiveList(
        tx,
        actorOf(caller),
        'advisory',
        [...seen].map(([id, tlp]) => ({ id, tlp })),
      );
      const last = page.at(-1);
      const more = rows.length > f.limit;
      return {
        items: page.map(present),
        more,
        next: more && last ? encodeNext(last.added, last.seq) : null,
      };
    });
  }

  /** The latest version of an object in the collection for this caller, whatever the filters; null when none. */
  async exists(caller: Caller, collection: Collection, objectId: string): Promise<ServedObject | null> {
    if (!collection.canRead) throw new TaxiiError(403, 'Forbidden', 'this collection cannot be read');
    await this.catchUp(CATCH_UP_PER_REQUEST);
    await this.noteReader(viewerOf(caller));
    const now = this.now();
    const f: TaxiiFilter = {
      ids: [objectId],
      types: null,
      versions: { all: false, first: false, last: true, at: [] },
      specVersions: null,
      addedAfter: null,
      limit: 1,
      next: null,
    };
    const [row] = await repo.servedPage(this.db.kysely, viewerOf(caller), now, collection.audience(now), f);
    return row ? present(row) : null;
  }

  // --- writing ---------------------------------------------------------------------------------------------------

  async add(caller: Caller, collection: Collection, envelope: unknown): Promise<StatusResource> {
    const p = requireScope(caller, 'write');
    if (!collection.canWrite || !collection.writeMarking)
      throw new TaxiiError(403, 'Forbidden', 'this collection does not accept objects');
    const objects = (envelope as { objects?: unknown } | null)?.objects;
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope) || !Array.isArray(objects))
      throw new TaxiiError(400, 'Bad request', 'the body is not a TAXII envelope: an object with an "objects" list');
    if (objects.length === 0) throw new TaxiiError(400, 'Bad request', 'the envelope holds no objects');
    if (objects.length > MAX_OBJECTS)
      throw new TaxiiError(413, 'Too many objects', `at most ${MAX_OBJECTS} objects per request`);
    const requestTimestamp = this.now();
    const items = ingestItems(objects, collection.writeMarking);
    const toSubmit = items.flatMap((it, i) => (it.input || it.issues ? [{ i, it }] : []));
    const results = await this.reports.submitBatch(
      p,
      toSubmit.map(({ it }) => (it.input ? { input: it.input } : { issues: it.issues })),
    );
    const successes: StatusDetail[] = [];
    const failures: StatusDetail[] = [];
    const byIndex = new Map(toSubmit.map(({ i }, k) => [i, results[k]!]));
    items.forEach((it, i) => {
      const detail = { id: it.id, version: it.version };
      const r = byIndex.get(i);
      if (!r) failures.push({ ...detail, message: it.skipped ?? 'not ingested' });
      else if (r.status === 'created') successes.push({ ...detail, message: `report ${r.id} created` });
      else if (r.status === 'duplicate') successes.push({ ...detail, message: `already ingested as report ${r.id}` });
      else failures.push({ ...detail, message: messageOf(r.issues) });
    });
    const status: StatusResource = {
      id: randomUUID(),
      status: 'complete',
      request_timestamp: requestTimestamp,
      total_count: items.length,
      success_count: successes.length,
      successes,
      failure_count: failures.length,
      failures,
      pending_count: 0,
      pendings: [],
    };
    await inTx(this.db, async (tx) => {
      await repo.insertStatus(tx, {
        id: status.id,
        org_id: p.viewer.orgId,
        member_id: p.viewer.memberId,
        collection_id: collection.id,
        status: status.status,
        request_timestamp: status.request_timestamp,
        total_count: status.total_count,
        success_count: status.success_count,
        failure_count: status.failure_count,
        pending_count: status.pending_count,
        details: JSON.stringify({ successes, failures, pendings: [] }),
      });
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'taxii.add_objects',
        objectType: 'taxii_status',
        objectId: status.id,
        details: { collection: collection.id, total: status.total_count, success: status.success_count },
      });
    });
    return status;
  }

  /** A status resource: only members of the organisation that POSTed see it. */
  async status(caller: Caller, id: string): Promise<StatusResource> {
    const p = requireScope(caller, 'read');
    const row = await repo.findStatus(this.db.kysely, id, p.viewer.orgId);
    if (!row) throw notFound(`status ${id}`);
    const d = JSON.parse(row.details) as Pick<StatusResource, 'successes' | 'failures' | 'pendings'>;
    return {
      id: row.id,
      status: row.status as StatusResource['status'],
      request_timestamp: row.request_timestamp,
      total_count: Number(row.total_count),
      success_count: Number(row.success_count),
      successes: d.successes,
      failure_count: Number(row.failure_count),
      failures: d.failures,
      pending_count: Number(row.pending_count),
      pendings: d.pendings,
    };
  }

  /**
   * DELETE of a vulnerability object: a coordinator withdraws the advisory it comes from (audited by the advisory
   * service). Nothing is erased: the objects get a revoked version, as every reader must learn of the withdrawal.
   */
  async remove(caller: Caller, collection: Collection, objectId: string): Promise<void> {
    requireCoordinator(caller);
    const found = await this.exists(caller, collection, objectId);
    if (!found) throw notFound(`object ${objectId}`);
    if (found.type !== 'vulnerability')
      throw new TaxiiError(
        403,
        'Forbidden',
        'only vulnerability objects can be deleted (it withdraws the advisory; its other objects follow)',
      );
    if (!found.advisoryId) throw notFound(`advisory of ${objectId}`);
    await this.advisories.withdraw(caller, found.advisoryId, `deleted through TAXII (object ${objectId})`);
  }
}
