/**
 * Bringing an asset's stored findings in line with what the index says now, inside the caller's transaction (an SBOM
 * upload, an advisory change, an asset's tags changing): new findings are stored with their priority and due date,
 * gone ones resolved with the reason, changed ones updated; each announced to the finding's organisation through the
 * outbox in the same transaction, but only once the organisation may see one of the finding's advisories (the sweep
 * announces the others when their embargo ends or their marking widens).
 */
import { randomUUID } from 'node:crypto';
import type { Viewer } from '../access/rule.js';
import type { Q } from '../db/tx.js';
import * as repo from './exposure.repository.js';
import type { AdvisoryFacts, DesiredFinding, ExposureIndex } from './exposure-index.js';
import { componentKey, SEP } from './exposure-index.js';
import { type Criticality, prioritise, type SsvcLevel } from './priority.js';

/** The outbox and bus of the notify module, as the exposure capability uses them (see the module's contract). */
export interface OutboxEvent {
  orgId: string;
  type: string;
  subject: string;
  payload: Record<string, unknown>;
}
export interface OutboxPort {
  enqueue(tx: Q, events: OutboxEvent[]): Promise<void>;
}

export interface SyncCounts {
  created: number;
  resolved: number;
  changed: number;
}

/** What changed, and the part of it a given viewer may see (a finding counts there only through a visible advisory). */
export interface SyncResult extends SyncCounts {
  seen: SyncCounts;
}

/**
 * The part of an asset an advisory change reconciles: the findings that name an advisory of its alias groups (before
 * and after the change), those the index wants now (`ExposureIndex.desiredNaming`) and those stored open.
 */
export interface SyncScope {
  desired: readonly DesiredFinding[];
  open: readonly repo.FindingRow[];
}

const SSVC_ORDER: SsvcLevel[] = ['Track', 'Track*', 'Attend', 'Act'];
const SEVERITY_ORDER = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** The threat facts of a group: the strongest SSVC decision, KEV if any advisory is KEV, the highest severity. */
export function groupFacts(facts: (AdvisoryFacts | undefined)[]): {
  ssvc: SsvcLevel | null;
  kev: boolean;
  severity: string | null;
} {
  let ssvc: SsvcLevel | null = null;
  let kev = false;
  let severity: string | null = null;
  for (const f of facts) {
    if (!f) continue;
    if (f.ssvc && (ssvc === null || SSVC_ORDER.indexOf(f.ssvc) > SSVC_ORDER.indexOf(ssvc))) ssvc = f.ssvc;
    kev ||= f.kev;
    const s = f.severity?.toUpperCase() ?? null;
    if (s && (severity === null || SEVERITY_ORDER.indexOf(s) > SEVERITY_ORDER.indexOf(severity))) severity = s;
  }
  return { ssvc, kev, severity };
}

export class FindingSync {
  constructor(
    private readonly index: ExposureIndex,
    private readonly outbox: () => OutboxPort | undefined,
  ) {}

