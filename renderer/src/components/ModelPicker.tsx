import { useEffect, useId, useState, type ChangeEvent } from 'react';
import type { AvailableModel } from '../../../shared/models';
import { bridge } from '../bridge';
import { formatBytes } from '../format';

/**
 * The NPC's model: a text field that offers Ollama's models on disk (for a local NPC), and still takes any
 * typed name (a model not pulled yet, or a Bedrock model id).
 */
export function ModelPicker(props: {
  value: string;
  local: boolean;
  placeholder: string;
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
}) {
  const listId = useId();
  const [models, setModels] = useState<AvailableModel[]>([]);
  const [unreachable, setUnreachable] = useState(false);
  const { local } = props;

  useEffect(() => {
    if (!local) return;
    let live = true;
    bridge()
      .invoke('models.list', {})
      .then((list) => live && (setModels(list.available), setUnreachable(false)))
      .catch(() => live && setUnreachable(true));
    return () => {
      live = false;
    };
  }, [local]);

  const missing =
    local &&
    models.length > 0 &&
    props.value.trim() !== '' &&
    !models.some((m) => m.name === props.value || m.name === `${props.value}:latest`);
  return (
    <>
      <input
        data-testid="npc-field-model"
        list={local ? listId : undefined}
        value={props.value}
        onChange={props.onChange}
        placeholder={props.placeholder}
      />
      {local && (
        <datalist id={listId} data-testid="npc-model-options">
          {models.map((m) => (
            <option key={m.name} value={m.name}>
              {`${m.family} ${m.parameterSize}, ${formatBytes(m.sizeBytes)}`}
            </option>
          ))}
        </datalist>
      )}
      {missing && <small data-testid="npc-model-missing">Ollama does not have this model yet: pull it in Resources → Models.</small>}
      {local && unreachable && <small>Ollama's model list is not available right now; type the name.</small>}
    </>
  );
}
