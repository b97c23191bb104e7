import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..', '..');

type Listener = (...args: unknown[]) => void;

/** What the preload did to the fake `electron` module. */
export interface PreloadRecord {
  /** Every module the preload asked `require` for. */
  required: string[];
  exposed: { key: string; api: Record<string, unknown> }[];
  invokes: unknown[][];
  /** ipcRenderer channels the preload touched, with the method. */
  ipcUses: { method: string; channel: string }[];
  /** Listeners the preload added, per channel, still attached. */
  listeners: Map<string, Set<Listener>>;
  /** Calls `ipcRenderer`'s listeners on `channel` as Electron would: event object first. */
  emit(channel: string, ...args: unknown[]): void;
}

/**
 * electron/preload.ts bundled as vite-plugin-electron bundles it (CommonJS, `electron` left external),
 * so the test covers the source on a fresh clone without an Electron build.
 */
export async function bundlePreload(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO, 'electron', 'preload.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * Runs a bundled preload in a fresh V8 context, as a sandboxed preload runs: `require` answers only
 * "electron" (with a recording fake), there is no `process` or Node API.
 */
export function runPreload(code: string, invokeResult: unknown = { ok: true, value: 'from main' }): PreloadRecord {
  const record: PreloadRecord = {
    required: [],
    exposed: [],
    invokes: [],
    ipcUses: [],
    listeners: new Map(),
    emit(channel, ...args) {
      for (const listener of [...(record.listeners.get(channel) ?? [])]) listener(...args);
    },
  };
  const ipcRenderer = {
    invoke(channel: string, ...args: unknown[]) {
      record.ipcUses.push({ method: 'invoke', channel });
      record.invokes.push([channel, ...args]);
      return Promise.resolve(invokeResult);
    },
    on(channel: string, listener: Listener) {
      record.ipcUses.push({ method: 'on', channel });
      const set = record.listeners.get(channel) ?? new Set<Listener>();
      set.add(listener);
      record.listeners.set(channel, set);
      return ipcRenderer;
    },
    off(channel: string, listener: Listener) {
      record.ipcUses.push({ method: 'off', channel });
      record.listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: Listener) {
      return ipcRenderer.off(channel, listener);
    },
    send(channel: string) {
      record.ipcUses.push({ method: 'send', channel });
    },
    sendSync(channel: string) {
      record.ipcUses.push({ method: 'sendSync', channel });
    },
  };
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: Record<string, unknown>) {
        record.exposed.push({ key, api });
      },
    },
    ipcRenderer,
  };
  const module = { exports: {} };
  const require = (name: string) => {
    record.required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require "${name}"`);
  };
  runInNewContext(
    `(function (module, exports, require) {\n${code}\n})(module, module.exports, require);`,
    { module, require },
    { filename: 'preload.js' },
  );
  return record;
}
