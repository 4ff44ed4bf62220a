import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The fixture directory's suffix, service account and password every fixture user has. */
export const LDAP_SUFFIX = 'dc=example,dc=org';
export const LDAP_ADMIN_DN = `cn=admin,${LDAP_SUFFIX}`;
export const LDAP_ADMIN_PASSWORD = 'slapd-admin-secret';
export const LDAP_USER_PASSWORD = 'directory-pass-1';
export const GROUP_OPS = `cn=ops,ou=groups,${LDAP_SUFFIX}`;
export const GROUP_VIEWERS = `cn=viewers,ou=groups,${LDAP_SUFFIX}`;

export interface Slapd {
  url: string;
  /** Lines slapd logged (stats level): binds, searches, connections. */
  log(): string[];
  /**
   * Bind operations slapd has received so far, from its own counter (the monitor backend's
   * `cn=Bind,cn=Operations,cn=Monitor`), read synchronously over a unix socket: exact, with no
   * wait for log lines. The reads themselves are not counted.
   */
  binds(): number;
  /** Connections slapd has accepted so far (`cn=Total,cn=Connections,cn=Monitor`), likewise. */
  connections(): number;
  /** Runs ldapmodify as the admin with the given LDIF. */
  modify(ldif: string): void;
  stop(): Promise<void>;
}

const user = (uid: string, name: string) => `dn: uid=${uid},ou=people,${LDAP_SUFFIX}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${name}
sn: ${name.split(' ').pop() ?? name}
mail: ${uid}@example.org
userPassword: ${LDAP_USER_PASSWORD}
`;

const group = (cn: string, members: string[]) => `dn: cn=${cn},ou=groups,${LDAP_SUFFIX}
objectClass: groupOfNames
cn: ${cn}
${members.map((m) => `member: uid=${m},ou=people,${LDAP_SUFFIX}`).join('\n')}
`;

/**
 * The fixture: alice in ops, bob in viewers, dave in both, carol in no group, and `adm1n` (a
 * name `adm*` would match). erin starts in viewers; tests move her with `modify`.
 */
const ENTRIES = [
  `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
  `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people\n`,
  `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n`,
  user('alice', 'Alice Ops'),
  user('bob', 'Bob Viewer'),
  user('carol', 'Carol Nogroup'),
  user('dave', 'Dave Both'),
  user('erin', 'Erin Mover'),
  user('adm1n', 'Adm One'),
].join('\n');
const GROUPS = [group('ops', ['alice', 'dave']), group('viewers', ['bob', 'dave', 'erin'])].join(
  '\n',
);

export interface SlapdOptions {
  /**
   * Serve ldaps:// with this certificate and key instead of ldap://, or, with `startTls`,
   * ldap:// that offers StartTLS with them.
   */
  tls?: { certFile: string; keyFile: string; startTls?: boolean };
  /**
   * Load the `memberof` overlay (Debian's memberof.la), which keeps `memberOf` on each user
   * entry in step with the groups' `member` values. The groups are then added over LDAP once
   * slapd runs (slapadd bypasses overlays), so `memberOf` is the overlay's work, as is every
   * later change made with `modify`.
   */
  memberOf?: boolean;
}

/** Starts OpenLDAP's slapd on a loopback port with the fixture directory (cn=config, mdb). */
export async function startSlapd(port: number, options: SlapdOptions = {}): Promise<Slapd> {
  const { tls, memberOf = false } = options;
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-slapd-'));
  const confDir = path.join(dir, 'slapd.d');
  const dbDir = path.join(dir, 'db');
  // The monitor counters are read over this socket, apart from the listener under test.
  const ldapi = `ldapi://${encodeURIComponent(path.join(dir, 'ldapi'))}`;
  mkdirSync(confDir);
  mkdirSync(dbDir);
  const tlsConfig = tls
    ? `olcTLSCertificateFile: ${tls.certFile}\nolcTLSCertificateKeyFile: ${tls.keyFile}\n`
    : '';
  const memberOfOverlay = memberOf
    ? `
dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfRefInt: TRUE
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf
`
    : '';
  const config = `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${dir}/slapd.pid
${tlsConfig}
dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
${memberOf ? 'olcModuleLoad: memberof\n' : ''}
dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${LDAP_SUFFIX}
olcRootDN: ${LDAP_ADMIN_DN}
olcRootPW: ${LDAP_ADMIN_PASSWORD}
olcDbDirectory: ${dbDir}
olcDbMaxSize: 16777216
olcAccess: {0}to attrs=userPassword by anonymous auth by * none
olcAccess: {1}to * by users read by * none
${memberOfOverlay}
dn: olcDatabase={2}monitor,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {2}monitor
olcAccess: {0}to * by * read
`;
  writeFileSync(path.join(dir, 'config.ldif'), config);
  writeFileSync(path.join(dir, 'data.ldif'), memberOf ? ENTRIES : `${ENTRIES}\n${GROUPS}`);
  execFileSync('/usr/sbin/slapadd', ['-n0', '-F', confDir, '-l', path.join(dir, 'config.ldif')], {
    stdio: 'pipe',
  });
  execFileSync('/usr/sbin/slapadd', ['-n1', '-F', confDir, '-l', path.join(dir, 'data.ldif')], {
    stdio: 'pipe',
  });
  const url = `${tls && !tls.startTls ? 'ldaps' : 'ldap'}://127.0.0.1:${port}`;
  // -d stats keeps slapd in the foreground and logs every operation to stderr: the tests count
  // the binds that reached it.
  const child: ChildProcess = spawn(
    '/usr/sbin/slapd',
    ['-d', 'stats', '-h', `${url}/ ${ldapi}`, '-F', confDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const lines: string[] = [];
  let buffered = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  // "slapd starting" is logged before the listener accepts: wait for a connection to succeed.
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`slapd did not start on ${url}:\n${lines.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const admin = (ldif: string, add = false) =>
    execFileSync(
      '/usr/bin/ldapmodify',
      [...(add ? ['-a'] : []), '-x', '-H', ldapi, '-D', LDAP_ADMIN_DN, '-w', LDAP_ADMIN_PASSWORD],
      { input: ldif, stdio: ['pipe', 'pipe', 'pipe'] },
    );
  if (memberOf) admin(GROUPS, true);
  // Each read of the counters is one anonymous connection and bind of its own: not counted.
  let reads = 0;
  const counters = () => {
    reads++;
    const out = execFileSync(
      '/usr/bin/ldapsearch',
      [
        '-LLL',
        '-x',
        '-H',
        ldapi,
        '-b',
        'cn=Monitor',
        '(|(&(cn=Bind)(monitorOpInitiated=*))(&(cn=Total)(monitorCounter=*)))',
        'monitorOpInitiated',
        'monitorCounter',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const value = (name: string) => {
      const m = new RegExp(`^${name}: (\\d+)$`, 'm').exec(out);
      if (!m) throw new Error(`slapd's monitor has no ${name}:\n${out}`);
      return Number(m[1]) - reads;
    };
    return { binds: value('monitorOpInitiated'), connections: value('monitorCounter') };
  };
  let stopped = false;
  return {
    url,
    log: () => [...lines],
    binds: () => counters().binds,
    connections: () => counters().connections,
    modify: (ldif: string) => void admin(ldif),
    async stop() {
      if (stopped) return;
      stopped = true;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A self-signed certificate for 127.0.0.1 (an unknown CA to the hub), written to a temp dir. */
export function selfSignedCertificate(): { certFile: string; keyFile: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-ldaps-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  return { certFile, keyFile, dir };
}
