import { useState, type ChangeEvent } from 'react';
import { DEFAULT_LOCAL_MODEL, DEFAULT_NUM_CTX, DEFAULT_REPLY_RESERVE, npcDraftSchema, type Npc } from '../../../shared/npc';
import { formatIssuePath } from '../../../shared/errors';
import { bridge } from '../bridge';
import { ErrorNote, Field } from '../components/Field';
import { ModelPicker } from '../components/ModelPicker';
import { useAction } from '../hooks';
import { AttachedLorebooks } from './AttachedLorebooks';
import { inputFromForm, type NpcForm } from './npc-form';

const CARD_TEXTS: [keyof NpcForm, string][] = [
  ['description', 'Description'],
  ['personality', 'Personality'],
  ['scenario', 'Scenario'],
  ['first_mes', 'First message'],
  ['mes_example', 'Example dialogue'],
  ['system_prompt', 'System prompt'],
  ['post_history_instructions', 'Post-history instructions'],
  ['alternate_greetings', 'Alternate greetings (separate with a line of ---)'],
  ['creator_notes', 'Creator notes'],
];

/** Sampling inputs; the placeholders show what applies when a field is left empty (or a typical value). */
interface SamplingField {
  key: 'temperature' | 'topP' | 'numCtx' | 'maxTokens';
  label: string;
  testId: string;
  inputMode: 'decimal' | 'numeric';
  placeholder: string;
}

const SAMPLING_FIELDS: SamplingField[] = [
  { key: 'temperature', label: 'Temperature', testId: 'temperature', inputMode: 'decimal', placeholder: '0.8' },
  { key: 'topP', label: 'Top P', testId: 'top-p', inputMode: 'decimal', placeholder: '0.9' },
  { key: 'numCtx', label: 'Context size (tokens)', testId: 'num-ctx', inputMode: 'numeric', placeholder: String(DEFAULT_NUM_CTX) },
  { key: 'maxTokens', label: 'Max reply tokens', testId: 'max-tokens', inputMode: 'numeric', placeholder: String(DEFAULT_REPLY_RESERVE) },
];

/** Form paths ("card.name") → the form field that holds them. */
function fieldOf(path: string): string {
  const last = path.split('.').pop() ?? path;
  return path.startsWith('card.character_book') ? 'lore' : last;
}

export function NpcEditor(props: { initial: NpcForm; onSaved: (npc: Npc) => void; onCancel: () => void }) {
  const [form, setForm] = useState<NpcForm>(props.initial);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useAction();

  const set = (key: keyof NpcForm) => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const setLore = (i: number, patch: Partial<NpcForm['lore'][number]>) =>
    setForm((f) => ({ ...f, lore: f.lore.map((entry, j) => (j === i ? { ...entry, ...patch } : entry)) }));

  async function save() {
    const input = inputFromForm(form);
    const checked = npcDraftSchema.safeParse(input);
    if (!checked.success) {
      setFieldErrors(Object.fromEntries(checked.error.issues.map((i) => [fieldOf(formatIssuePath(i.path)), i.message])));
      return;
    }
    setFieldErrors({});
    const saved = await run(() => bridge().invoke('npc.save', input));
    if (saved) props.onSaved(saved);
  }

  return (
    <form
      className="npc-editor"
      data-testid="npc-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{form.id ? `Edit ${props.initial.name || 'NPC'}` : 'New NPC'}</h2>
      <div className="grid">
        <Field label="Name" error={fieldErrors.name}>
          <input data-testid="npc-field-name" value={form.name} onChange={set('name')} maxLength={100} autoFocus />
        </Field>
        <Field label="Tags (comma separated)">
          <input data-testid="npc-field-tags" value={form.tags} onChange={set('tags')} />
        </Field>
        <Field label="Processor" error={fieldErrors.processor}>
          <select data-testid="npc-field-processor" value={form.processor} onChange={set('processor')}>
            <option value="local">Local (Ollama)</option>
            <option value="hosted">Hosted (Bedrock)</option>
          </select>
        </Field>
        <Field label="Model" error={fieldErrors.model}>
          <ModelPicker value={form.model} local={form.processor === 'local'} onChange={set('model')} placeholder={DEFAULT_LOCAL_MODEL} />
        </Field>
        {SAMPLING_FIELDS.map(({ key, label, testId, inputMode, placeholder }) => (
          <Field key={key} label={label} error={fieldErrors[key]}>
            <input
              data-testid={`npc-field-${testId}`}
              inputMode={inputMode}
              value={form[key]}
              onChange={set(key)}
              placeholder={placeholder}
            />
          </Field>
        ))}
        <Field label="Creator">
          <input data-testid="npc-field-creator" value={form.creator} onChange={set('creator')} />
        </Field>
        <Field label="Version">
          <input data-testid="npc-field-version" value={form.character_version} onChange={set('character_version')} />
        </Field>
      </div>
      {CARD_TEXTS.map(([key, label]) => (
        <Field key={key} label={label} wide error={fieldErrors[key]}>
          <textarea
            data-testid={`npc-field-${key.replace(/_/g, '-')}`}
            value={form[key] as string}
            onChange={set(key)}
            rows={key === 'description' ? 5 : 3}
          />
        </Field>
      ))}
      <fieldset className="lorebook" data-testid="npc-lorebook">
        <legend>Lorebook</legend>
        {fieldErrors.lore && <span className="field-error">{fieldErrors.lore}</span>}
        {form.lore.map((entry, i) => (
          <div className="lore-entry" key={i} data-testid="npc-lore-entry">
            <input
              data-testid="npc-lore-keys"
              placeholder="keys, comma separated"
              value={entry.keys}
              onChange={(e) => setLore(i, { keys: e.target.value })}
            />
            <textarea
              data-testid="npc-lore-content"
              placeholder="what the NPC knows when a key appears"
              rows={2}
              value={entry.content}
              onChange={(e) => setLore(i, { content: e.target.value })}
            />
            <label className="inline">
              <input type="checkbox" checked={entry.enabled} onChange={(e) => setLore(i, { enabled: e.target.checked })} /> enabled
            </label>
            <button
              type="button"
              className="link danger"
              data-testid="npc-lore-remove"
              onClick={() =>
                setForm((f) => ({
                  ...f,
                  lore: f.lore.filter((_, j) => j !== i),
                  keep: { ...f.keep, entryExtras: f.keep.entryExtras.filter((_, j) => j !== i) },
                }))
              }
            >
              remove
            </button>
          </div>
        ))}
        <button
          type="button"
          data-testid="npc-lore-add"
          onClick={() => setForm((f) => ({ ...f, lore: [...f.lore, { keys: '', content: '', enabled: true }] }))}
        >
          Add lore entry
        </button>
      </fieldset>
      <AttachedLorebooks
        value={form.lorebooks}
        world={typeof form.keep.card.extensions?.world === 'string' ? form.keep.card.extensions.world : undefined}
        error={fieldErrors.lorebooks}
        onChange={(lorebooks) => setForm((f) => ({ ...f, lorebooks }))}
      />
      {fieldErrors.card && (
        <span className="field-error" data-testid="npc-card-error">
          {fieldErrors.card}
        </span>
      )}
      <ErrorNote error={error} testId="npc-save-error" />
      <div className="actions">
        <button type="submit" className="primary" data-testid="npc-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" data-testid="npc-cancel" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
