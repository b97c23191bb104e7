import type { ReactNode } from 'react';

export function Field(props: { label: string; error?: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={props.wide ? 'field wide' : 'field'}>
      <span className="field-label">{props.label}</span>
      {props.children}
      {props.error && <span className="field-error">{props.error}</span>}
    </label>
  );
}

export function ErrorNote(props: { error: { message: string; hint?: string } | null; testId: string; onDismiss?: () => void }) {
  if (!props.error) return null;
  return (
    <div className="note error" role="alert" data-testid={props.testId}>
      <span>{props.error.message}</span>
      {props.error.hint && <code className="hint">{props.error.hint}</code>}
      {props.onDismiss && (
        <button type="button" className="link" onClick={props.onDismiss}>
          dismiss
        </button>
      )}
    </div>
  );
}
