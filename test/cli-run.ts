/**
 * Running the `clearinghouse` command from a test, two ways:
 * - `runCli`: in this process (`buildProgram().parseAsync`), with what it writes to stdout captured; a thrown error
 *   (a `CliError`, say) is returned, not raised.
 * - `execCli`: as a real child process (`node --import tsx src/cli/bin.ts`), its exit code, stdout and stderr returned.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildProgram } from '../src/cli/program.js';

export interface InProcessRun {
  out: string;
  error: unknown;
}

export async function runCli(args: string[]): Promise<InProcessRun> {
  const out: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await buildProgram().parseAsync(['node', 'clearinghouse', ...args]);
    return { out: out.join(''), error: null };
  } catch (error) {
    return { out: out.join(''), error };
  } finally {
    process.stdout.write = original;
  }
}

export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

const exec = promisify(execFile);
export const CLI_BIN = join(import.meta.dirname, '..', 'src', 'cli', 'bin.ts');

export async function execCli(
  args: string[],
  opts: { env?: Record<string, string>; timeout?: number } = {},
): Promise<ProcessRun> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', CLI_BIN, ...args], {
      env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent', ...opts.env },
      timeout: opts.timeout ?? 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
