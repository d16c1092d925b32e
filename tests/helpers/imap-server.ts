import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const DOVECOT = '/usr/sbin/dovecot';

export interface ImapServer {
  host: string;
  port: number;
  user: string;
  /** The password the server takes now. */
  password: string;
  /** `imap://user:password@127.0.0.1:port` (the password given, else the right one). */
  url(password?: string): string;
  /** Changes the user's password; Dovecot re-reads its passwd-file at the next login. */
  setPassword(password: string): void;
  /** Stops Dovecot (its sessions are dropped); the mail stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Dovecot's own log. */
  log(): string;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The name of a group id, from /etc/group (Dovecot's settings take names). */
function groupName(gid: number): string {
  const entry = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => Number(f[2]) === gid);
  if (!entry) throw new Error(`group ${gid} has no name in /etc/group, which Dovecot needs`);
  return entry[0]!;
}

/** Resolves once the server sends its IMAP greeting (`* OK`). */
async function greeting(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}:\n${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(2000);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('* OK'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not answer on 127.0.0.1:${port}:\n${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`);
}

/**
 * A throwaway Dovecot IMAP server (Debian's dovecot-imapd) on 127.0.0.1: its own config, passwd-file,
 * Maildir, state and log in a temp folder, one user, plaintext login allowed (loopback only, no TLS).
 * Run as root it uses the package's `dovecot` and `dovenull` users (Dovecot will not give mail to uid 0);
 * otherwise it runs entirely as the current user.
 *
 * @example
 * const imap = await startImapServer();
 * const reader = startImapReader({ url: imap.url(), ... });
 * await imap.close();
 */
export async function startImapServer(): Promise<ImapServer> {
  if (!existsSync(DOVECOT)) {
    throw new Error(`${DOVECOT} is missing: the IMAP tests run a real Dovecot. Install it with: apt-get install -y dovecot-imapd`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-dovecot-'));
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const [internalUser, loginUser] = root ? ['dovecot', 'dovenull'] : [me.username, me.username];
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'state'));
  let mailUid = me.uid;
  let mailGid = me.gid;
  if (root) {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f[0] === 'dovecot');
    if (!entry) throw new Error('The dovecot user is missing (it comes with the package): apt-get install -y dovecot-imapd');
    mailUid = Number(entry[2]);
    mailGid = Number(entry[3]);
    chownSync(mail, mailUid, mailGid);
    // Dovecot's auth process (the dovecot user) reads the passwd-file in here.
    chmodSync(dir, 0o755);
  }
  const port = await freePort();
  const user = 'daybreak';
  let password = 'right-password';
  const passwdFile = join(dir, 'passwd');
  const writePasswd = () => writeFileSync(passwdFile, `${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${join(mail, user)}\n`);
  writePasswd();
  const logFile = join(dir, 'dovecot.log');
  const confFile = join(dir, 'dovecot.conf');
  writeFileSync(
    confFile,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
instance_name = daybreak-test-${port}
log_path = ${logFile}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
${root ? '' : `default_internal_group = ${groupName(me.gid)}\n`}first_valid_uid = ${mailUid}
first_valid_gid = ${mailGid}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwdFile}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${passwdFile}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
  # No auth penalty (a login delayed up to 15 s after failed ones): the tests fail logins on purpose.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`,
  );

  let child: ChildProcess | null = null;
  const start = async () => {
    // A process group of its own: stopping it ends the IMAP sessions too, which Dovecot's master leaves
    // running when it is told to stop.
    const c = spawn(DOVECOT, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child = c;
    try {
      await greeting(port, c, logFile);
    } catch (error) {
      c.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${stderr}`);
    }
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    process.kill(-c.pid!, 'SIGTERM');
    await exited;
    // What is left of the group (sessions, the log process) goes now.
    const alive = () => {
      try {
        process.kill(-c.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (alive()) process.kill(-c.pid!, 'SIGKILL');
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
  };
  await start();

  return {
    host: '127.0.0.1',
    port,
    user,
    get password() {
      return password;
    },
    url: (pw = password) => `imap://${user}:${encodeURIComponent(pw)}@127.0.0.1:${port}`,
    setPassword(pw) {
      password = pw;
      writePasswd();
    },
    stop,
    start,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
