import { useEffect, useRef, useState, type ReactNode } from 'react';
import { LORE_DEFAULTS, LORE_POSITIONS, LORE_ROLES, LOREBOOK_LIMITS, SELECTIVE_LOGICS, type LoreEntry } from '../../../shared/lorebook';
import { Field } from '../components/Field';
import { LOGIC_WORDS, POSITION_WORDS, ROLE_WORDS } from '../lore-words';
import { entryTitle, keysToText, textToKeys, withField, type FieldErrors } from './lorebook-form';

type Key = keyof LoreEntry & string;

/** Every field of one lorebook entry, in SillyTavern's groups, each with its error underneath. */
export function LoreEntryEditor(props: {
  entry: LoreEntry;
  index: number;
  errors: FieldErrors;
  open: boolean;
  onChange: (entry: LoreEntry) => void;
  onRemove: () => void;
}) {
  const { entry, index } = props;
  const details = useRef<HTMLDetailsElement>(null);
  // Opened when asked (a new entry, an error to fix); never closed under the designer's hands.
  useEffect(() => {
    if (props.open && details.current) details.current.open = true;
  }, [props.open]);
  const [keysText, setKeysText] = useState(() => keysToText(entry.keys));
  const [secondaryText, setSecondaryText] = useState(() => keysToText(entry.secondaryKeys));
  const err = (field: string) => props.errors[`entries.${index}.${field}`];
  const set = (field: Key, value: unknown) => props.onChange(withField(entry, field, value));
  const entryErrors = Object.keys(props.errors).filter((k) => k.startsWith(`entries.${index}.`)).length;
  const id = (field: string) => `lore-field-${field}`;

  const text = (field: Key, label: string, placeholder = '') => (
    <Field label={label} error={err(field)}>
      <input
        data-testid={id(field)}
        value={(entry[field] as string | undefined) ?? ''}
        placeholder={placeholder}
        onChange={(e) => set(field, e.target.value)}
      />
    </Field>
  );
  const num = (
    field: Key,
    label: string,
    placeholder: string,
    opts: { min?: number; max?: number; step?: number; nullable?: boolean } = {},
  ) => (
    <Field label={label} error={err(field)}>
      <input
        type="number"
        data-testid={id(field)}
        min={opts.min}
        max={opts.max}
        step={opts.step ?? 1}
        value={typeof entry[field] === 'number' ? String(entry[field]) : ''}
        placeholder={placeholder}
        onChange={(e) =>
          set(field, e.target.value === '' ? (opts.nullable && entry[field] === null ? null : undefined) : Number(e.target.value))
        }
      />
    </Field>
  );
  const check = (field: Key, label: string, byDefault: boolean) => (
    <label className="inline check">
      <input
        type="checkbox"
        data-testid={id(field)}
        checked={(entry[field] as boolean | undefined) ?? byDefault}
        onChange={(e) => set(field, e.target.checked)}
      />{' '}
      {label}
      {err(field) && <span className="field-error">{err(field)}</span>}
    </label>
  );
  /** On, off, or what the book (or the studio) says. */
  const threeWay = (field: Key, label: string, defaultWords: string) => (
    <Field label={label} error={err(field)}>
      <select
        data-testid={id(field)}
        value={entry[field] === true ? 'yes' : entry[field] === false ? 'no' : ''}
        onChange={(e) =>
          set(field, e.target.value === 'yes' ? true : e.target.value === 'no' ? false : entry[field] === null ? null : undefined)
        }
      >
        <option value="">{defaultWords}</option>
        <option value="yes">Yes</option>
        <option value="no">No</option>
      </select>
    </Field>
  );
  const group = (title: string, children: ReactNode) => (
    <fieldset className="lore-group">
      <legend>{title}</legend>
      <div className="grid">{children}</div>
    </fieldset>
  );

  const position = entry.position ?? 'before_char';
  const delayUntil = entry.delayUntilRecursion;
  return (
    <details ref={details} className="lore-entry-editor" data-testid="lorebook-entry" data-entry={entryTitle(entry, index)}>
      <summary>
        <strong>{entryTitle(entry, index)}</strong>
        {entry.constant && <span className="badge">always on</span>}
        {entry.enabled === false && <span className="badge warn">switched off</span>}
        {entryErrors > 0 && <span className="badge danger">{entryErrors} to fix</span>}
      </summary>
      <div className="grid">
        {text('comment', 'Title (for you; not sent to the model)', 'e.g. The harbor')}
        {check('enabled', 'Enabled', true)}
        {check('constant', 'Always on (no keyword needed)', false)}
      </div>
      <div className="grid two">
        <Field label="Keywords that trigger it (one per line; /regex/flags allowed)" error={err('keys')}>
          <textarea
            data-testid={id('keys')}
            rows={3}
            value={keysText}
            onChange={(e) => {
              setKeysText(e.target.value);
              set('keys', textToKeys(e.target.value));
            }}
          />
        </Field>
        <Field label="Extra keywords (one per line)" error={err('secondaryKeys')}>
          <textarea
            data-testid={id('secondaryKeys')}
            rows={3}
            value={secondaryText}
            onChange={(e) => {
              setSecondaryText(e.target.value);
              set('secondaryKeys', textToKeys(e.target.value));
            }}
          />
        </Field>
      </div>
      <div className="grid">
        {check('selective', 'Use the extra keywords', false)}
        <Field label="Fires when a keyword is found…" error={err('selectiveLogic')}>
          <select
            data-testid={id('selectiveLogic')}
            value={typeof entry.selectiveLogic === 'string' ? entry.selectiveLogic : 'and_any'}
            onChange={(e) => set('selectiveLogic', e.target.value)}
          >
            {SELECTIVE_LOGICS.map((l) => (
              <option key={l} value={l}>
                {LOGIC_WORDS[l]}
              </option>
            ))}
          </select>
        </Field>
        {threeWay('caseSensitive', 'Match upper/lower case exactly', 'As the book says (no)')}
        {threeWay('matchWholeWords', 'Whole words only', 'As the book says (no)')}
        {check('useRegex', 'Keywords are regular expressions (card V3)', false)}
        {num('scanDepth', 'Messages to search (scan depth)', `book default (${LORE_DEFAULTS.scanDepth})`, {
          min: 0,
          max: LOREBOOK_LIMITS.scanDepth,
          nullable: true,
        })}
      </div>
      <Field label="What the NPC knows when it fires (decorators such as @@depth 2 on the first lines)" wide error={err('content')}>
        <textarea data-testid={id('content')} rows={4} value={entry.content ?? ''} onChange={(e) => set('content', e.target.value)} />
      </Field>
      {group(
        'Where it goes',
        <>
          <Field label="Place" error={err('position')}>
            <select
              data-testid={id('position')}
              value={typeof position === 'string' ? position : ''}
              onChange={(e) => set('position', e.target.value)}
            >
              {typeof position === 'number' && <option value="">Position {position} (from another tool)</option>}
              {LORE_POSITIONS.map((p) => (
                <option key={p} value={p}>
                  {POSITION_WORDS[p]}
                </option>
              ))}
            </select>
          </Field>
          {num('depth', 'Messages from the end (for “in the chat”)', String(LORE_DEFAULTS.depth), {
            min: 0,
            max: LOREBOOK_LIMITS.insertionDepth,
            nullable: true,
          })}
          <Field label="Said as (for “in the chat”)" error={err('role')}>
            <select
              data-testid={id('role')}
              value={typeof entry.role === 'string' ? entry.role : ''}
              onChange={(e) => set('role', e.target.value === '' ? undefined : e.target.value)}
            >
              <option value="">{ROLE_WORDS.system} (default)</option>
              {LORE_ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_WORDS[r]}
                </option>
              ))}
            </select>
          </Field>
          {num('order', 'Order (higher goes later and is kept first)', String(LORE_DEFAULTS.order), { step: 1 })}
          {num('priority', 'Priority (card V2; kept, not used to choose)', '', {})}
          {text('outletName', 'Outlet name', '')}
        </>,
      )}
      {group(
        'Chance and groups',
        <>
          {num('probability', 'Chance to fire (%)', '100', { min: 0, max: 100, nullable: true })}
          {check('useProbability', 'Use the chance', true)}
          {text('group', 'Groups (comma separated; one entry per group fires)', '')}
          {check('groupOverride', 'Wins its group by order', false)}
          {num('groupWeight', 'Weight in its group', String(LORE_DEFAULTS.groupWeight), {
            min: 0,
            max: LOREBOOK_LIMITS.groupWeight,
            nullable: true,
          })}
          {threeWay('useGroupScoring', 'Choose the group winner by most keywords', 'Studio default (no)')}
        </>,
      )}
      {group(
        'Timing (counted in messages)',
        <>
          {num('sticky', 'Stays on for (messages)', 'off', { min: 0, max: LOREBOOK_LIMITS.timedEffectMessages, nullable: true })}
          {num('cooldown', 'Then rests for (messages)', 'off', { min: 0, max: LOREBOOK_LIMITS.timedEffectMessages, nullable: true })}
          {num('delay', 'Not before the chat has (messages)', 'off', { min: 0, max: LOREBOOK_LIMITS.timedEffectMessages, nullable: true })}
        </>,
      )}
      {group(
        'Entries that mention other entries (recursion)',
        <>
          {check('excludeRecursion', 'Only keywords in the chat can trigger it, not other entries', false)}
          {check('preventRecursion', 'Its text does not trigger other entries', false)}
          <Field label="Waits for recursion level" error={err('delayUntilRecursion')}>
            <input
              type="number"
              min={0}
              max={LOREBOOK_LIMITS.recursionLevel}
              data-testid={id('delayUntilRecursion')}
              placeholder="off"
              value={typeof delayUntil === 'number' ? String(delayUntil) : delayUntil === true ? '1' : ''}
              onChange={(e) =>
                set('delayUntilRecursion', e.target.value === '' ? (delayUntil === false ? false : undefined) : Number(e.target.value))
              }
            />
          </Field>
        </>,
      )}
      {group(
        'More',
        <>
          {check('ignoreBudget', 'Always included, even over the token budget', false)}
          {text('automationId', 'Automation id', '')}
          <Field
            label="Only when generating (comma separated: normal, continue, impersonate, swipe, regenerate, quiet)"
            error={err('triggers')}
          >
            <input
              data-testid={id('triggers')}
              value={(entry.triggers ?? []).join(', ')}
              onChange={(e) =>
                set(
                  'triggers',
                  e.target.value.trim()
                    ? e.target.value
                        .split(',')
                        .map((t) => t.trim())
                        .filter(Boolean)
                    : undefined,
                )
              }
            />
          </Field>
          {text('name', 'Name (card V2)', '')}
          {check('vectorized', 'Vectorized (SillyTavern vector storage)', false)}
          {check('addMemo', 'Show the title in SillyTavern', false)}
          {check('matchPersonaDescription', "Also search the user's persona", false)}
          {check('matchCharacterDescription', "Also search the character's description", false)}
          {check('matchCharacterPersonality', "Also search the character's personality", false)}
          {check('matchCharacterDepthPrompt', "Also search the character's depth prompt", false)}
          {check('matchScenario', 'Also search the scenario', false)}
          {check('matchCreatorNotes', "Also search the creator's notes", false)}
        </>,
      )}
      {err('(entry)') && <span className="field-error">{err('(entry)')}</span>}
      <div className="actions">
        <button type="button" className="link danger" data-testid="lorebook-entry-remove" onClick={props.onRemove}>
          Remove this entry
        </button>
      </div>
    </details>
  );
}
