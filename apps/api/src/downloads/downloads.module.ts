import { Module } from '@nestjs/common';
import { DownloadsController } from './downloads.controller';

/** `GET /downloads/tyto-agent.js` and `GET /downloads/install.sh`. */
@Module({ controllers: [DownloadsController] })
export class DownloadsModule {}
