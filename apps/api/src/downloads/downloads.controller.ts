import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Auth } from '../common/access.decorator';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { AppError } from '../common/errors';
import { ApiDoc } from '../openapi/api-doc.decorator';

/**
 * The agent and its installer, public like the login page: a host being added has no session.
 * Both are built by the api build next to the hub's bundle (tools/build/build-agent.mjs); the
 * files are read once and kept.
 */
@Controller('downloads')
export class DownloadsController {
  private readonly cache = new Map<string, Buffer>();

  constructor(@Inject(TYTO_CONFIG) private readonly config: TytoConfig) {}

  @Get('tyto-agent.js')
  @ApiDoc({
    summary: 'The agent as one self-contained JavaScript file (runs on Node >= 20)',
    produces: ['text/javascript'],
  })
  @Auth('public')
  async agent(@Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    // Headers only once the file is there: a 404 goes out as the usual JSON error.
    const data = await this.file('tyto-agent.js');
    reply.header('content-type', 'text/javascript; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="tyto-agent.js"');
    return data;
  }

  @Get('install.sh')
  @ApiDoc({
    summary: 'Installs the agent with a systemd unit; flags pass through to the agent',
    produces: ['text/x-shellscript'],
  })
  @Auth('public')
  async install(@Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const data = await this.file('install.sh');
    reply.header('content-type', 'text/x-shellscript; charset=utf-8');
    return data;
  }

  private async file(name: string): Promise<Buffer> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const dir = this.config.downloadsDir;
    if (!dir) throw new AppError('NOT_FOUND', `${name} is not part of this build`);
    try {
      const data = await readFile(path.join(dir, name));
      this.cache.set(name, data);
      return data;
    } catch {
      throw new AppError('NOT_FOUND', `${name} is not part of this build (run the api build)`);
    }
  }
}
