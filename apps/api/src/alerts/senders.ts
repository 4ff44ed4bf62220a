import type { Alert, AlertEvent, ChannelType, EmailSettings } from '@tyto/contracts';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createTransport } from 'nodemailer';
import { guardedLookup, outgoingUrlProblem, resolveAllowed } from './outgoing-url';

const TIMEOUT_MS = 10_000;
/** Bytes of a failed answer's body kept for the channel's last error. */
const ERROR_BODY_BYTES = 200;

const TYPE_LABEL: Record<Alert['type'], string> = {
  cpu: 'CPU',
  memory: 'Memory',
  disk: 'Disk',
  swap: 'Swap',
  load: 'Load per core',
  inodes: 'Inodes',
  temperature: 'Temperature',
  gpu: 'GPU utilisation',
  gpu_temperature: 'GPU temperature',
  container: 'Container',
  systemd: 'Service',
  host_offline: 'Host offline',
};

/** One line for people, as notifications and the Alerts page show it. */
export function alertMessage(
  a: Pick<Alert, 'type' | 'subject' | 'value' | 'threshold' | 'agent_id' | 'level'>,
): string {
  const what = a.subject ? `${TYPE_LABEL[a.type]} ${a.subject}` : TYPE_LABEL[a.type];
  if (a.type === 'host_offline') return `${a.agent_id} sent no sample for ${a.value}s`;
  if (a.type === 'container') {
    return `Container ${a.subject} on ${a.agent_id} stopped or is unhealthy`;
  }
  if (a.type === 'systemd') return `Unit ${a.subject} on ${a.agent_id} failed`;
  // ASCII only: the line goes into mail subjects and HTTP headers (ntfy) as it is.
  const unit = a.type.includes('temperature') ? ' C' : a.type === 'load' ? '' : '%';
  const v = Math.round(a.value * 10) / 10;
  return `${what} ${v}${unit} >= ${a.threshold ?? '?'}${unit} on ${a.agent_id}`;
}

export function subjectLine(e: AlertEvent): string {
  const tag =
    e.change === 'resolved'
      ? 'RESOLVED'
      : e.change === 'test'
        ? 'TEST'
        : e.alert.level.toUpperCase();
  return `[Tyto ${tag}] ${e.alert.message}`;
}

function bodyText(e: AlertEvent): string {
  const a = e.alert;
  return [
    subjectLine(e),
    '',
    `Host: ${a.agent_id}`,
    `Type: ${a.type}${a.subject ? ` (${a.subject})` : ''}`,
    `Level: ${a.level}`,
    `Change: ${e.change}`,
    `Raised: ${a.created_at}`,
    ...(a.resolved_at ? [`Resolved: ${a.resolved_at}`] : []),
    `Alert id: ${a.id}`,
  ].join('\n');
}

/** A header value HTTP accepts: printable ASCII (names and hosts may be anything). */
const headerValue = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 250);

export interface HttpNotification {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The request each HTTP channel type expects. */
export function httpNotification(
  type: Exclude<ChannelType, 'email'>,
  url: string,
  secret: string | null,
  event: AlertEvent,
  deliveryId: string,
): HttpNotification {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Tyto',
    'x-tyto-delivery': deliveryId,
    'x-tyto-event': event.change,
  };
  const crit = event.alert.level === 'critical' && event.change !== 'resolved';
  switch (type) {
    case 'webhook': {
      const body = JSON.stringify(event);
      if (secret) {
        headers['x-tyto-signature'] =
          `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      }
      return { url, headers, body };
    }
    case 'slack':
      return { url, headers, body: JSON.stringify({ text: bodyText(event) }) };
    case 'teams':
      return {
        url,
        headers,
        body: JSON.stringify({
          '@type': 'MessageCard',
          '@context': 'https://schema.org/extensions',
          summary: subjectLine(event),
          themeColor: event.change === 'resolved' ? '2e7d32' : crit ? 'c62828' : 'f9a825',
          title: subjectLine(event),
          text: bodyText(event).split('\n').slice(2).join('  \n'),
        }),
      };
    case 'ntfy':
      return {
        url,
        headers: {
          ...headers,
          'content-type': 'text/plain; charset=utf-8',
          title: headerValue(subjectLine(event)),
          priority: event.change === 'resolved' ? '3' : crit ? '5' : '4',
          tags: event.change === 'resolved' ? 'white_check_mark' : 'warning',
          ...(secret ? { authorization: `Bearer ${secret}` } : {}),
        },
        body: bodyText(event),
      };
    case 'gotify':
      return {
        url,
        headers: { ...headers, ...(secret ? { 'x-gotify-key': secret } : {}) },
        body: JSON.stringify({
          title: subjectLine(event),
          message: bodyText(event),
          priority: event.change === 'resolved' ? 3 : crit ? 8 : 5,
        }),
      };
  }
}

/**
 * POSTs once. Any 2xx is success; a redirect is an error (never followed: it could lead
 * anywhere); names resolving to blocked addresses are refused at connect time.
 */
export function post(n: HttpNotification): Promise<void> {
  const problem = outgoingUrlProblem(n.url);
  if (problem) return Promise.reject(new Error(`URL ${problem}`));
  const url = new URL(n.url);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...n.headers, 'content-length': String(Buffer.byteLength(n.body)) },
        lookup: guardedLookup as never,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < ERROR_BODY_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const text = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_BYTES);
          const why = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
          reject(new Error(`HTTP ${status}${why}${text ? `: ${text}` : ''}`));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)));
    req.on('error', reject);
    req.end(n.body);
  });
}

/** Sends one mail over SMTP; the host is resolved once and checked like URLs are. */
export async function sendEmail(
  settings: EmailSettings,
  password: string | null,
  event: AlertEvent,
): Promise<void> {
  const address = await resolveAllowed(settings.host);
  const transport = createTransport({
    host: address,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    auth: settings.username ? { user: settings.username, pass: password ?? '' } : undefined,
    // Certificates are checked against the name, not the address connected to.
    tls: { servername: settings.host },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: subjectLine(event),
      text: bodyText(event),
      headers: { 'X-Tyto-Alert': event.alert.id },
    });
  } finally {
    transport.close();
  }
}
