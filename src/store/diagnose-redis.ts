import { connect } from 'node:net';

const TIMEOUT_MS = 3_000;

/**
 * Why a Redis store could not be opened, in the user's words: the client library says only
 * "failed to connect". One raw conversation (AUTH, SELECT, PING) tells an unreachable server,
 * a refused password and a missing database apart. Never repeats the password.
 */
export async function diagnoseRedis(url: string): Promise<string> {
  const u = new URL(url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 6379);
  const at = `${host}:${port}`;
  const db = u.pathname.replace(/^\//, '') || '0';
  const commands: string[][] = [];
  if (u.password) commands.push(u.username ? ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)] : ['AUTH', decodeURIComponent(u.password)]);
  commands.push(['SELECT', db], ['PING']);
  let replies: string[];
  try {
    replies = await converse(host, port, u.protocol === 'rediss:', commands);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `no host named ${host} (check the host in BRIDGE_STORE)`;
    if (code === 'ECONNREFUSED') return `nothing answers at ${at}: is Redis running there? (check the host and port in BRIDGE_STORE)`;
    if (code === 'TLS') return `${at} did not answer as a Redis server over TLS (rediss://): check the scheme and port in BRIDGE_STORE`;
    return `Redis at ${at} did not answer within ${TIMEOUT_MS / 1000} s (${code ?? (error as Error).message}): check the host, the port and any firewall`;
  }
  const [first, ...rest] = replies;
  const reply = (i: number) => (u.password ? [first, ...rest][i] : [undefined, first, ...rest][i]) ?? '';
  if (u.password && /^-/.test(reply(0))) return `Redis at ${at} refused the password (check the password in BRIDGE_STORE: redis://:PASSWORD@${at})`;
  if (/^-(NOAUTH|ERR.*auth)/i.test(reply(1))) return `Redis at ${at} needs a password: put it in BRIDGE_STORE as redis://:PASSWORD@${at}`;
  if (/^-/.test(reply(1))) return `Redis at ${at} has no database ${db} (BRIDGE_STORE ends in /${db}; a default Redis has databases 0 to 15)`;
  if (!/^\+PONG/.test(reply(2))) return `${at} does not answer as a Redis server does: check the port in BRIDGE_STORE`;
  return `Redis at ${at} answers now: it may have been restarting; try again`;
}

function converse(host: string, port: number, tls: boolean, commands: string[][]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    if (tls) return reject(Object.assign(new Error('tls'), { code: 'TLS' }));
    const socket = connect({ host, port });
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, TIMEOUT_MS);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('connect', () => socket.write(commands.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join('')));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\r\n').filter((l) => /^[+\-:]/.test(l));
      if (lines.length >= commands.length || /^-/.test(lines[0] ?? '')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(lines);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(buffer.split('\r\n').filter((l) => /^[+\-:]/.test(l)));
    });
  });
}
