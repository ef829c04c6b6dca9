/**
 * One clearinghouse node in its own process, for two-nodes.db.test.ts: opens the runtime on CLEARINGHOUSE_DATABASE_URL,
 * starts the notify module (dispatcher and bus listener), and speaks JSON lines: on stdin commands
 *   {"cmd":"publish","id":N,"channel":C,"message":{...},"mode":"commit"|"rollback"|"hold"}  and  {"cmd":"commit","id":N}
 * on stdout {"ready":true,"nodeId":...}, {"ack":N} when a command is done, and {"got":{...},"channel":C} per message.
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config.js';
import { inTx } from '../../src/db/tx.js';
import { openRuntime } from '../../src/main.js';
import notify from '../../src/notify/module.js';

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

const runtime = await openRuntime(loadConfig(process.env));
const s = runtime.services;
await s.bus.start();
const stop = notify.start?.(s);
for (const channel of ['test', 'exposure'])
  s.bus.subscribe(channel, (m) => {
    out({ got: m, channel });
  });

const held = new Map<number, { commit: () => void; done: Promise<void> }>();

createInterface({ input: process.stdin }).on('line', async (line) => {
  const c = JSON.parse(line) as {
    cmd: string;
    id: number;
    channel?: string;
    message?: Record<string, unknown>;
    mode?: string;
    hold?: number;
  };
  if (c.cmd === 'publish') {
    const publish = (tx: Parameters<typeof s.bus.publish>[0]) =>
      s.bus.publish(tx, c.channel ?? 'test', c.message ?? {});
    if (c.mode === 'rollback') {
      await inTx(s.db, async (tx) => {
        await publish(tx);
        throw new Error('rolled back on purpose');
      }).catch(() => {});
      return out({ ack: c.id });
    }
    if (c.mode === 'hold') {
      let commit: () => void = () => {};
      const gate = new Promise<void>((r) => {
        commit = r;
      });
      let published: () => void = () => {};
      const isPublished = new Promise<void>((r) => {
        published = r;
      });
      const done = inTx(s.db, async (tx) => {
        await publish(tx);
        published();
        await gate;
      });
      held.set(c.id, { commit, done });
      await isPublished;
      return out({ ack: c.id });
    }
    await inTx(s.db, publish);
    return out({ ack: c.id });
  }
  if (c.cmd === 'commit' && c.hold !== undefined) {
    const h = held.get(c.hold);
    h?.commit();
    await h?.done;
    return out({ ack: c.id });
  }
  if (c.cmd === 'exit') {
    await stop?.();
    await runtime.close();
    out({ ack: c.id });
    process.exit(0);
  }
});

out({ ready: true, nodeId: s.bus.nodeId });
