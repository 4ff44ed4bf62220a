import { SESSION_COOKIE } from '@tyto/contracts';
import type { FastifyRequest } from 'fastify';

/** Reads one cookie without pulling in a parser for the single cookie the hub sets. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        // Not percent-encoding the hub wrote: no token rather than a 500.
        return null;
      }
    }
  }
  return null;
}

/** The session token a request carries: `Authorization: Bearer`, else the session cookie. */
export function requestToken(req: FastifyRequest): { token: string; cookie: boolean } | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
  if (bearer) return { token: bearer, cookie: false };
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
  return cookie ? { token: cookie, cookie: true } : null;
}