  /**
   * Reconcile one asset; returns what changed, and in `seen` the part of it `countFor` (by default the asset's
   * organisation) may see: a finding whose advisories are all hidden from it is not counted there. With `scope` only
   * the findings it names, wanted and stored, are reconciled; the rest of the asset is left as it is.
   */
  async asset(tx: Q, assetId: string, now: string, countFor?: Viewer, scope?: SyncScope): Promise<SyncResult> {
    const seen: SyncCounts = { created: 0, resolved: 0, changed: 0 };
    const counts: SyncResult = { created: 0, resolved: 0, changed: 0, seen };
    const asset = await repo.assetById(tx, assetId);
    if (!asset) return counts;
    const desired = !asset.current_inventory_id ? [] : scope ? scope.desired : this.index.desired(assetId);
    const open = scope ? scope.open : await repo.openFindings(tx, assetId);
    const events: OutboxEvent[] = [];

    // Pair open findings with desired ones: same component and group; else same component sharing an advisory
    // (the alias group got a new key when groups merged or split).
    const byKey = new Map(open.map((f) => [`${f.component_key}\0${f.group_key}`, f]));
    const used = new Set<string>();
    const pairs: [DesiredFinding, repo.FindingRow | undefined][] = [];
    const rest: DesiredFinding[] = [];
    for (const d of desired) {
      const f = byKey.get(`${d.componentKey}\0${d.groupKey}`);
      if (f) {
        used.add(f.id);
        pairs.push([d, f]);
      } else rest.push(d);
    }
    for (const d of rest) {
      const f = open.find(
        (o) =>
          !used.has(o.id) &&
          o.component_key === d.componentKey &&
          (JSON.parse(o.advisory_ids) as string[]).some((a) => d.advisoryIds.includes(a)),
      );
      if (f) used.add(f.id);
      pairs.push([d, f]);
    }

    const criticality = asset.criticality as Criticality;
    const internetFacing = asset.internet_facing === 1;
    // The stored components of the findings to create, and of the open ones no longer wanted (to tell whether the
    // asset still holds the component).
    const held = asset.current_inventory_id ? new Set(pairs.map(([d]) => d.componentKey)) : new Set<string>();
    const needed = new Set<string>();
    for (const [d, existing] of pairs) if (!existing) needed.add(d.componentKey);
    for (const f of open) if (!used.has(f.id) && !held.has(f.component_key)) needed.add(f.component_key);
    const comps = asset.current_inventory_id
      ? await this.components(tx, assetId, asset.current_inventory_id, needed)
      : new Map<string, repo.ComponentRow>();
    const viewer = await repo.orgViewer(tx, asset.org_id);
    // Which advisories the organisation may see now: one query for every advisory this reconcile touches.
    const allIds = new Set<string>();
    for (const d of desired) for (const id of d.advisoryIds) allIds.add(id);
    for (const f of open) for (const id of JSON.parse(f.advisory_ids) as string[]) allIds.add(id);
    const visibleSet = new Set(viewer ? await repo.visibleAdvisoryIds(tx, viewer, now, [...allIds]) : []);
    const visibleOf = async (ids: readonly string[]) => ids.filter((id) => visibleSet.has(id));
    const seenSet =
      countFor === undefined ? visibleSet : new Set(await repo.visibleAdvisoryIds(tx, countFor, now, [...allIds]));
    const isSeen = (ids: readonly string[]) => ids.some((id) => seenSet.has(id));
    const inserts: { row: repo.FindingRow; advisoryIds: string[] }[] = [];
    const movedIds: string[] = [];
    const resolved = new Map<string, string[]>();

    for (const [d, existing] of pairs) {
      // The threat facts only of the advisories the organisation may see now: a hidden one must not show through
      // the priority. The sweep recomputes when one becomes visible.
      const g = groupFacts(d.advisoryIds.filter((id) => visibleSet.has(id)).map((id) => this.index.advisory(id)));
      const firstSeen = existing?.first_seen ?? now;
      const p = prioritise({ ...g, cvssSeverity: g.severity, criticality, internetFacing, firstSeen });
      if (existing) {
        const ids = JSON.stringify(d.advisoryIds);
        const moved = existing.inventory_id !== asset.current_inventory_id;
        const same =
          ids === existing.advisory_ids &&
          p.priority === existing.priority &&
          p.dueDate === existing.due_date &&
          d.groupKey === existing.group_key;
        if (same) {
          // Only the inventory changed (the same component in a new SBOM): moved in bulk below.
          if (moved) movedIds.push(existing.id);
          continue;
        }
        await repo.updateFinding(
          tx,
          existing.id,
          {
            inventory_id: asset.current_inventory_id!,
            group_key: d.groupKey,
            advisory_id: d.groupKey,
            advisory_ids: ids,
            kev: g.kev ? 1 : 0,
            ssvc: g.ssvc,
            severity: g.severity,
            priority: p.priority,
            due_date: p.dueDate,
            priority_reasons: JSON.stringify(p.reasons),
            updated_at: now,
          },
          ids === existing.advisory_ids ? undefined : d.advisoryIds,
        );
        if (ids !== existing.advisory_ids || p.priority !== existing.priority) {
          counts.changed++;
          if (isSeen(d.advisoryIds)) seen.changed++;
          if (existing.notified_at) {
            const visible = await visibleOf(d.advisoryIds);
            if (visible.length)
              events.push(this.event('exposure.finding.changed', asset, existing.id, visible, p, existing));
          }
        }
        continue;
      }
      const c = comps.get(d.componentKey);
      if (!c) continue; // the index and the stored inventory disagree; the consistency check reloads the asset
      const [eco, name, version] = d.componentKey.split(SEP) as [string, string, string];
      const visible = await visibleOf(d.advisoryIds);
      const row: repo.FindingRow = {
        id: randomUUID(),
        org_id: asset.org_id,
        asset_id: asset.id,
        inventory_id: asset.current_inventory_id!,
        component_key: d.componentKey,
        component_ref: c.ref,
        component_name: c.kind === 'machine-learning-model' ? c.name : name,
        component_version: c.kind === 'machine-learning-model' ? (c.version ?? version) : version,
        component_purl: c.purl,
        component_ecosystem: c.kind === 'machine-learning-model' ? 'Hugging Face' : eco,
        component_kind: c.kind,
        advisory_id: d.groupKey,
        group_key: d.groupKey,
        advisory_ids: JSON.stringify(d.advisoryIds),
        kev: g.kev ? 1 : 0,
        ssvc: g.ssvc,
        severity: g.severity,
        priority: p.priority,
        due_date: p.dueDate,
        priority_reasons: JSON.stringify(p.reasons),
        first_seen: now,
        updated_at: now,
        resolved_at: null,
        resolution: null,
        notified_at: visible.length ? now : null,
      };
      inserts.push({ row, advisoryIds: d.advisoryIds });
      counts.created++;
      if (isSeen(d.advisoryIds)) seen.created++;
      if (visible.length) events.push(this.event('exposure.finding.created', asset, row.id, visible, p, row));
    }

    for (const f of open) {
      if (used.has(f.id)) continue;
      const stillHeld = held.has(f.component_key) || comps.has(f.component_key);
      const ids = JSON.parse(f.advisory_ids) as string[];
      const anyLive = ids.some((id) => this.index.advisory(id)?.withdrawn === false);
      const resolution = !stillHeld ? 'component_removed' : !anyLive ? 'advisory_withdrawn' : 'no_longer_affected';
      resolved.set(resolution, [...(resolved.get(resolution) ?? []), f.id]);
      counts.resolved++;
      if (isSeen(ids)) seen.resolved++;
      if (f.notified_at) {
        const visible = await visibleOf(ids);
        if (visible.length)
          events.push({
            orgId: f.org_id,
            type: 'exposure.finding.resolved',
            subject: f.id,
            payload: {
              findingId: f.id,
              asset: asset.name,
              component: { name: f.component_name, version: f.component_version, purl: f.component_purl },
              advisoryIds: visible,
              resolution,
              resolvedAt: now,
            },
          });
      }
    }
    if (asset.current_inventory_id) await repo.moveFindings(tx, movedIds, asset.current_inventory_id, now);
    await repo.insertFindings(tx, inserts);
    for (const [resolution, ids] of resolved) await repo.resolveFindings(tx, ids, resolution, now);
    const outbox = this.outbox();
    if (events.length && outbox) await outbox.enqueue(tx, events);
    return counts;
  }

