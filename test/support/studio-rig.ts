import type { IpcResult } from '../../shared/errors';
import type { Channel, Input, Output } from '../../shared/contract';
import { createStudio, type Studio, type StudioOptions } from '../../electron/host/studio';
import type { CallContext } from '../../electron/host/ipc/router';
import { testChromaLaunch } from './chroma';

export const TEST_SENDER: CallContext = { sender: { transport: 'test', origin: 'test://studio', topFrame: true, trusted: true } };

/** A whole studio host in this process, on a temp data folder, with a real Chroma server. */
export async function startStudio(dataDir: string, options: Partial<StudioOptions> = {}) {
  const quits: string[] = [];
  const studio = await createStudio({
    mode: 'web',
    dataDir,
    chromaLaunch: testChromaLaunch(),
    requestQuit: (reason) => quits.push(reason),
    ...options,
  });
  await studio.start();
  return { studio, quits, call: caller(studio) };
}

/** Calls a channel through the router, as the renderer would; throws on an error result. */
export function caller(studio: Studio) {
  return async <C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> => {
    const result = (await studio.router.call(channel, input, TEST_SENDER)) as IpcResult<Output<C>>;
    if (!result.ok) throw Object.assign(new Error(`${channel}: ${result.error.code}: ${result.error.message}`), { ipc: result.error });
    return result.value;
  };
}
