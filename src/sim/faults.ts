/** Which request meets which fault: a one-shot queue for precise tests, then a seeded random draw. */
import { z } from 'zod';
import { FAULT_KINDS, type FaultKind, type FaultPhase, type FaultSettings, faultSettingsSchema, parseOrThrow } from './options.js';
import { mixSeed, mulberry32, type Rng } from './rng.js';

export interface FaultInjection {
  /** API path relative to the base path, e.g. `/open_order`; any API path when absent. */
  path?: string;
  kind: FaultKind;
  /** Default `before`. */
  phase?: FaultPhase;
}

export interface Fault {
  kind: FaultKind;
  phase: FaultPhase;
  injected: boolean;
}

const injectionSchema = z.strictObject({
  path: z.string().startsWith('/').optional(),
  kind: z.enum(FAULT_KINDS),
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

  update(patch: Partial<FaultSettings>): void {
    this.settings = parseOrThrow(faultSettingsSchema, { ...this.settings, ...patch });
  }

  inject(spec: FaultInjection): void {
    const f = parseOrThrow(injectionSchema, spec);
    const path = f.path?.startsWith(this.basePath + '/') ? f.path.slice(this.basePath.length) : f.path;
    this.queue.push({ ...f, path });
  }

  /** `path` is relative to the base path. */
  pick(path: string): Fault | null {
    // Three draws on every request, used or not, so the random fault sequence depends only on the request count.
    const roll = this.rng();
    const which = this.rng();
    const phaseRoll = this.rng();
    const i = this.queue.findIndex((q) => q.path === undefined || q.path === path);
    if (i >= 0) {
      const [q] = this.queue.splice(i, 1);
      return { kind: q!.kind, phase: q!.phase, injected: true };
    }
    const { failRate, failKinds, faultPhase } = this.settings;
    if (roll >= failRate) return null;
    const kind = failKinds[Math.floor(which * failKinds.length)]!;
    // A rate limiter answers before the application sees the request; a 429 after acting would be a lie.
    if (kind === '429') return { kind, phase: 'before', injected: false };
    const phase = faultPhase === 'both' ? (phaseRoll < 0.5 ? 'before' : 'after') : faultPhase;
    return { kind, phase, injected: false };
  }
}
