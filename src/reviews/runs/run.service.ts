/**
 * Evaluation runs of a review window. A reviewer starts a suite (one run per task); runs wait in a bounded queue
 * (harness RunQueue) and call the model only through our gateway, with a key bound to the reviewer's grant
 * (services.reviews.runCredentials), so the gateway meters them and stops them when the window ends. Results are kept
 * per sample in the database (DbResultStore); a run interrupted by a restart is picked up again by resume().
 *
 * Who sees what (the window's participation is the rule): every participant sees the runs of the window and their
 * scores, except trusted-partner reviewers, who see their own organisation's runs only; transcripts only with the
 * raw-transcript scope; anyone else gets 404.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connect.js';
import { fromJson, toJson } from '../../db/json.js';
import { inTx, type Q } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { actorOf, type Caller, type Principal, requireScope } from '../../participants/principal.js';
import { type Comparison, compareWithReference } from '../harness/compare.js';
import { toEvalLog } from '../harness/evallog.js';
import { openAIChatModel, type RetryPolicy } from '../harness/openai-model.js';
import { RunQueue } from '../harness/run-queue.js';
import { runTask } from '../harness/runner.js';
import type { ChatModel, RunRecord, SampleResult, ScorerSummary, Usage } from '../harness/types.js';
import { type Participation, REVIEWER_ROLES, type ReviewsPort, requireParticipation } from './contract.js';
import { DbResultStore } from './db-store.js';
import type { RunListQuery, StartRunBody } from './run.schema.js';
import * as repo from './runs.repository.js';
import { type PreparedTask, prepareTask, resolveSuite, SUITE_CATEGORY } from './suites.js';

export interface RunServiceOptions {
  /** Runs executing at once (default 2). */
  maxRunning?: number;
  /** Samples in flight per run (default 4). */
  sampleConcurrency?: number;
  /** Extra passes over a run's errored samples before it ends as error (default 1). */
  runRetries?: number;
  /** Per-request timeout and retry policy of the model client. */
  model?: { timeoutMs?: number; retry?: Partial<RetryPolicy> };
  /** The separately configured judge model for model-graded scorers (undefined: none configured). */
  judge?: () => ChatModel | undefined;
  /** Tests: prepare tasks differently. */
  prepare?: (taskId: string, opts: { limit?: number }) => Promise<PreparedTask>;
  /** How long a node's claim on a running run holds without renewal (default 120 s; renewed every third of it). */
  leaseMs?: number;
  /** How often a node looks for queued runs and runs whose node stopped (default 60 s). */
  sweepMs?: number;
}

interface RunConfig {
  epochs?: number;
  limit?: number;
}

export interface RunView {
  id: string;
  windowId: string;
  grantId: string;
  orgId: string;
  memberId: string;
  suite: string;
  task: string;
  variant: string;
  reference: boolean;
  status: repo.ReviewRunStatus;
  epochs: number | null;
  limit: number | null;
  model: string | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  usage: Usage | null;
  results: ScorerSummary[];
}

export interface RunDetail extends RunView {
  progress: { samples: number; done: number; errored: number };
  /** Against the latest successful reference run of the same task in the window (absent without one). */
  comparison?: { referenceRunId: string; scores: Comparison[] };
}

export type SampleView =
  | (SampleResult & { transcript: true })
  | {
      transcript: false;
      sampleId: string | number;
      epoch: number;
      scores: Record<string, string | number>;
      usage: Usage;
      limit?: { type: string; limit: number };
      errored: boolean;
      retries: number;
    };

const SYSTEM_ACTOR = { orgId: null, memberId: null };

function view(row: repo.RunRow): RunView {
  const cfg = fromJson<RunConfig>(row.config, {});
  const rec = row.record ? fromJson<RunRecord | null>(row.record, null) : null;
  return {
    id: row.id,
    windowId: row.window_id,
    grantId: row.grant_id,
    orgId: row.org_id,
    memberId: row.member_id,
    suite: row.suite,
    task: row.task,
    variant: row.variant,
    reference: row.reference === 1,
    status: row.status as repo.ReviewRunStatus,
    epochs: rec?.epochs ?? cfg.epochs ?? null,
    limit: cfg.limit ?? null,
    model: rec?.model ?? null,
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    usage: row.usage ? fromJson<Usage | null>(row.usage, null) : null,
    results: rec?.results ?? [],
  };
}

function recordOf(row: repo.RunRow): RunRecord | undefined {
  return row.record ? fromJson<RunRecord | undefined>(row.record, undefined) : undefined;
}

