import { z } from 'zod';

/**
 * A link the studio may open outside itself: web (http, https) and mail links only; file:, javascript:, data: and
 * relative links never leave it. Used by app.openExternal and by the renderer before it asks.
 */
export const externalLinkSchema = z
  .url({ protocol: /^(https?|mailto)$/, error: 'only http, https and mailto links can be opened' })
  .max(2048, 'the link is longer than 2,048 characters');
