import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../shared/contract';
import type { Settings } from '../../../shared/settings';
import { bridge } from '../bridge';
import { Field } from './Field';

type Patch = (change: (s: Settings) => Settings) => void;

/** In demo, the studio talks to its own Ollama-protocol server: say which, where the URL field is. */
export function DemoOllamaNote() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    bridge()
      .invoke('app.info', {})
      .then(setInfo)
      .catch(() => undefined);
  }, []);
  if (!info?.demo || !info.ollamaUrl) return null;
  return (
    <p className="note" data-testid="settings-demo-ollama">
      Demo: this run uses the built-in demo server at <code data-testid="settings-demo-ollama-url">{info.ollamaUrl}</code>, not the URL
      below.
    </p>
  );
}

/** The monthly cap on hosted (Bedrock) spending: warns at 80 %, refuses new hosted turns at the cap. */
export function BudgetFieldset(props: { settings: Settings; patch: Patch; error?: string }) {
  const cap = props.settings.budget?.monthlyCapUsd ?? null;
  const [text, setText] = useState(cap === null ? '' : String(cap));
  return (
    <fieldset>
      <legend>Hosted budget</legend>
      <Field label="Monthly cap for Bedrock, US dollars (empty: no cap)" error={props.error}>
        <input
          data-testid="settings-budget-cap"
          inputMode="decimal"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            const value = e.target.value.trim() === '' ? null : Number(e.target.value);
            props.patch((s) => ({ ...s, budget: { monthlyCapUsd: value } }));
          }}
        />
      </Field>
      <small>The studio warns at 80 % of the cap and refuses new hosted turns once it is reached.</small>
    </fieldset>
  );
}

/** The command put before Chroma's own (Debian 12 needs a newer glibc loader; see the README). */
export function ChromaLaunchPrefixField(props: { settings: Settings; patch: Patch; error?: string }) {
  const chroma = props.settings.chroma;
  const [text, setText] = useState(chroma.mode === 'embedded' ? (chroma.launchPrefix ?? []).join(' ') : '');
  if (chroma.mode !== 'embedded') return null;
  return (
    <Field label="Launch prefix (optional; e.g. the path to a newer ld-linux loader and its --library-path)" error={props.error}>
      <input
        data-testid="settings-chroma-launch-prefix"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const parts = e.target.value.trim().split(/\s+/).filter(Boolean);
          props.patch((s) => ({ ...s, chroma: { mode: 'embedded', ...(parts.length ? { launchPrefix: parts } : {}) } }));
        }}
      />
    </Field>
  );
}
