/** Users and session tokens. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

interface Session {
  user: string;
  expiresUs: number;
}

export interface IssuedToken {
  token: string;
  expiresUs: number;
}

const MAX_ISSUED_LOG = 10_000;

const digest = (s: string) => createHash('sha256').update(s).digest();

export class Auth {
  /** Keys are kept hashed so comparisons are constant-time whatever the lengths. */
  private readonly keys = new Map<string, Buffer>();
  private readonly sessions = new Map<string, Session>();
  /** Every token issued, oldest first (bounded), for tests that search output for leaked tokens. */
  private readonly issuedLog: string[] = [];
  /** Revoked token -> its user (bounded). */
  private readonly revoked = new Map<string, string>();

  constructor(
    users: ReadonlyArray<{ user: string; apiKey: string }>,
    private readonly ttlUs: number,
  ) {
    for (const u of users) this.keys.set(u.user, digest(u.apiKey));
  }

  checkKey(user: unknown, apiKey: unknown): user is string {
    if (typeof user !== 'string' || typeof apiKey !== 'string') return false;
    const want = this.keys.get(user);
    return want !== undefined && timingSafeEqual(want, digest(apiKey));
  }

  /** Older tokens stay valid until they expire: a renewal must not break requests already in flight. */
  issue(user: string, nowUs: number): IssuedToken {
    this.prune(nowUs);
    const token = randomBytes(16).toString('hex');
    const expiresUs = nowUs + this.ttlUs;
    this.sessions.set(token, { user, expiresUs });
    this.issuedLog.push(token);
    if (this.issuedLog.length > MAX_ISSUED_LOG) this.issuedLog.shift();
    return { token, expiresUs };
  }

  /** `revoked`: the token was valid and the server ended its session (revokeTokens), not its expiry. */
  checkToken(user: string, token: unknown, nowUs: number): 'ok' | 'invalid' | 'revoked' {
    if (typeof token !== 'string') return 'invalid';
    const s = this.sessions.get(token);
    if (s !== undefined && s.user === user && nowUs < s.expiresUs) return 'ok';
    return this.revoked.has(token) && this.revoked.get(token) === user ? 'revoked' : 'invalid';
  }

  /** Ends every session now; those tokens then get ALGOGENE's "Invalid session!" rather than "invalid token". */
  revokeAll(): void {
    for (const [token, s] of this.sessions) this.revoked.set(token, s.user);
    while (this.revoked.size > MAX_ISSUED_LOG) this.revoked.delete(this.revoked.keys().next().value!);
    this.sessions.clear();
  }

  /** Tokens issued so far (expired ones included), oldest first; at most the last MAX_ISSUED_LOG. */
  issued(): string[] {
    return [...this.issuedLog];
  }

  expireAll(): void {
    this.sessions.clear();
  }

  /** Bounds memory for a client that asks for a new token on every call. */
  private prune(nowUs: number): void {
    for (const [t, s] of this.sessions) if (s.expiresUs <= nowUs) this.sessions.delete(t);
  }
}
