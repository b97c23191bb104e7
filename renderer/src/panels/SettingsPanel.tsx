import { useEffect, useState } from 'react';
import { formatIssuePath } from '../../../shared/errors';
import { settingsSchema, type Settings } from '../../../shared/settings';
import { bridge } from '../bridge';
import { ErrorNote, Field } from '../components/Field';
import { BudgetFieldset, ChromaLaunchPrefixField, DemoOllamaNote } from '../components/SettingsExtras';
import { useAction } from '../hooks';
import { OllamaPoolField } from '../components/OllamaPoolField';

export function SettingsPanel() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  useEffect(() => {
    void run(() => bridge().invoke('settings.get', {})).then((s) => s && setSettings(s));
  }, [run]);

  if (!settings) {
    return (
      <section className="panel settings-panel" data-testid="panel-settings">
        <ErrorNote error={error} testId="settings-error" />
        {!error && <p className="empty">Loading settings…</p>}
      </section>
    );
  }

  const patch = (change: (s: Settings) => Settings) => setSettings((s) => (s ? change(s) : s));
  const ms = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

  async function save() {
    if (!settings) return;
    const checked = settingsSchema.safeParse(settings);
    if (!checked.success) return setIssues(Object.fromEntries(checked.error.issues.map((i) => [formatIssuePath(i.path), i.message])));
    setIssues({});
    const result = await run(() => bridge().invoke('settings.set', settings));
    if (result) {
      setSettings(result.settings);
      setSaved(result.restartRequired.length ? `Saved. Takes effect after a restart: ${result.restartRequired.join(', ')}.` : 'Saved.');
    }
  }

  return (
    <section className="panel settings-panel" data-testid="panel-settings">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset>
          <legend>Ollama</legend>
          <DemoOllamaNote />
          <Field label="URL" error={issues['ollama.url']}>
            <input
              data-testid="settings-ollama-url"
              value={settings.ollama.url}
              onChange={(e) => patch((s) => ({ ...s, ollama: { ...s.ollama, url: e.target.value } }))}
            />
          </Field>
          <OllamaPoolField ollama={settings.ollama} issues={issues} onChange={(ollama) => patch((s) => ({ ...s, ollama }))} />
        </fieldset>
        <fieldset>
          <legend>Bedrock</legend>
          <Field label="Region" error={issues['bedrock.region']}>
            <input
              data-testid="settings-bedrock-region"
              value={settings.bedrock.region}
              onChange={(e) => patch((s) => ({ ...s, bedrock: { ...s.bedrock, region: e.target.value } }))}
            />
          </Field>
          <Field label="Profile" error={issues['bedrock.profile']}>
            <input
              data-testid="settings-bedrock-profile"
              value={settings.bedrock.profile ?? ''}
              onChange={(e) => patch((s) => ({ ...s, bedrock: { ...s.bedrock, profile: e.target.value || undefined } }))}
            />
          </Field>
          <Field label="Endpoint (optional)" error={issues['bedrock.endpoint']}>
            <input
              data-testid="settings-bedrock-endpoint"
              value={settings.bedrock.endpoint ?? ''}
              onChange={(e) => patch((s) => ({ ...s, bedrock: { ...s.bedrock, endpoint: e.target.value || undefined } }))}
            />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Chroma</legend>
          <Field label="Mode">
            <select
              data-testid="settings-chroma-mode"
              value={settings.chroma.mode}
              onChange={(e) =>
                patch((s) => ({
                  ...s,
                  chroma: e.target.value === 'url' ? { mode: 'url', url: 'http://127.0.0.1:8000' } : { mode: 'embedded' },
                }))
              }
            >
              <option value="embedded">Embedded (the studio starts its own server)</option>
              <option value="url">An existing server at a URL</option>
            </select>
          </Field>
          <ChromaLaunchPrefixField settings={settings} patch={patch} error={issues['chroma.launchPrefix']} />
          {settings.chroma.mode === 'url' && (
            <Field label="URL" error={issues['chroma.url']}>
              <input
                data-testid="settings-chroma-url"
                value={settings.chroma.url}
                onChange={(e) => patch((s) => ({ ...s, chroma: { mode: 'url', url: e.target.value } }))}
              />
            </Field>
          )}
        </fieldset>
        <BudgetFieldset settings={settings} patch={patch} error={issues['budget.monthlyCapUsd']} />
        <fieldset>
          <legend>Timeouts (ms)</legend>
          {(['providerCleanupMs', 'shutdownDeadlineMs', 'drainMs'] as const).map((key) => (
            <Field
              key={key}
              label={
                { providerCleanupMs: 'Provider cleanup', shutdownDeadlineMs: 'Global shutdown deadline', drainMs: 'Drain in-flight chats' }[
                  key
                ]
              }
              error={issues[`timeouts.${key}`]}
            >
              <input
                data-testid={`settings-${key}`}
                inputMode="numeric"
                value={Number.isNaN(settings.timeouts[key]) ? '' : String(settings.timeouts[key])}
                onChange={(e) => patch((s) => ({ ...s, timeouts: { ...s.timeouts, [key]: ms(e.target.value) } }))}
              />
            </Field>
          ))}
        </fieldset>
        <ErrorNote error={error} testId="settings-error" />
        {saved && (
          <p className="note ok" data-testid="settings-saved">
            {saved}
          </p>
        )}
        <button type="submit" className="primary" data-testid="settings-save" disabled={busy}>
          Save settings
        </button>
      </form>
    </section>
  );
}
