import { useState } from 'react';
import type { Settings } from '../../../shared/settings';
import { Field } from './Field';

type Ollama = Settings['ollama'];

/** "http://gpu-1:11434 2" per line → endpoints; the number (how many test samples at once) defaults to 1. */
export function parsePool(text: string): { url: string; concurrency: number }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [url = '', n] = line.split(/\s+/);
      return { url, concurrency: n === undefined ? 1 : Number(n) };
    });
}

const poolText = (o: Ollama) => (o.endpoints ?? []).map((e) => `${e.url} ${e.concurrency}`).join('\n');

/** The test pool: how many samples `ollama.url` takes at once, and further Ollama URLs with theirs. */
export function OllamaPoolField(props: { ollama: Ollama; issues: Record<string, string>; onChange: (o: Ollama) => void }) {
  const [text, setText] = useState(() => poolText(props.ollama));
  const issue = Object.entries(props.issues).find(([path]) => path.startsWith('ollama.endpoints') || path === 'ollama.concurrency');
  return (
    <Field
      label="Test pool: more Ollama URLs, one per line, each with how many test samples it takes at once (e.g. http://gpu-1:11434 2)"
      error={issue ? `${issue[0]}: ${issue[1]}` : undefined}
    >
      <input
        data-testid="settings-ollama-concurrency"
        type="number"
        min={1}
        max={32}
        value={props.ollama.concurrency ?? 1}
        title="Test samples sent to the URL above at once"
        onChange={(e) => props.onChange({ ...props.ollama, concurrency: Number(e.target.value) })}
      />
      <textarea
        data-testid="settings-ollama-pool"
        rows={3}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const endpoints = parsePool(e.target.value);
          const { endpoints: _old, ...rest } = props.ollama;
          props.onChange(endpoints.length ? { ...rest, endpoints } : rest);
        }}
      />
    </Field>
  );
}
