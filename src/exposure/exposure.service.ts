/**
 * Exposure use cases: assets and their SBOM inventories, findings kept current on every SBOM upload and every
 * advisory change (same transaction, audited, announced through the outbox), reads through the access rule, and the
 * per-node index (loaded at start, kept current by this node's writes and by other nodes' bus messages).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Tlp } from '../access/marking.js';
import { isSensitive } from '../access/rule.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connect.js';
import { fromJson, toJson } from '../db/json.js';
import { inTx, type Q } from '../db/tx.js';
import { AppError } from '../errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/paging.js';
import {
  actorOf,
  type Caller,
  type Principal,
  requireMember,
  requireScope,
  viewerOf,
} from '../participants/principal.js';
import type { AdvisoryDoc } from '../vulnerabilities/advisory.model.js';
import type { AdvisoryChange } from '../vulnerabilities/advisory.service.js';
import * as repo from './exposure.repository.js';
import type { AssetInput, FindingListQuery } from './exposure.schema.js';
import { ExposureIndex, type IndexComponent } from './exposure-index.js';
import { FindingSync, type OutboxPort, type SyncCounts } from './findings.sync.js';
import { type ParsedSbom, parseSbom } from './sbom/parse.js';

/** The bus of the notify module as exposure uses it: tell the other nodes what changed, after commit. */
export interface BusPort {
  publish(tx: Q, channel: string, message: Record<string, unknown>): Promise<void>;
}

export const BUS_CHANNEL = 'exposure';

export interface ExposureDeps {
  outbox: () => OutboxPort | undefined;
  bus: () => BusPort | undefined;
  /** Largest SBOM accepted, in bytes. */
  maxSbomBytes: number;
  log?: (line: string) => void;
}

export interface LoadStats {
  ms: number;
  advisories: number;
  assets: number;
  components: number;
}

const SYSTEM = { orgId: null, memberId: null };

