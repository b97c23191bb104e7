import { externalLinkSchema } from '../../../shared/links';
import { bridge } from '../bridge';

/** Only web and mail links leave the studio; anything else (file:, javascript:, data:) is never opened. */
export function isOpenableLink(href: string): boolean {
  return externalLinkSchema.safeParse(href).success;
}

export type OpenOutcome = 'opened' | 'refused';

/**
 * Opens a link the designer confirmed, outside the studio: the desktop app asks the host (app.openExternal, the
 * system browser); in a browser (the web host) a new tab with no opener. A failure is thrown (StudioError).
 */
export async function openOutside(href: string): Promise<OpenOutcome> {
  if (!isOpenableLink(href)) return 'refused';
  if (bridge().kind === 'electron') {
    await bridge().invoke('app.openExternal', { url: href });
    return 'opened';
  }
  window.open(href, '_blank', 'noopener,noreferrer');
  return 'opened';
}
