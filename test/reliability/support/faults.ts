import type { Provider } from '../../../electron/host/lifecycle/provider';

/** The faults the matrix injects into one provider at a time. */
export const FAULTS = [
  'throws-after-close',
  'throws-before-close',
  'hangs',
  'closed-twice',
  'no-close-method',
  'server-gone',
  'server-gone-mid-stream',
] as const;
export type Fault = (typeof FAULTS)[number];

export class InjectedFault extends Error {
  constructor(id: string, when: 'after' | 'before') {
    super(`injected fault: ${id} cleanup threw ${when} closing`);
    this.name = 'InjectedFault';
  }
}

/** The provider's own close (cleanup(), else shutdown()), bound; null when it has neither. */
export function realClose(provider: Provider): (() => Promise<void>) | null {
  if (typeof provider.cleanup === 'function') return provider.cleanup.bind(provider);
  if (typeof provider.shutdown === 'function') return provider.shutdown.bind(provider);
  return null;
}

/** Same identity and phase, same initialize/healthCheck; the close methods are left for the caller to add. */
function shell(inner: Provider, id = inner.id): Provider {
  const p: { -readonly [K in keyof Provider]: Provider[K] } = { id, kind: inner.kind, phase: inner.phase };
  if (inner.initialize) p.initialize = inner.initialize.bind(inner);
  if (inner.healthCheck) p.healthCheck = inner.healthCheck.bind(inner);
  return p;
}

/** The real provider under another id (two providers of one class in one registry, e.g. two Bedrock clients). */
export function renamed(inner: Provider, id: string): Provider {
  const p = shell(inner, id);
  const close = realClose(inner);
  if (close) p.cleanup = close;
  return p;
}

export interface FaultyProvider {
  provider: Provider;
  /** How many times the real close was called through the wrapper, and how many of those threw. */
  realCloses: { calls: number; threw: number };
}

/**
 * Wraps a real provider so its close misbehaves as `fault` says. The server faults leave close alone: the
 * server is what the test breaks.
 */
export function withFault(inner: Provider, fault: Fault): FaultyProvider {
  const close = realClose(inner);
  if (!close) throw new Error(`${inner.id} has no close method to wrap`);
  const realCloses = { calls: 0, threw: 0 };
  const closeCounted = async () => {
    realCloses.calls++;
    try {
      await close();
    } catch (err) {
      realCloses.threw++;
      throw err;
    }
  };
  const p = shell(inner);
  switch (fault) {
    case 'throws-after-close':
      p.cleanup = async () => {
        await closeCounted();
        throw new InjectedFault(inner.id, 'after');
      };
      break;
    case 'throws-before-close':
      p.cleanup = () => Promise.reject(new InjectedFault(inner.id, 'before'));
      break;
    case 'hangs':
      p.cleanup = () => new Promise<void>(() => undefined);
      break;
    case 'closed-twice':
      // Once, then twice at the same moment: every call must succeed and close nothing twice.
      p.cleanup = async () => {
        await closeCounted();
        await Promise.all([closeCounted(), closeCounted()]);
      };
      break;
    case 'no-close-method':
      break;
    case 'server-gone':
    case 'server-gone-mid-stream':
      p.cleanup = closeCounted;
      break;
  }
  return { provider: p, realCloses };
}