export class ExposureService {
  readonly index = new ExposureIndex();
  private readonly sync: FindingSync;
  private loaded: Promise<LoadStats> | null = null;
  loadStats: LoadStats | null = null;
  /** Differences between the index and the database seen at the last consistency check (healed when seen twice). */
  private suspects = new Map<string, string>();
  /** The instant up to which ended embargoes have had their findings' priorities recomputed (null: none yet). */
  private sweptUntil: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: () => Date,
    private readonly deps: ExposureDeps,
  ) {
    this.sync = new FindingSync(this.index, deps.outbox);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  // ---- the index ----

  /** Load the index once (every advisory, every asset's current inventory); `q` is the caller's transaction if any. */
  ensureLoaded(q: Q = this.db.kysely): Promise<LoadStats> {
    this.loaded ??= this.load(q).catch((e) => {
      this.loaded = null;
      throw e;
    });
    return this.loaded;
  }

  private async load(q: Q): Promise<LoadStats> {
    const started = performance.now();
    let advisories = 0;
    let after = '';
    for (;;) {
      const docs = await repo.advisoryDocs(q, after, 2000);
      for (const d of docs) this.index.upsertAdvisory(d);
      advisories += docs.length;
      if (docs.length < 2000) break;
      after = docs[docs.length - 1]!.id;
    }
    let assets = 0;
    let components = 0;
    let afterAsset = '';
    for (;;) {
      const page = await repo.currentComponents(q, afterAsset, 200);
      const byInventory = new Map<string, IndexComponent[]>();
      for (const r of page.rows) {
        const list = byInventory.get(r.inventory_id) ?? [];
        list.push(r);
        byInventory.set(r.inventory_id, list);
      }
      for (const a of page.assets) {
        const comps = byInventory.get(a.current_inventory_id!) ?? [];
        this.index.setAsset(a.id, a.current_inventory_id!, comps);
        components += comps.length;
      }
      assets += page.assets.length;
      if (page.assets.length < 200) break;
      afterAsset = page.assets[page.assets.length - 1]!.id;
    }
    const stats = { ms: Math.round(performance.now() - started), advisories, assets, components };
    this.loadStats = stats;
    this.deps.log?.(
      `exposure: index loaded in ${stats.ms} ms (${advisories} advisories, ${assets} assets, ${components} components)`,
    );
    return stats;
  }

  /** Reload everything (after the bus lost messages), then drop what the database no longer holds. */
  async reloadAll(): Promise<void> {
    if (!this.loaded) return;
    await this.load(this.db.kysely);
    await this.checkConsistency();
    await this.checkConsistency();
  }

  private async reloadAsset(q: Q, assetId: string): Promise<void> {
    const a = await repo.assetById(q, assetId);
    if (!a?.current_inventory_id) {
      this.index.removeAsset(assetId);
      return;
    }
    this.index.setAsset(assetId, a.current_inventory_id, await repo.components(q, a.current_inventory_id));
  }

  private async reloadAdvisory(q: Q, id: string): Promise<void> {
    const doc = await repo.advisoryDoc(q, id);
    if (doc) this.index.upsertAdvisory(doc);
    else this.index.removeAdvisory(id);
  }

  /** A message from another node (after its commit): bring this node's index up to date. */
  async applyRemote(message: Record<string, unknown>): Promise<void> {
    if (!this.loaded) return; // loads everything when first used
    await this.ensureLoaded();
    const id = typeof message.id === 'string' ? message.id : null;
    if (!id) return;
    if (message.type === 'advisory') await this.reloadAdvisory(this.db.kysely, id);
    if (message.type === 'asset') await this.reloadAsset(this.db.kysely, id);
  }

  /**
   * Compare the index with the database (advisory versions, each asset's current inventory) and reload what
   * differs. A difference is acted on when seen at two checks in a row, so a transaction still in flight is not
   * mistaken for one that rolled back. Returns the number of entries reloaded.
   */
  async checkConsistency(): Promise<number> {
    await this.ensureLoaded();
    const q = this.db.kysely;
    const seen = new Map<string, string>();
    const inDb = await repo.advisoryVersions(q);
    const inIndex = this.index.advisoryVersions();
    for (const [id, v] of inDb) if (inIndex.get(id) !== v) seen.set(`advisory\0${id}`, `${inIndex.get(id)}/${v}`);
    for (const id of inIndex.keys()) if (!inDb.has(id)) seen.set(`advisory\0${id}`, 'gone');
    const assets = await repo.allAssets(q);
    const held = this.index.assetInventories();
    for (const a of assets)
      if ((a.current_inventory_id ?? undefined) !== held.get(a.id))
        seen.set(`asset\0${a.id}`, String(a.current_inventory_id));
    let healed = 0;
    for (const [key, what] of seen) {
      if (this.suspects.get(key) !== what) continue;
      const [kind, id] = key.split('\0') as [string, string];
      // Reload, and bring the findings in line too: a change this node missed (a rolled-back transaction, a lost
      // bus message, a write that told no listener) is applied as if it had just happened.
      if (kind === 'advisory')
        await inTx(this.db, async (tx) => this.rematchAdvisory(tx, id, await repo.advisoryDoc(tx, id), 'consistency'));
      else
        await inTx(this.db, async (tx) => {
          await this.reloadAsset(tx, id);
          await this.sync.asset(tx, id, this.now());
        });
      seen.delete(key);
      healed++;
    }
    this.suspects = seen;
    return healed;
  }

  // ---- advisory changes (inside the advisory's transaction) ----

  async onAdvisoryChange(tx: Q, change: AdvisoryChange): Promise<void> {
    if (!this.loadStats) {
      // On SQLite a load running outside this transaction would wait for it: load here instead (loading is
      // idempotent, so a second load finishing later does no harm).
      if (this.loaded) await this.load(tx);
      else await this.ensureLoaded(tx);
    }
    const now = this.now();
    const doc = change.advisory;
    if (change.kind === 'marking') {
      // Who may see the advisory changed: priorities follow the advisories each organisation may see, and only the
      // findings of its alias group can change.
      await this.syncNaming(tx, new Set(this.index.groupMembers(doc.id)), now);
      await this.sync.announce(tx, await repo.unnotifiedForAdvisory(tx, doc.id), now);
      return;
    }
    await this.rematchAdvisory(tx, doc.id, doc, change.kind);
    await this.deps.bus()?.publish(tx, BUS_CHANNEL, { type: 'advisory', id: doc.id });
  }

  /**
   * Put an advisory (the document, or none when it is gone) into the index and bring the findings of its alias groups
   * before and after the change in line on every asset, in `tx`; audited when findings changed.
   */
  private async rematchAdvisory(tx: Q, id: string, doc: AdvisoryDoc | undefined, cause: string): Promise<SyncCounts> {
    // Only findings of the advisory's alias group, before and after the change (groups it merges or splits), change.
    const scope = new Set(this.index.groupMembers(id));
    if (doc) this.index.upsertAdvisory(doc);
    else this.index.removeAdvisory(id);
    for (const m of this.index.groupMembers(id)) scope.add(m);
    const { assets, ...total } = await this.syncNaming(tx, scope, this.now());
    if (total.created + total.resolved + total.changed > 0)
      await this.audit.record(tx, {
        actor: SYSTEM,
        action: 'exposure.rematch',
        objectType: 'advisory',
        objectId: id,
        details: { cause, assets, ...total },
      });
    return total;
  }

  /**
   * Reconcile the findings that name one of `ids` on every asset that holds one (stored open) or should (the index):
   * the index lists only those findings, and the database returns only those rows, for all the assets at once.
   */
  private async syncNaming(tx: Q, ids: ReadonlySet<string>, now: string): Promise<SyncCounts & { assets: number }> {
    const wanted = this.index.desiredNaming(ids);
    const stored = new Map<string, repo.FindingRow[]>();
    for (const f of await repo.openFindingsNaming(tx, [...ids])) {
      const list = stored.get(f.asset_id);
      if (list) list.push(f);
      else stored.set(f.asset_id, [f]);
    }
    const assets = new Set([...wanted.keys(), ...stored.keys()]);
    const total = { created: 0, resolved: 0, changed: 0, assets: assets.size };
    for (const assetId of assets) {
      const scope = { desired: wanted.get(assetId) ?? [], open: stored.get(assetId) ?? [] };
      const c = await this.sync.asset(tx, assetId, now, undefined, scope);
      total.created += c.created;
      total.resolved += c.resolved;
      total.changed += c.changed;
    }
    return total;
  }

  /** Announce findings whose advisories have become visible to their organisation (embargo ended, marking widened). */
  async sweep(): Promise<number> {
    await this.ensureLoaded();
    // Embargoes ended since the last sweep (all ended ones at the first sweep of this process): the findings of
    // their advisories get the priority of the advisories now visible, before they are announced.
    const until = this.now();
    const ended = await repo.assetsWithEmbargoEnded(this.db.kysely, this.sweptUntil, until);
    for (const assetId of ended)
      await inTx(this.db, async (tx) => {
        const { seen: _seen, ...c } = await this.sync.asset(tx, assetId, until);
        if (c.created + c.resolved + c.changed > 0)
          await this.audit.record(tx, {
            actor: SYSTEM,
            action: 'exposure.reprioritise',
            objectType: 'asset',
            objectId: assetId,
            details: { cause: 'embargo_ended', ...c },
          });
      });
    this.sweptUntil = until;
    let sent = 0;
    let after = '';
    // Page through every unannounced open finding (those still invisible stay unannounced for the next sweep).
    for (;;) {
      const page = await inTx(this.db, async (tx) => {
        const rows = await repo.unnotified(tx, after, 500);
        const ids = await this.sync.announce(tx, rows, this.now());
        if (ids.length)
          await this.audit.record(tx, {
            actor: SYSTEM,
            action: 'exposure.announce',
            objectType: 'finding',
            objectId: '*',
            details: { findingIds: ids },
          });
        return { last: rows[rows.length - 1]?.id, rows: rows.length, sent: ids.length };
      });
      sent += page.sent;
      if (page.rows < 500 || !page.last) break;
      after = page.last;
    }
    return sent;
  }

  // ---- assets and uploads ----

  private orgScope(p: Principal, org: string | undefined): string {
    if (!org || org === p.viewer.orgId) return p.viewer.orgId;
    if (p.viewer.orgKind !== 'coordinator')
      throw new AppError('forbidden', 'only coordinators may act for another organisation');
    return org;
  }

  async putAsset(caller: Caller, name: string, input: AssetInput, org?: string): Promise<Record<string, unknown>> {
    const p = requireScope(caller, 'write');
    const orgId = this.orgScope(p, org);
    await this.ensureLoaded();
    return inTx(this.db, async (tx) => {
      const now = this.now();
      let asset = await repo.findAsset(tx, orgId, name);
      if (!asset) {
        asset = await this.createAsset(tx, orgId, name, input, now);
        await this.audit.record(tx, {
          actor: actorOf(caller),
          action: 'asset.create',
          objectType: 'asset',
          objectId: asset.id,
          details: { name },
        });
      } else {
        const patch: Partial<repo.AssetRow> = { updated_at: now };
        if (input.criticality) patch.criticality = input.criticality;
        if (input.sector !== undefined) patch.sector = input.sector;
        if (input.internetFacing !== undefined) patch.internet_facing = input.internetFacing ? 1 : 0;
        if (input.tags) patch.tags = toJson(input.tags);
        await repo.updateAsset(tx, asset.id, patch);
        await this.audit.record(tx, {
          actor: actorOf(caller),
          action: 'asset.update',
          objectType: 'asset',
          objectId: asset.id,
          details: { ...input },
        });
        // Criticality and exposure change priorities.
        await this.sync.asset(tx, asset.id, now);
      }
      return this.presentAsset((await repo.assetById(tx, asset.id))!);
    });
  }

  private async createAsset(
    tx: Q,
    orgId: string,
    name: string,
    input: Partial<AssetInput>,
    now: string,
  ): Promise<repo.AssetRow> {
    const row: repo.AssetRow = {
      id: randomUUID(),
      org_id: orgId,
      name,
      criticality: input.criticality ?? 'medium',
      sector: input.sector === undefined ? await repo.orgSector(tx, orgId) : input.sector,
      internet_facing: input.internetFacing ? 1 : 0,
      tags: toJson(input.tags ?? []),
      current_inventory_id: null,
      created_at: now,
      updated_at: now,
    };
    await repo.insertAsset(tx, row);
    return row;
  }

  /** Parse and validate an SBOM, then replace the asset's inventory and its findings in one transaction. */
  async upload(
    caller: Caller,
    assetName: string,
    text: string,
    opts: { fileName?: string; org?: string; criticality?: string; internetFacing?: boolean } = {},
  ) {
    const p = requireScope(caller, 'write');
    const orgId = this.orgScope(p, opts.org);
    if (Buffer.byteLength(text, 'utf8') > this.deps.maxSbomBytes)
      throw new AppError('payload_too_large', `the SBOM is larger than ${this.deps.maxSbomBytes} bytes`);
    const parsed = parseSbom(text, { fileName: opts.fileName, maxBytes: this.deps.maxSbomBytes });
    if (!parsed.ok)
      throw AppError.validation(
        parsed.issues.map((i) => ({
          path: `sbom${i.path.startsWith('/') ? i.path.replace(/\//g, '.') : i.path ? `: ${i.path}` : ''}`,
          message: i.message,
        })),
        `the SBOM was refused: ${parsed.issues[0]?.message ?? 'invalid'}`,
      );
    await this.ensureLoaded();
    let assetId: string | undefined;
    try {
      return await inTx(this.db, async (tx) => {
        const now = this.now();
        let asset = await repo.findAsset(tx, orgId, assetName);
        const input = { criticality: opts.criticality, internetFacing: opts.internetFacing } as Partial<AssetInput>;
        if (!asset) asset = await this.createAsset(tx, orgId, assetName, input, now);
        assetId = asset.id;
        const inventory = await this.storeInventory(tx, asset, parsed.value, text, p, opts.fileName ?? null, now);
        if (asset.current_inventory_id) await repo.markReplaced(tx, asset.current_inventory_id, now);
        await repo.updateAsset(tx, asset.id, { current_inventory_id: inventory.row.id, updated_at: now });
        this.index.setAsset(asset.id, inventory.row.id, inventory.components);
        const { seen, ...counts } = await this.sync.asset(tx, asset.id, now, p.viewer);
        await this.audit.record(tx, {
          actor: actorOf(caller),
          action: 'sbom.upload',
          objectType: 'asset',
          objectId: asset.id,
          details: {
            inventoryId: inventory.row.id,
            sha256: inventory.row.sha256,
            components: inventory.components.length,
            ...counts,
          },
        });
        await this.deps.bus()?.publish(tx, BUS_CHANNEL, { type: 'asset', id: asset.id });
        return {
          asset: assetName,
          inventory: presentInventory(inventory.row),
          replaced: asset.current_inventory_id,
          // Only findings the uploader may see: counting the others would tell that a hidden advisory exists.
          findings: seen,
        };
      });
    } catch (e) {
      // The transaction rolled back: put the index back to what the database holds.
      if (assetId) await this.reloadAsset(this.db.kysely, assetId);
      throw e;
    }
  }

  private async storeInventory(
    tx: Q,
    asset: repo.AssetRow,
    sbom: ParsedSbom,
    text: string,
    p: Principal,
    fileName: string | null,
    now: string,
  ) {
    const id = randomUUID();
    const components: repo.ComponentRow[] = sbom.components.map((c, idx) => ({
      inventory_id: id,
      idx,
      ref: c.ref,
      name: c.name,
      version: c.version ?? null,
      purl: c.purl ?? null,
      ecosystem: c.ecosystem ?? null,
      kind: c.kind,
    }));
    const unmatched = components.filter((c) => c.kind !== 'machine-learning-model' && !c.ecosystem).length;
    const row: repo.ExposureInventoriesTable = {
      id,
      asset_id: asset.id,
      org_id: asset.org_id,
      format: sbom.format,
      spec_version: sbom.specVersion,
      file_name: fileName,
      sha256: createHash('sha256').update(text).digest('hex'),
      size: Buffer.byteLength(text, 'utf8'),
      component_count: components.length,
      model_count: sbom.models.length,
      unmatched_count: unmatched,
      uploaded_at: now,
      uploaded_by: p.viewer.memberId,
      replaced_at: null,
      document: text,
    };
    await repo.insertInventory(tx, row);
    await repo.insertComponents(tx, components);
    return { row, components };
  }

  private async assetOf(q: Q, caller: Caller, name: string, org?: string): Promise<repo.AssetRow> {
    const p = requireMember(caller);
    const orgId = this.orgScope(p, org);
    const asset = await repo.findAsset(q, orgId, name);
    if (!asset) throw AppError.notFound('asset', name);
    return asset;
  }

  async assets(caller: Caller, org?: string) {
    const p = requireMember(caller);
    const all = p.viewer.orgKind === 'coordinator' && org === '*';
    const rows = await repo.listAssets(this.db.kysely, all ? null : this.orgScope(p, org));
    return { items: rows.map((a) => this.presentAsset(a)) };
  }

  async asset(caller: Caller, name: string, org?: string) {
    const q = this.db.kysely;
    const a = await this.assetOf(q, caller, name, org);
    const history = await repo.inventoryHistory(q, a.id);
    const current = a.current_inventory_id ? await repo.components(q, a.current_inventory_id) : [];
    return {
      ...this.presentAsset(a),
      inventories: history.map(presentInventory),
      components: current.map((c) => ({
        ref: c.ref,
        name: c.name,
        version: c.version,
        purl: c.purl,
        ecosystem: c.ecosystem,
        kind: c.kind,
      })),
    };
  }

  private presentAsset(a: repo.AssetRow) {
    return {
      id: a.id,
      orgId: a.org_id,
      name: a.name,
      criticality: a.criticality,
      sector: a.sector,
      internetFacing: a.internet_facing === 1,
      tags: fromJson<string[]>(a.tags, []),
      currentInventoryId: a.current_inventory_id,
      createdAt: a.created_at,
      updatedAt: a.updated_at,
    };
  }

  // ---- findings ----

  async findings(caller: Caller, f: FindingListQuery): Promise<Page<Record<string, unknown>>> {
    const p = requireMember(caller);
    const orgId = p.viewer.orgKind === 'coordinator' ? f.org : this.orgScope(p, f.org);
    const after = decodeCursor(f.cursor) as [string, string, string] | undefined;
    return inTx(this.db, async (tx) => {
      const now = this.now();
      const filter: repo.FindingFilter = {
        orgId,
        asset: f.asset,
        status: f.status,
        priority: f.priority,
        kev: f.kev === undefined ? undefined : f.kev === 'true',
        advisory: f.advisory,
        component: f.component,
        ecosystem: f.ecosystem,
        kind: f.kind,
        dueBefore: f.dueBefore,
      };
      const rows = await repo.listFindings(tx, p.viewer, now, filter, after, f.limit + 1);
      const page = rows.slice(0, f.limit);
      const items = await this.present(tx, caller, page, now);
      const last = page[page.length - 1];
      return {
        items,
        nextCursor: rows.length > f.limit && last ? encodeCursor([last.priority, last.due_date, last.id]) : null,
      };
    });
  }

  async finding(caller: Caller, id: string): Promise<Record<string, unknown>> {
    const p = requireMember(caller);
    return inTx(this.db, async (tx) => {
      const now = this.now();
      const row = await repo.findingVisibleById(tx, p.viewer, now, id);
      if (!row) throw AppError.notFound('finding', id);
      const [item] = await this.present(tx, caller, [row], now);
      return item!;
    });
  }

  /** Findings as the caller may see them: only the advisories of the group it may see; sensitive reads audited. */
  private async present(tx: Q, caller: Caller, rows: repo.FindingRow[], now: string) {
    const advisories = await repo.visibleAdvisoriesOf(
      tx,
      viewerOf(caller),
      now,
      rows.map((r) => r.id),
    );
    const names = new Map<string, string>();
    for (const r of rows)
      if (!names.has(r.asset_id)) names.set(r.asset_id, (await repo.assetById(tx, r.asset_id))?.name ?? '');
    const widest = (list: { tlp: string }[]) =>
      list.find((a) => !isSensitive({ tlp: a.tlp as Tlp }))?.tlp ?? list[0]?.tlp ?? 'RED';
    await this.audit.recordSensitiveList(
      tx,
      actorOf(caller),
      'finding',
      rows.map((r) => ({ id: r.id, tlp: widest(advisories.get(r.id) ?? []) })),
    );
    return rows.map((r) => {
      const advs = advisories.get(r.id) ?? [];
      return {
        id: r.id,
        orgId: r.org_id,
        asset: { id: r.asset_id, name: names.get(r.asset_id) },
        inventoryId: r.inventory_id,
        component: {
          ref: r.component_ref,
          name: r.component_name,
          version: r.component_version,
          purl: r.component_purl,
          ecosystem: r.component_ecosystem,
          kind: r.component_kind,
        },
        advisoryId: advs[0]?.id ?? null,
        advisories: advs.map((a) => ({ id: a.id, aliases: a.aliases, summary: a.summary, tlp: a.tlp })),
        kev: r.kev === 1,
        ssvc: r.ssvc,
        severity: r.severity,
        priority: r.priority,
        dueDate: r.due_date,
        priorityReasons: fromJson<string[]>(r.priority_reasons, []),
        status: r.resolved_at ? 'resolved' : 'open',
        firstSeen: r.first_seen,
        resolvedAt: r.resolved_at,
        resolution: r.resolution,
      };
    });
  }

  // ---- the exposure summary ----

  async summary(caller: Caller, org?: string) {
    const p = requireMember(caller);
    const now = this.now();
    const today = now.slice(0, 10);
    const soon = new Date(Date.parse(`${today}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10);
    const coordinator = p.viewer.orgKind === 'coordinator';
    if (coordinator && !org) {
      const rows = await repo.openFindingsForSummary(this.db.kysely, p.viewer, now, null);
      const assets = await repo.listAssets(this.db.kysely, null);
      const bySector = new Map<
        string,
        {
          sector: string;
          organisations: Set<string>;
          assets: number;
          open: number;
          kev: number;
          overdue: number;
          byPriority: Record<string, number>;
        }
      >();
      const bucket = (s: string | null) => {
        const key = s ?? 'unspecified';
        const found = bySector.get(key);
        if (found) return found;
        const b = {
          sector: key,
          organisations: new Set<string>(),
          assets: 0,
          open: 0,
          kev: 0,
          overdue: 0,
          byPriority: { P1: 0, P2: 0, P3: 0, P4: 0 } as Record<string, number>,
        };
        bySector.set(key, b);
        return b;
      };
      for (const a of assets) {
        const b = bucket(a.sector);
        b.assets++;
        b.organisations.add(a.org_id);
      }
      for (const r of rows) {
        const b = bucket(r.sector);
        b.open++;
        b.byPriority[r.priority] = (b.byPriority[r.priority] ?? 0) + 1;
        if (r.kev === 1) b.kev++;
        if (r.due_date < today) b.overdue++;
      }
      return {
        scope: 'sectors',
        sectors: [...bySector.values()]
          .map((b) => ({ ...b, organisations: b.organisations.size }))
          .sort((a, b) => a.sector.localeCompare(b.sector)),
      };
    }
    const orgId = this.orgScope(p, org);
    const rows = await repo.openFindingsForSummary(this.db.kysely, p.viewer, now, orgId);
    const assets = await repo.listAssets(this.db.kysely, orgId);
    const byPriority: Record<string, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const r of rows) byPriority[r.priority] = (byPriority[r.priority] ?? 0) + 1;
    const top = await this.findings(caller, { org: orgId, status: 'open', limit: 10 } as FindingListQuery);
    return {
      scope: 'organisation',
      orgId,
      assets: assets.length,
      open: rows.length,
      byPriority,
      kev: rows.filter((r) => r.kev === 1).length,
      overdue: rows.filter((r) => r.due_date < today).length,
      dueSoon: rows.filter((r) => r.due_date >= today && r.due_date <= soon).length,
      top: top.items,
    };
  }

  // ---- export bundle ----

  async exportFor(q: Q, orgId: string): Promise<Record<string, unknown[]>> {
    const bundle = await repo.exportOrg(q, orgId);
    const viewer = await repo.orgViewer(q, orgId);
    const now = this.now();
    const findings = [];
    for (const f of bundle.findings) {
      const visible = viewer ? await repo.visibleAdvisoryIds(q, viewer, now, f.advisory_ids) : [];
      // Only the advisories the organisation may see; the group key may name one it may not.
      const { group_key: _g, advisory_id: _a, ...rest } = f;
      if (visible.length) findings.push({ ...rest, advisory_id: visible.sort()[0], advisory_ids: visible });
    }
    return { exposureAssets: bundle.assets, exposureInventories: bundle.inventories, exposureFindings: findings };
  }
}

function presentInventory(r: repo.InventoryRow) {
  return {
    id: r.id,
    format: r.format,
    specVersion: r.spec_version,
    fileName: r.file_name,
    sha256: r.sha256,
    size: r.size,
    components: r.component_count,
    models: r.model_count,
    unmatched: r.unmatched_count,
    uploadedAt: r.uploaded_at,
    uploadedBy: r.uploaded_by,
    replacedAt: r.replaced_at,
  };
}
