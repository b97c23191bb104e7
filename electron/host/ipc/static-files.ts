import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Vite names what it builds into assets/ (the entry and the panels' chunks) after a hash of the content, so such a
 * file never changes under its name: the browser may keep it. The page itself is never cached (a rebuild's new names).
 */
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8}\.(js|css)$/;

function cacheControl(pathname: string, type: string): string {
  if (type.startsWith('text/html')) return 'no-store';
  return HASHED_ASSET.test(pathname) ? 'max-age=31536000, immutable' : 'no-cache';
}

/** The renderer's Content-Security-Policy: nothing inline, nothing remote, sockets only to this host. */
export function contentSecurityPolicy(origin: string): string {
  const wsOrigin = origin.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${wsOrigin}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The page URL carries the token: never send it elsewhere.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export function sendPlain(res: ServerResponse, status: number, text: string, csp: string): void {
  res.writeHead(status, { ...securityHeaders(csp), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

async function fileAt(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

/**
 * Serves files under `root` for GET and HEAD. Paths outside `root` are 404; an extensionless path
 * falls back to index.html (one-page app).
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, csp: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendPlain(res, 405, 'Method not allowed', csp);
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return sendPlain(res, 400, 'Bad path', csp);
  }
  const base = resolve(root);
  let file = resolve(base, '.' + (pathname.endsWith('/') ? pathname + 'index.html' : pathname));
  if (file !== base && !file.startsWith(base + sep)) return sendPlain(res, 404, 'Not found', csp);
  let size = await fileAt(file);
  if (size === null && extname(pathname) === '') {
    file = resolve(base, 'index.html');
    size = await fileAt(file);
  }
  if (size === null) return sendPlain(res, 404, 'Not found', csp);
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...securityHeaders(csp),
    'Content-Type': type,
    'Content-Length': String(size),
    'Cache-Control': cacheControl(pathname, type),
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(file), res).catch(() => res.destroy());
}
