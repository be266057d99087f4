/** Runs Node.js on `args` in a fresh process and collects what it printed (for tests). */
import { spawn } from 'node:child_process';

export interface ChildResult {
  /** Exit code; -1 when the process was ended by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

export function runNode(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; killWhenStdout?: RegExp } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.killWhenStdout?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // 'close', not 'exit': only then has all of stdout and stderr been read.
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
