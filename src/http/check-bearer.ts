import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries `Bearer <token>`, compared in constant time (both
 * sides hashed first, so that neither the length nor a prefix of the token leaks).
 */
export function checkBearer(header: string | undefined, token: string): boolean {
  const presented = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) && presented !== '';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
