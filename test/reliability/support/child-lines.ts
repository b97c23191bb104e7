import type { ChildProcess } from 'node:child_process';

export interface TimedLine {
  text: string;
  /** performance.now() when the line arrived. */
  at: number;
}

/**
 * Every stdout line of a child with its arrival time, and the moment it exited. Unlike waitForLine in
 * test/support/spawn-ts.ts, a line that arrives after the 'exit' event (stdout drains after it) is not lost.
 */
export class ChildLines {
  readonly lines: TimedLine[] = [];
  stderr = '';
  /** Settles with the exit status and performance.now() of the 'exit' event. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private readonly closed: Promise<void>;
  private buffer = '';
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    child.stdout?.on('data', (d: Buffer) => {
      const at = performance.now();
      this.buffer += d.toString();
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      for (const text of parts) this.lines.push({ text, at });
      for (const wake of this.waiters) wake();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    void this.closed.then(() => {
      for (const wake of this.waiters) wake();
    });
  }

  /** The first line starting with `prefix`, parsed as JSON after it, with its arrival time. */
  async waitFor<T>(prefix: string, ms: number): Promise<{ value: T; at: number }> {
    const end = performance.now() + ms;
    let closed = false;
    void this.closed.then(() => (closed = true));
    for (;;) {
      const line = this.lines.find((l) => l.text.startsWith(prefix));
      if (line) return { value: JSON.parse(line.text.slice(prefix.length)) as T, at: line.at };
      if (closed) throw new Error(`the child ended without a "${prefix}" line; stderr: ${this.stderr}`);
      const left = end - performance.now();
      if (left <= 0) throw new Error(`no "${prefix}" line within ${ms} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
        void this.closed.then(done);
      }).finally(() => this.waiters.clear());
    }
  }
}