  /**
   * The stored components of these finding keys in an inventory: read by the positions the index keeps for them, or,
   * when the index holds another inventory of the asset, by keying every component of this one.
   */
  private async components(
    tx: Q,
    assetId: string,
    inventoryId: string,
    keys: ReadonlySet<string>,
  ): Promise<Map<string, repo.ComponentRow>> {
    const out = new Map<string, repo.ComponentRow>();
    if (keys.size === 0) return out;
    const at = this.index.positionsIn(assetId, inventoryId);
    if (!at) {
      for (const c of await repo.components(tx, inventoryId)) {
        const k = componentKey(c);
        if (k && keys.has(k) && !out.has(k)) out.set(k, c);
      }
      return out;
    }
    const keyAt = new Map<number, string>();
    for (const k of keys) {
      const idx = at.get(k);
      if (idx !== undefined) keyAt.set(idx, k);
    }
    if (keyAt.size === 0) return out;
    // Many positions (an SBOM upload): the whole inventory in one read costs less than a long list of them.
    const rows =
      keyAt.size > 200
        ? await repo.components(tx, inventoryId)
        : await repo.componentsAt(tx, inventoryId, [...keyAt.keys()]);
    for (const r of rows) {
      const k = keyAt.get(r.idx);
      if (k !== undefined) out.set(k, r);
    }
    return out;
  }

