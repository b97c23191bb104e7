import { useEffect, useState } from 'react';
import type { ProviderInfo } from '../../../shared/health';
import { SHUTDOWN_STEPS, type CloseOutcome, type ShutdownProgress, type ShutdownStep } from '../../../shared/shutdown';
import { StatusIcon } from './StatusIcon';

const STEP_LABELS: Record<ShutdownStep, string> = {
  'stop-accepting': 'Stop accepting requests',
  drain: 'Drain in-flight chats',
  processors: 'Processors',
  clients: 'Clients',
  stores: 'Stores',
  resources: 'Resources',
  report: 'Write shutdown report, flush logs',
  exit: 'Exit',
};

type RowState = 'pending' | 'started' | CloseOutcome;

/** A received event with the time the page saw it (steps are timed from one start to the next). */
export interface TimedProgress {
  at: number;
  event: ShutdownProgress;
}

export interface QuitState {
  startedAt: number;
  events: TimedProgress[];
  /** The host is gone (socket closed) or said it is exiting. */
  exited: boolean;
}

function Row(props: { testId: string; dataKey: string; label: string; state: RowState; ms?: number; error?: string; nested?: boolean }) {
  return (
    <li
      className={props.nested ? 'quit-row nested' : 'quit-row'}
      data-testid={props.testId}
      data-key={props.dataKey}
      data-outcome={props.state}
    >
      <span className="icon">
        {props.state === 'pending' ? '·' : props.state === 'started' ? '…' : <StatusIcon status={props.state} />}
      </span>
      <span className="label">{props.label}</span>
      {props.ms !== undefined && <span className="ms">{Math.round(props.ms)} ms</span>}
      {props.error && <span className="field-error">{props.error}</span>}
    </li>
  );
}

function worst(outcomes: RowState[]): RowState {
  for (const o of ['failed', 'timed-out', 'started'] as const) if (outcomes.includes(o)) return o;
  return 'ok';
}

export function QuitOverlay(props: { state: QuitState; providers: ProviderInfo[] }) {
  const { events, startedAt, exited } = props.state;
  const final = events.find((e) => e.event.done)?.event;
  const finished = exited || final !== undefined;
  const [now, setNow] = useState(() => Date.now());
  const [endedAt, setEndedAt] = useState<number | null>(null);
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [finished]);
  useEffect(() => {
    if (finished) setEndedAt((at) => at ?? Date.now());
  }, [finished]);
  const elapsed = (endedAt ?? now) - startedAt;

  const stepStarts = new Map<ShutdownStep, number>();
  const providerRecords = new Map<string, ShutdownProgress>();
  const providersByStep = new Map<ShutdownStep, string[]>();
  const addProvider = (step: ShutdownStep, id: string) => {
    const list = providersByStep.get(step) ?? [];
    if (!list.includes(id)) providersByStep.set(step, [...list, id]);
  };
  for (const p of props.providers) addProvider(p.phase, p.id);
  for (const { at, event } of events) {
    if (event.providerId) {
      providerRecords.set(event.providerId, event);
      addProvider(event.step, event.providerId);
    } else if (event.outcome === 'started' && !stepStarts.has(event.step)) {
      stepStarts.set(event.step, at);
      // Once a step starts, the host says exactly who closes in it (a provider that never started, or the
      // host's own card, is not among them).
      if (event.providers) providersByStep.set(event.step, [...event.providers]);
    }
  }
  // A step is over when a later one starts (or the host is done).
  const endOf = (index: number): number | undefined => {
    for (const later of SHUTDOWN_STEPS.slice(index + 1)) if (stepStarts.has(later)) return stepStarts.get(later);
    return finished ? (endedAt ?? undefined) : undefined;
  };

  const exitCode = final?.exitCode;
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Shutting down" data-testid="quit-overlay">
      <div className="overlay-card">
        <h2>Shutting down NPC Studio</h2>
        <p className="elapsed" data-testid="quit-elapsed">
          {elapsed} ms
        </p>
        <ul className="quit-steps">
          {SHUTDOWN_STEPS.flatMap((step, index) => {
            const providerIds = providersByStep.get(step) ?? [];
            const providerStates = providerIds.map(
              (id) => (providerRecords.get(id)?.outcome ?? (stepStarts.has(step) ? 'started' : 'pending')) as RowState,
            );
            const start = stepStarts.get(step);
            const end = endOf(index);
            let state: RowState = start === undefined ? 'pending' : end === undefined ? 'started' : worst(providerStates);
            if (step === 'exit' && final) state = final.exitCode === 0 ? 'ok' : 'failed';
            return [
              <Row
                key={step}
                testId="quit-step"
                dataKey={step}
                label={STEP_LABELS[step]}
                state={state}
                ms={start !== undefined && end !== undefined ? end - start : undefined}
              />,
              ...providerIds.map((id, i) => {
                const record = providerRecords.get(id);
                return (
                  <Row
                    key={`${step}-${id}`}
                    testId="quit-provider"
                    dataKey={id}
                    label={id}
                    state={providerStates[i]!}
                    ms={record?.ms}
                    error={record?.error}
                    nested
                  />
                );
              }),
            ];
          })}
        </ul>
        {finished && (
          <p
            className={exitCode === undefined || exitCode === 0 ? 'note ok' : 'note error'}
            data-testid="quit-done"
            data-exit-code={exitCode ?? ''}
          >
            {exitCode !== undefined
              ? `The host exits with code ${exitCode} after ${elapsed} ms.`
              : `The host has stopped after ${elapsed} ms.`}{' '}
            You can close this window.
          </p>
        )}
      </div>
    </div>
  );
}
