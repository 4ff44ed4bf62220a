import type { ErrorBody } from '@tyto/contracts';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { codeForStatus } from './error.filter';

/**
 * Answers what Node's HTTP parser refuses before Fastify or Nest see a request (a broken request
 * line, oversized headers, a request that took too long) with the API's `{error, code, details}`
 * body rather than Fastify's own shape, then closes the connection as Node does: after a parse
 * error nothing more can be read from it. Fastify's `clientErrorHandler` option.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive']
        : [400, 'Malformed HTTP request'];
  const body: ErrorBody = { error: message, code: codeForStatus(status), details: {} };
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(err);
}