  /** Announce findings of these rows whose organisation may now see one of their advisories. */
  async announce(tx: Q, rows: repo.FindingRow[], now: string): Promise<string[]> {
    const events: OutboxEvent[] = [];
    const sent: string[] = [];
    // Per organisation: its viewer and, in one query, which of the rows' advisories it may see now.
    const byOrg = new Map<string, repo.FindingRow[]>();
    for (const f of rows) byOrg.set(f.org_id, [...(byOrg.get(f.org_id) ?? []), f]);
    const visibleTo = new Map<string, Set<string>>();
    for (const [orgId, list] of byOrg) {
      const viewer = await repo.orgViewer(tx, orgId);
      const ids = [...new Set(list.flatMap((f) => JSON.parse(f.advisory_ids) as string[]))];
      visibleTo.set(orgId, new Set(viewer ? await repo.visibleAdvisoryIds(tx, viewer, now, ids) : []));
    }
    const names = new Map<string, string | null>();
    for (const f of rows) {
      const seen = visibleTo.get(f.org_id)!;
      const visible = (JSON.parse(f.advisory_ids) as string[]).filter((id) => seen.has(id));
      if (visible.length === 0) continue;
      if (!names.has(f.asset_id)) names.set(f.asset_id, (await repo.assetById(tx, f.asset_id))?.name ?? null);
      sent.push(f.id);
      events.push({
        orgId: f.org_id,
        type: 'exposure.finding.created',
        subject: f.id,
        payload: {
          findingId: f.id,
          asset: names.get(f.asset_id) ?? null,
          component: {
            name: f.component_name,
            version: f.component_version,
            purl: f.component_purl,
            ecosystem: f.component_ecosystem,
          },
          advisoryIds: visible.sort(),
          priority: f.priority,
          dueDate: f.due_date,
          firstSeen: f.first_seen,
        },
      });
    }
    for (let i = 0; i < sent.length; i += 1000) await repo.markNotified(tx, sent.slice(i, i + 1000), now);
    const outbox = this.outbox();
    if (events.length && outbox) await outbox.enqueue(tx, events);
    return sent;
  }

  private event(
    type: string,
    asset: repo.AssetRow,
    id: string,
    visible: string[],
    p: { priority: string; dueDate: string },
    row: {
      component_name: string;
      component_version: string;
      component_purl: string | null;
      component_ecosystem: string;
      first_seen: string;
    },
  ): OutboxEvent {
    return {
      orgId: asset.org_id,
      type,
      subject: id,
      payload: {
        findingId: id,
        asset: asset.name,
        component: {
          name: row.component_name,
          version: row.component_version,
          purl: row.component_purl,
          ecosystem: row.component_ecosystem,
        },
        advisoryIds: visible.sort(),
        priority: p.priority,
        dueDate: p.dueDate,
        firstSeen: row.first_seen,
      },
    };
  }
}
