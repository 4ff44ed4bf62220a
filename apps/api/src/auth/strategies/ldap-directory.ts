import { Injectable, Logger } from '@nestjs/common';
import {
  Client,
  Filter,
  InvalidCredentialsError,
  SizeLimitExceededError,
  type Entry,
} from 'ldapts';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { AppError } from '../../common/errors';
import type { LdapSettings } from '../../common/sso-config';

/** What the directory says about a user whose password it accepted. */
export interface DirectoryUser {
  dn: string;
  /** entryUUID (OpenLDAP), objectGUID (AD, hex), or the DN when the server has neither. */
  externalId: string;
  username: string;
  email: string | null;
  /** DNs of the user's groups, as the directory spells them. */
  groups: string[];
}

const OPERATION_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;

const first = (v: Entry[string] | undefined): string | null => {
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined) return null;
  return Buffer.isBuffer(one) ? one.toString('hex') : one;
};

const all = (v: Entry[string] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) =>
    Buffer.isBuffer(x) ? x.toString('utf8') : x,
  );

const unavailable = () =>
  new AppError('DIRECTORY_UNAVAILABLE', 'The directory cannot be reached; try again later');

/**
 * The LDAP side effects (ldapts): one connection per sign-in, bound as the service account to
 * find the entry and its groups, then re-bound as the user to check the password. Every input
 * reaching a filter is escaped (RFC 4515); TLS certificates are always verified.
 */
@Injectable()
export class LdapDirectory {
  private readonly logger = new Logger(LdapDirectory.name);

  /** The user, or null when the name is unknown, ambiguous or the password is wrong. */
  async authenticate(
    s: LdapSettings,
    username: string,
    password: string,
  ): Promise<DirectoryUser | null> {
    const tls: ConnectionOptions = {
      ca: s.ca ?? undefined,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    };
    const client = new Client({
      url: s.url,
      timeout: OPERATION_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Only for ldaps://: ldapts speaks TLS from the first byte whenever it is given TLS options.
      tlsOptions: s.url.startsWith('ldaps:') ? tls : undefined,
      strictDN: true,
    });
    try {
      if (s.startTls) {
        // ldapts upgrades the socket without naming the server: name it, or Node would check the
        // certificate against "localhost".
        const host = new URL(s.url).hostname.replace(/^\[|\]$/g, '');
        await client.startTLS({ ...tls, host, servername: isIP(host) ? undefined : host });
      }
      await client.bind(s.bindDn, s.bindPassword);
      const entry = await this.findUser(client, s, username);
      if (!entry) return null;
      const groups = await this.groupsOf(client, s, entry, username);
      // Last, so the group search above ran with the service account's rights.
      try {
        await client.bind(entry.dn, password);
      } catch (e) {
        if (e instanceof InvalidCredentialsError) return null;
        throw e;
      }
      return {
        dn: entry.dn,
        externalId: first(entry['entryUUID']) ?? first(entry['objectGUID']) ?? entry.dn,
        username: first(entry[s.attrUsername]) ?? username,
        email: first(entry[s.attrEmail]),
        groups,
      };
    } catch (e) {
      // The service bind failing, a missing base, TLS refused, the server down: all mean the
      // directory cannot answer, and none may turn into a 500 or an anonymous retry.
      this.logger.warn(`LDAP sign-in failed: ${(e as Error).message || (e as Error).name}`);
      throw unavailable();
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private async findUser(client: Client, s: LdapSettings, username: string): Promise<Entry | null> {
    const filter = s.userFilter.replaceAll('{{username}}', Filter.escape(username));
    try {
      const { searchEntries } = await client.search(s.searchBase, {
        scope: 'sub',
        filter,
        sizeLimit: 2,
        attributes: [
          'entryUUID',
          'objectGUID',
          'memberOf',
          s.attrUsername,
          s.attrEmail,
          s.attrName,
        ],
        explicitBufferAttributes: ['objectGUID'],
      });
      // Two entries for one name: refuse rather than guess which one is meant.
      return searchEntries.length === 1 ? searchEntries[0] : null;
    } catch (e) {
      if (e instanceof SizeLimitExceededError) return null;
      throw e;
    }
  }

  private async groupsOf(
    client: Client,
    s: LdapSettings,
    entry: Entry,
    username: string,
  ): Promise<string[]> {
    if (s.groupSearchBase === null) return all(entry['memberOf']);
    const filter = s.groupFilter
      .replaceAll('{{dn}}', Filter.escape(entry.dn))
      .replaceAll('{{username}}', Filter.escape(username));
    const { searchEntries } = await client.search(s.groupSearchBase, {
      scope: 'sub',
      filter,
      attributes: ['dn'],
      sizeLimit: 1000,
    });
    return searchEntries.map((g) => g.dn);
  }
}
