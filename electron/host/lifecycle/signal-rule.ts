/**
 * The one signal rule. A user's single Ctrl-C can reach the host two or three times: the terminal sends
 * SIGINT to the whole foreground process group, and wrappers in the launch chain (npm, tsx, Electron's CLI
 * wrapper) relay their own copy to their child. Those copies arrive within tens of milliseconds (a few
 * hundred on a loaded machine). So: every signal within SAME_REQUEST_WINDOW_MS of the first one is that same
 * request; a signal after the window is a deliberate second one and forces the exit.
 */
export const SAME_REQUEST_WINDOW_MS = 500;

export type SignalVerdict =
  /** Start (or join) the one shutdown. */
  | 'first'
  /** A copy of the first request, relayed by the launch chain: nothing more to do. */
  | 'copy'
  /** A deliberate second request: exit 1 now. */
  | 'force';

export class SignalRule {
  private firstAt: number | null = null;

  constructor(
    readonly windowMs = SAME_REQUEST_WINDOW_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Classifies a signal that arrived now. */
  onSignal(): SignalVerdict {
    const at = this.now();
    if (this.firstAt === null) {
      this.firstAt = at;
      return 'first';
    }
    return at - this.firstAt <= this.windowMs ? 'copy' : 'force';
  }
}
