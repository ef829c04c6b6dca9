/**
 * What a reviewer may ask to run: a bundled suite (purplellama, cyber-knowledge, ctf) or one task of them by id.
 * A suite expands to its tasks (one run each, as Inspect logs one eval per task); each task is prepared when its run
 * starts (CTF services are started on 127.0.0.1 with a fresh flag, and stopped when the run ends).
 */
import { AppError } from '../../errors.js';
import { startCtfTask } from '../harness/ctf/task.js';
import { cyberKnowledgeTask, loadCtfSpecs, promptInjectionTask } from '../harness/suites/index.js';
import type { Task } from '../harness/types.js';

export const RUN_SUITES = ['purplellama', 'cyber-knowledge', 'ctf'] as const;
export type RunSuite = (typeof RUN_SUITES)[number];

const INJECTION = 'cyberseceval-prompt-injection';
const INJECTION_LITERAL = 'cyberseceval-prompt-injection-literal';

/** The evaluation category of each suite (a grant's scope may name the categories it covers). */
export const SUITE_CATEGORY: Record<RunSuite, string> = {
  purplellama: 'prompt_injection',
  'cyber-knowledge': 'cyber_knowledge',
  ctf: 'ctf',
};

function ctfTaskNames(): string[] {
  return loadCtfSpecs().map(({ spec }) => spec.name);
}

/** The task ids of every bundled suite. */
export function suiteTasks(): Record<RunSuite, string[]> {
  return { purplellama: [INJECTION], 'cyber-knowledge': ['cyber-knowledge'], ctf: ctfTaskNames() };
}

/** Expands a suite name or a task id to [suite, task ids]; a bad name is a 400 naming `field`. */
export function resolveSuite(name: string, field = 'suite'): { suite: RunSuite; tasks: string[] } {
  const all = suiteTasks();
  if ((RUN_SUITES as readonly string[]).includes(name))
    return { suite: name as RunSuite, tasks: all[name as RunSuite] };
  if (name === INJECTION_LITERAL) return { suite: 'purplellama', tasks: [name] };
  for (const suite of RUN_SUITES) if (all[suite].includes(name)) return { suite, tasks: [name] };
  const known = [...RUN_SUITES, ...Object.values(all).flat(), INJECTION_LITERAL].join(', ');
  throw AppError.validation([{ path: field, message: `unknown suite or task ${name} (one of: ${known})` }]);
}

export interface PreparedTask {
  task: Task;
  close(): Promise<void>;
}

const none = async () => {};

/** Builds a runnable task; `limit` keeps the first N samples (as Inspect's --limit). */
export async function prepareTask(taskId: string, opts: { limit?: number } = {}): Promise<PreparedTask> {
  const cut = (t: Task): Task => (opts.limit ? { ...t, dataset: t.dataset.slice(0, opts.limit) } : t);
  if (taskId === INJECTION || taskId === INJECTION_LITERAL)
    return {
      task: promptInjectionTask({ literalOnly: taskId === INJECTION_LITERAL, limit: opts.limit }),
      close: none,
    };
  if (taskId === 'cyber-knowledge') return { task: cut(cyberKnowledgeTask()), close: none };
  const ctf = loadCtfSpecs().find(({ spec }) => spec.name === taskId);
  if (!ctf) throw new Error(`unknown task ${taskId}`);
  const started = await startCtfTask(ctf.spec, { location: ctf.file, randomizeFlag: true });
  return { task: cut(started.task), close: () => started.close() };
}
