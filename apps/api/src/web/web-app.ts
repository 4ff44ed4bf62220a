import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Serves the built Angular app at `/`: files as they are, and index.html for any other GET that
 * is not under /api or /health, so deep links survive a reload. API 404s stay JSON.
 */
export function mountWebApp(app: Express, webDir: string): boolean {
  const index = path.join(webDir, 'index.html');
  if (!existsSync(index)) return false;
  app.use(express.static(webDir, { index: false, maxAge: '1h' }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const isApi =
      req.path.startsWith('/api/') || req.path === '/api' || req.path.startsWith('/health');
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi || !req.accepts('html'))
      return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
