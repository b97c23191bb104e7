/** The two Electron IPC channels the preload uses; everything else is routed by the contract's channel name. */
export const ELECTRON_INVOKE = 'studio:invoke';
export const ELECTRON_EVENT = 'studio:event';
