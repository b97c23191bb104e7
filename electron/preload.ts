/*
 * The renderer's only door to the host: `window.studio.invoke` for the contract's channels and
 * `window.studio.on` for its events. Never raw ipcRenderer; the Electron event object is stripped.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_NAMES } from '../shared/channel-names';
import type { Channel } from '../shared/contract';
import { ELECTRON_EVENT, ELECTRON_INVOKE } from '../shared/electron-ipc';
import { EVENT_NAMES, type EventName } from '../shared/events';
import type { StudioPreloadApi } from '../shared/studio-api';

const channels = new Set<string>(CHANNEL_NAMES);
const events = new Set<string>(EVENT_NAMES);

const api: StudioPreloadApi = {
  invoke(channel: Channel, input: unknown) {
    if (!channels.has(channel))
      return Promise.resolve({
        ok: false,
        error: { code: 'ValidationError', message: `unknown channel "${String(channel)}"`, issues: [] },
      });
    return ipcRenderer.invoke(ELECTRON_INVOKE, channel, input);
  },
  on(event: EventName, callback: (payload: never) => void) {
    if (!events.has(event)) throw new Error(`unknown event "${String(event)}"`);
    const listener = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) callback(payload as never);
    };
    ipcRenderer.on(ELECTRON_EVENT, listener);
    return () => ipcRenderer.off(ELECTRON_EVENT, listener);
  },
};

contextBridge.exposeInMainWorld('studio', api);
