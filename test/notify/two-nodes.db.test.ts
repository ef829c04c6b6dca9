/**
 * Two server processes on one PostgreSQL database (one test schema): a message published in a transaction on node A
 * reaches node B after commit, not before, and not at all when the transaction rolls back; A does not hear itself.
 * Each node is a separate `node` process running the real runtime and the notify module (test/notify/bus-node.ts).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, describeBackends, PG_URL, type TestDb } from '../backends.js';
import { waitFor } from './wait.js';

interface Node {
  proc: ChildProcessWithoutNullStreams;
  nodeId: string;
  got: { channel: string; got: Record<string, unknown> }[];
  acks: Set<number>;
  stderr: string[];
  send(cmd: Record<string, unknown>): Promise<void>;
}

let seq = 0;

async function startNode(databaseUrl: string): Promise<Node> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/notify/bus-node.ts'], {
    env: {
      ...process.env,
      CLEARINGHOUSE_DATABASE_URL: databaseUrl,
      CLEARINGHOUSE_LOG_LEVEL: 'silent',
      CLEARINGHOUSE_ADMIN_TOKEN: 'chk_two_nodes_test_token_0123456789abcdef',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const node: Node = {
    proc,
    nodeId: '',
    got: [],
    acks: new Set(),
    stderr: [],
    async send(cmd) {
      const id = ++seq;
      proc.stdin.write(`${JSON.stringify({ ...cmd, id })}\n`);
      await waitFor(() => node.acks.has(id), `ack of ${JSON.stringify(cmd)}; stderr: ${node.stderr.join('')}`, 20_000);
    },
  };
  proc.stderr.on('data', (d: Buffer) => node.stderr.push(d.toString()));
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const m = JSON.parse(line) as {
      ready?: boolean;
      nodeId?: string;
      ack?: number;
      got?: Record<string, unknown>;
      channel?: string;
    };
    if (m.ready) node.nodeId = m.nodeId ?? '';
    if (m.ack !== undefined) node.acks.add(m.ack);
    if (m.got) node.got.push({ channel: m.channel ?? '', got: m.got });
  });
  await waitFor(() => node.nodeId !== '', `node start; stderr: ${node.stderr.join('')}`, 60_000);
  return node;
}

describeBackends('two server processes on one database', (backend) => {
  if (backend !== 'postgres') {
    it.skip('needs PostgreSQL (BACKENDS=sqlite,postgres)', () => {});
    return;
  }
  let db: TestDb;
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    db = await createTestDb('postgres');
    const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${db.schema}`)}`;
    [a, b] = await Promise.all([startNode(url), startNode(url)]);
  }, 90_000);
  afterAll(async () => {
    for (const n of [a, b]) {
      if (!n) continue;
      await n.send({ cmd: 'exit' }).catch(() => {});
      n.proc.kill();
    }
    await db.close();
  });

  const texts = (n: Node) => n.got.map((g) => g.got.n);

  it('the two processes are distinct nodes on the same schema', async () => {
    expect(a.nodeId).not.toBe(b.nodeId);
    expect(a.proc.pid).not.toBe(b.proc.pid);
  });

  it('a message published on A reaches B after commit, not before', async () => {
    const hold = seq + 1;
    await a.send({ cmd: 'publish', channel: 'test', message: { n: 'held' }, mode: 'hold' });
    // While A's transaction is open, another committed message passes; the held one does not.
    await a.send({ cmd: 'publish', channel: 'test', message: { n: 'probe' }, mode: 'commit' });
    await waitFor(() => texts(b).includes('probe'), 'probe on B');
    expect(texts(b)).not.toContain('held');
    await a.send({ cmd: 'commit', hold });
    await waitFor(() => texts(b).includes('held'), 'held message on B after commit');
    expect(b.got.find((g) => g.got.n === 'held')?.channel).toBe('test');
  });

  it('a rolled-back transaction delivers nothing', async () => {
    await a.send({ cmd: 'publish', channel: 'test', message: { n: 'rolled-back' }, mode: 'rollback' });
    await a.send({ cmd: 'publish', channel: 'test', message: { n: 'marker' }, mode: 'commit' });
    await waitFor(() => texts(b).includes('marker'), 'marker on B');
    expect(texts(b)).not.toContain('rolled-back');
  });

  it('B publishes to A; neither hears itself', async () => {
    await b.send({ cmd: 'publish', channel: 'exposure', message: { n: 'advisory-changed', id: 'CH-2026-0001' } });
    await waitFor(() => texts(a).includes('advisory-changed'), 'message from B on A');
    expect(a.got.find((g) => g.got.n === 'advisory-changed')?.channel).toBe('exposure');
    expect(texts(a)).toEqual(['advisory-changed']);
    expect(texts(b)).not.toContain('advisory-changed');
  });
});