export class RunService {
  readonly queue: RunQueue;
  readonly store: DbResultStore;
  private running = false;
  /** run id → queue entry id (a run may be queued again after an earlier attempt in this process). */
  private readonly queued = new Map<string, string>();
  private readonly settled = new Map<string, Promise<unknown>>();
  /** This process's name on the runs it claims. */
  readonly node = randomUUID();
  private readonly executing = new Set<string>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly reviews: ReviewsPort,
    private readonly clock: () => Date,
    /** Settings read at each run start (the server's start-up may adjust them). */
    readonly opts: RunServiceOptions = {},
  ) {
    this.queue = new RunQueue(opts.maxRunning ?? 2);
    this.store = new DbResultStore(db);
    reviews.onWindowEnd((tx, windowId, reason, effects) => this.cancelForWindow(tx, windowId, reason, effects));
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** The caller's part in the window, or 404 (no part: the window does not exist for them). */
  private participant(caller: Caller, windowId: string): Promise<Participation> {
    return requireParticipation(this.reviews, caller, windowId);
  }

  private mayView(caller: Caller, p: Participation, row: repo.RunRow): boolean {
    return p.role !== 'trusted_partner_reviewer' || row.org_id === caller?.viewer.orgId;
  }

  private async visibleRun(caller: Caller, windowId: string, runId: string) {
    const p = await this.participant(caller, windowId);
    const row = await repo.findRun(this.db.kysely, runId);
    if (!row || row.window_id !== windowId || !this.mayView(caller, p, row)) throw AppError.notFound('run', runId);
    return { p, row };
  }

  /** Starts a suite (one run per task) under one of the caller's grants. */
  async start(caller: Caller, windowId: string, body: StartRunBody): Promise<RunView[]> {
    const principal = requireScope(caller, 'write');
    const p = await this.participant(caller, windowId);
    if (!REVIEWER_ROLES.includes(p.role))
      throw new AppError('forbidden', 'only reviewers with a grant in this window start runs');
    const window = await this.reviews.getWindow(caller, windowId);
    if (window.state !== 'open') throw new AppError('conflict', `the window is ${window.state}; runs need it open`);
    const { suite, tasks } = resolveSuite(body.suite);
    const grantId = body.grantId ?? p.grantIds[0];
    if (!grantId || !p.grantIds.includes(grantId))
      throw AppError.validation([{ path: 'grantId', message: 'not one of your grants in this window' }]);
    if (p.categories.length > 0 && !p.categories.includes(SUITE_CATEGORY[suite]))
      throw new AppError('forbidden', `your grant does not cover the ${SUITE_CATEGORY[suite]} category`);
    if (suite === 'purplellama' && tasks.includes('cyberseceval-prompt-injection') && !this.opts.judge?.())
      throw AppError.validation([
        {
          path: 'suite',
          message:
            'no judge model is configured (CLEARINGHOUSE_JUDGE_*); run cyberseceval-prompt-injection-literal instead',
        },
      ]);
    const at = this.now();
    const config: RunConfig = { epochs: body.epochs, limit: body.limit };
    const starter = { viewer: principal.viewer, scopes: principal.scopes };
    const rows: repo.RunRow[] = tasks.map((task) => ({
      id: randomUUID(),
      window_id: windowId,
      grant_id: grantId,
      org_id: principal.viewer.orgId,
      member_id: principal.viewer.memberId,
      starter: toJson(starter),
      suite,
      task,
      variant: body.variant,
      reference: body.reference ? 1 : 0,
      status: 'queued',
      config: toJson(config),
      record: null,
      usage: null,
      error: null,
      attempts: 0,
      lease_owner: null,
      lease_until: null,
      created_at: at,
      started_at: null,
      finished_at: null,
    }));
    await inTx(this.db, async (tx) => {
      for (const row of rows) {
        await repo.insertRun(tx, row);
        await this.audit.record(tx, {
          actor: actorOf(principal),
          action: 'review_run.start',
          objectType: 'review_run',
          objectId: row.id,
          details: { windowId, grantId, task: row.task, variant: row.variant, reference: body.reference, ...config },
        });
      }
    });
    if (this.running) for (const row of rows) this.enqueue(row.id);
    return rows.map(view);
  }

  async list(caller: Caller, windowId: string, q: RunListQuery): Promise<{ items: RunView[] }> {
    const p = await this.participant(caller, windowId);
    const orgId = p.role === 'trusted_partner_reviewer' ? caller?.viewer.orgId : undefined;
    const rows = await repo.listRuns(this.db.kysely, {
      windowId,
      orgId,
      status: q.status,
      task: q.task,
      limit: q.limit,
    });
    return { items: rows.map(view) };
  }

  async get(caller: Caller, windowId: string, runId: string): Promise<RunDetail> {
    const { p, row } = await this.visibleRun(caller, windowId, runId);
    const samples = await repo.listSamples(this.db.kysely, runId);
    const rec = recordOf(row);
    const out: RunDetail = {
      ...view(row),
      progress: {
        samples: rec ? rec.sampleIds.length * rec.epochs : 0,
        done: samples.filter((s) => s.error === null).length,
        errored: samples.filter((s) => s.error !== null).length,
      },
    };
    if (rec && row.reference === 0) {
      const ref = await repo.latestReference(this.db.kysely, windowId, row.task, row.id);
      const refRec = ref && this.mayView(caller, p, ref) ? recordOf(ref) : undefined;
      if (ref && refRec) out.comparison = { referenceRunId: ref.id, scores: compareWithReference(rec, refRec) };
    }
    return out;
  }

  /** Per-sample results: whole transcripts with the raw-transcript scope, scores and usage only otherwise. */
  async samples(
    caller: Caller,
    windowId: string,
    runId: string,
  ): Promise<{ transcripts: boolean; items: SampleView[] }> {
    const { p, row } = await this.visibleRun(caller, windowId, runId);
    const results = await this.store.listSamples(row.id);
    if (p.rawTranscripts && caller) {
      await inTx(this.db, (tx) =>
        this.audit.record(tx, {
          actor: actorOf(caller),
          action: 'review_run.read_transcripts',
          objectType: 'review_run',
          objectId: row.id,
          details: { windowId, samples: results.length },
        }),
      );
      return { transcripts: true, items: results.map((r) => ({ ...r, transcript: true as const })) };
    }
    return {
      transcripts: false,
      items: results.map((r) => ({
        transcript: false as const,
        sampleId: r.sampleId,
        epoch: r.epoch,
        scores: Object.fromEntries(Object.entries(r.scores).map(([k, s]) => [k, s.value])),
        usage: r.usage,
        ...(r.limit ? { limit: r.limit } : {}),
        errored: !!r.error,
        retries: r.retries,
      })),
    };
  }

  /** Inspect EvalLog (format 2). Without the raw-transcript scope the log carries no samples (a header-only log). */
  async evalLog(caller: Caller, windowId: string, runId: string): Promise<Record<string, unknown>> {
    const { p, row } = await this.visibleRun(caller, windowId, runId);
    const rec = recordOf(row);
    if (!rec) throw new AppError('conflict', `run ${runId} has not started yet`);
    const log = toEvalLog(rec, p.rawTranscripts ? await this.store.listSamples(row.id) : []);
    if (!p.rawTranscripts) delete log.samples;
    return log;
  }

  async cancel(caller: Caller, windowId: string, runId: string): Promise<RunView> {
    const principal = requireScope(caller, 'write');
    const { p, row } = await this.visibleRun(caller, windowId, runId);
    const own = row.org_id === principal.viewer.orgId;
    if (!(p.role === 'coordinator' || (REVIEWER_ROLES.includes(p.role) && own)))
      throw new AppError('forbidden', "only the run's organisation or a coordinator cancels a run");
    if (!repo.LIVE_STATUSES.includes(row.status as repo.ReviewRunStatus))
      throw new AppError('conflict', `run ${runId} is ${row.status}`);
    await inTx(this.db, async (tx) => {
      await repo.updateRun(tx, runId, {
        status: 'cancelled',
        finished_at: this.now(),
        error: 'cancelled by a reviewer',
      });
      await this.audit.record(tx, {
        actor: actorOf(principal),
        action: 'review_run.cancel',
        objectType: 'review_run',
        objectId: runId,
        details: { windowId },
      });
    });
    const qid = this.queued.get(runId);
    if (qid) this.queue.cancel(qid, 'cancelled by a reviewer');
    return view((await repo.findRun(this.db.kysely, runId))!);
  }

  /**
   * The window ended (closed, expired or withdrawn): its runs are cancelled in the same transaction, then aborted.
   * A withdrawal under terms that say `purge` (effect `purge_data`) also deletes the per-sample results.
   */
  private async cancelForWindow(tx: Q, windowId: string, reason: string, effects: string[]): Promise<void> {
    const ids = await repo.cancelWindowRuns(tx, windowId, this.now(), `window ${reason}`);
    if (effects.includes('purge_data')) {
      const purged = await repo.purgeWindowResults(tx, windowId);
      await this.audit.record(tx, {
        actor: SYSTEM_ACTOR,
        action: 'review_run.purge',
        objectType: 'review_window',
        objectId: windowId,
        details: purged,
      });
    }
    if (ids.length)
      await this.audit.record(tx, {
        actor: SYSTEM_ACTOR,
        action: 'review_run.cancel_window',
        objectType: 'review_window',
        objectId: windowId,
        details: { reason, runs: ids },
      });
    for (const id of ids) {
      const qid = this.queued.get(id);
      if (qid) this.queue.cancel(qid, `window ${reason}`);
    }
  }

  private leaseUntil(): string {
    return new Date(this.clock().getTime() + (this.opts.leaseMs ?? 120_000)).toISOString();
  }

  /**
   * Starts executing runs in this process: every queued run, and every run left running by a stopped node, now and
   * then every `sweepMs`. Runs are claimed with a lease, so nodes sharing a database never run one twice.
   * Returns a stop function.
   */
  async resume(): Promise<() => Promise<void>> {
    this.running = true;
    const sweep = async () => {
      for (const row of await repo.liveRuns(this.db.kysely, undefined, this.now())) this.enqueue(row.id);
    };
    await sweep();
    const leaseMs = this.opts.leaseMs ?? 120_000;
    this.timers = [
      setInterval(() => void sweep().catch(() => {}), this.opts.sweepMs ?? 60_000),
      setInterval(
        () => void repo.renewLeases(this.db.kysely, [...this.executing], this.node, this.leaseUntil()).catch(() => {}),
        Math.max(10, Math.floor(leaseMs / 3)),
      ),
    ];
    for (const t of this.timers) t.unref();
    return () => this.stop();
  }

  /** Stops taking runs and aborts those in flight (they stay `running` and their leases are released: resumable). */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const pending = [...this.settled.values()];
    for (const [runId, qid] of this.queued) {
      this.store.interrupted.add(runId);
      this.queue.cancel(qid, 'shutting down');
    }
    await Promise.allSettled(pending);
    await repo.renewLeases(this.db.kysely, [...this.store.interrupted], this.node, null);
  }

  /** Resolves when the run's current execution in this process ends (tests, CLI waits). */
  async settledRun(runId: string): Promise<void> {
    await this.settled.get(runId);
  }

  private enqueue(runId: string): void {
    const state = this.queued.has(runId) ? this.queue.state(this.queued.get(runId)!) : undefined;
    if (state === 'queued' || state === 'running') return;
    const qid = `${runId}#${randomUUID()}`;
    this.queued.set(runId, qid);
    this.store.interrupted.delete(runId);
    const done = this.queue.enqueue({ id: qid, windowId: '', start: (signal) => this.execute(runId, signal) });
    this.settled.set(
      runId,
      done.finally(() => {
        if (this.queued.get(runId) === qid) this.queued.delete(runId);
      }),
    );
  }

  private starterOf(row: repo.RunRow): Principal {
    const s = fromJson<{ viewer: Principal['viewer']; scopes: Principal['scopes'] }>(row.starter, undefined as never);
    return { viewer: s.viewer, scopes: s.scopes, tokenId: null };
  }

  private async execute(runId: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (!(await repo.claimRun(this.db.kysely, runId, this.node, this.now(), this.leaseUntil()))) return;
    const row = (await repo.findRun(this.db.kysely, runId))!;
    this.executing.add(runId);
    signal.addEventListener('abort', () => this.executing.delete(runId), { once: true });
    setMaxListeners(1000, signal); // each sample in flight and each model call listens on it
    const cfg = fromJson<RunConfig>(row.config, {});
    let prepared: PreparedTask | undefined;
    try {
      const creds = await this.reviews.runCredentials(this.starterOf(row), row.window_id, row.grant_id, row.variant);
      prepared = await (this.opts.prepare ?? prepareTask)(row.task, { limit: cfg.limit });
      const task = cfg.epochs ? { ...prepared.task, epochs: cfg.epochs } : prepared.task;
      const model = openAIChatModel({
        baseURL: creds.baseURL,
        apiKey: creds.apiKey,
        model: creds.model,
        timeoutMs: this.opts.model?.timeoutMs ?? 120_000,
        ...(this.opts.model?.retry ? { retry: this.opts.model.retry } : {}),
      });
      const judge = this.opts.judge?.();
      let rec: RunRecord | undefined;
      for (let round = 0; round <= (this.opts.runRetries ?? 1); round++) {
        rec = await runTask(task, {
          model,
          judge,
          store: this.store,
          runId,
          concurrency: this.opts.sampleConcurrency ?? 4,
          signal,
        });
        if (rec.status !== 'error' || signal.aborted) break;
      }
      if (this.store.interrupted.has(runId)) return; // this process stops; the next start resumes the run
      await this.finished(runId, rec!.status, rec!.error?.message);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (signal.aborted) return; // cancelled (window end, reviewer) or shutting down: status already set or kept
      await repo.updateRun(this.db.kysely, runId, { status: 'error', error: message, finished_at: this.now() });
      await this.finished(runId, 'error', message);
    } finally {
      this.executing.delete(runId);
      await prepared?.close();
    }
  }

  private async finished(runId: string, status: string, error?: string): Promise<void> {
    const row = await repo.findRun(this.db.kysely, runId);
    await inTx(this.db, (tx) =>
      this.audit.record(tx, {
        actor: SYSTEM_ACTOR,
        action: 'review_run.finish',
        objectType: 'review_run',
        objectId: runId,
        details: { status: row?.status ?? status, ...(error ? { error } : {}) },
      }),
    );
  }
}
