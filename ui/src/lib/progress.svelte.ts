// Live progress of one long command (delegate, revoke, test call, grant): which `progress`
// steps for its op have been reached, the latest message, and whether it failed. The command's
// own answer is what counts in the end; events only make the wait visible.

import type { Progress } from './bindings/Progress';
import type { ProgressStep } from './bindings/ProgressStep';
import * as ipc from './ipc';

export class OpProgress {
  busy = $state(false);
  reached = $state<ProgressStep[]>([]);
  current = $state<Progress | null>(null);
  /** Set by `end`: true when the command's answer said it went through. */
  succeeded = $state<boolean | null>(null);

  constructor(
    readonly op: string,
    readonly path: readonly ProgressStep[],
  ) {}

  /** Subscribes to `progress` for this op; returns the function that stops listening. */
  listen(): () => void {
    let stop: (() => void) | null = null;
    let gone = false;
    ipc
      .onProgress((p) => {
        if (p.op !== this.op || !this.busy) return;
        this.current = p;
        if (!this.reached.includes(p.step)) this.reached = [...this.reached, p.step];
      })
      .then((unlisten) => (gone ? unlisten() : (stop = unlisten)))
      .catch(() => {
        // Without progress events the command still works; only the live steps are missing.
      });
    return () => {
      gone = true;
      stop?.();
    };
  }

  begin(): void {
    this.busy = true;
    this.reached = [];
    this.current = null;
    this.succeeded = null;
  }

  /** The command answered: ok = it went through (every step done); otherwise keep what was reached. */
  end(ok: boolean | null): void {
    this.succeeded = ok;
    if (ok) this.reached = [...this.path];
    this.current = null;
    this.busy = false;
  }

  /** Nothing happened after all (the person declined): back to not started. */
  reset(): void {
    this.busy = false;
    this.reached = [];
    this.current = null;
    this.succeeded = null;
  }

  get failed(): boolean {
    return this.succeeded === false || this.reached.includes('failed');
  }

  get started(): boolean {
    return this.busy || this.reached.length > 0;
  }

  /** The steps shown: the usual path, ending in "Failed" instead of "Done" when it failed. */
  get steps(): ProgressStep[] {
    return this.failed ? [...this.path.slice(0, -1), 'failed'] : [...this.path];
  }

  stateOf(step: ProgressStep): 'done' | 'active' | 'todo' | 'failed' {
    if (step === 'failed') return this.failed ? 'failed' : 'todo';
    if (!this.reached.includes(step)) return 'todo';
    return this.current?.step === step && this.busy ? 'active' : 'done';
  }
}
