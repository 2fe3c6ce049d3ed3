/** Which request meets which fault: a one-shot queue for precise tests, then a seeded random draw. */
import { z } from 'zod';
import { ALL_FAULT_KINDS, type FaultKind, type FaultPhase, type FaultSettings, faultSettingsSchema, parseOrThrow } from './options.js';
import { mixSeed, mulberry32, type Rng } from './rng.js';

export interface FaultInjection {
  /** API path relative to the base path, e.g. `/open_order`; any path the kind applies to when absent. */
  path?: string;
  kind: FaultKind;
  /** Default `before`; ignored by kinds whose phase is part of what they are (see FIXED_PHASE). */
  phase?: FaultPhase;
}

export interface Fault {
  kind: FaultKind;
  phase: FaultPhase;
  injected: boolean;
}

/**
 * Kinds that only make sense on some paths. A random draw of such a kind on another path is no fault; an injected
 * one waits for a path it applies to.
 */
const ONLY_ON: Partial<Record<FaultKind, readonly string[]>> = {
  'empty-list': ['/opened_trades', '/pending_trades'],
  'recycled-id': ['/open_order'],
  'exponent-id': ['/open_order', '/opened_trades', '/pending_trades', '/query_order'],
  'close-refused': ['/close_orders'],
};

/**
 * Kinds whose phase is what they are: a gatekeeper's refusal comes before the server acts; a lie about a reply
 * (or a 429 sent after the order was placed) comes after.
 */
const FIXED_PHASE: Partial<Record<FaultKind, FaultPhase>> = {
  '429': 'before',
  'invalid-session': 'before',
  unauthorized: 'before',
  'exceed-access': 'before',
  echo: 'before',
  '429-after': 'after',
  'empty-list': 'after',
  'recycled-id': 'after',
  oversize: 'after',
  'exponent-id': 'after',
  'close-refused': 'after',
};

export const appliesTo = (kind: FaultKind, path: string) => ONLY_ON[kind]?.includes(path) ?? true;

const injectionSchema = z.strictObject({
  path: z.string().startsWith('/').optional(),
  kind: z.enum(ALL_FAULT_KINDS),
  phase: z.enum(['before', 'after']).default('before'),
});

export class Faults {
  private readonly rng: Rng;
  private readonly queue: Array<{ path?: string | undefined; kind: FaultKind; phase: FaultPhase }> = [];

  constructor(
    private settings: FaultSettings,
    seed: number,
    private readonly basePath: string,
  ) {
    // Its own stream: turning faults on must not change the price path, and vice versa.
    this.rng = mulberry32(mixSeed(seed, 0xfa017));
  }

  get delayMs(): number {
    return this.settings.delayMs;
  }

  get oversizeBytes(): number {
    return this.settings.oversizeBytes;
  }

  update(patch: Partial<FaultSettings>): void {
    this.settings = parseOrThrow(faultSettingsSchema, { ...this.settings, ...patch });
  }

  inject(spec: FaultInjection): void {
    const f = parseOrThrow(injectionSchema, spec);
    const path = f.path?.startsWith(this.basePath + '/') ? f.path.slice(this.basePath.length) : f.path;
    if (path !== undefined && !appliesTo(f.kind, path)) {
      throw new Error(`fault ${f.kind} does not apply to ${path} (only ${ONLY_ON[f.kind]!.join(', ')})`);
    }
    this.queue.push({ ...f, path, phase: FIXED_PHASE[f.kind] ?? f.phase });
  }

  /** `path` is relative to the base path. */
  pick(path: string): Fault | null {
    // Three draws on every request, used or not, so the random fault sequence depends only on the request count.
    const roll = this.rng();
    const which = this.rng();
    const phaseRoll = this.rng();
    const i = this.queue.findIndex((q) => (q.path === undefined || q.path === path) && appliesTo(q.kind, path));
    if (i >= 0) {
      const [q] = this.queue.splice(i, 1);
      return { kind: q!.kind, phase: q!.phase, injected: true };
    }
    const { failRate, failKinds, faultPhase } = this.settings;
    if (roll >= failRate) return null;
    const kind = failKinds[Math.floor(which * failKinds.length)]!;
    if (!appliesTo(kind, path)) return null;
    const fixed = FIXED_PHASE[kind];
    if (fixed) return { kind, phase: fixed, injected: false };
    const phase = faultPhase === 'both' ? (phaseRoll < 0.5 ? 'before' : 'after') : faultPhase;
    return { kind, phase, injected: false };
  }
}
