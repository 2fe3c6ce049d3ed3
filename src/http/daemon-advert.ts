import { z } from 'zod';
import type { Store } from '../store/create-store.js';

const advertSchema = z.object({
  url: z.string(),
  pid: z.number(),
  host: z.string(),
  /** The actions' token when none is configured (the daemon made one up). */
  token: z.string().optional(),
});

export type DaemonAdvert = z.infer<typeof advertSchema>;

const keyOf = (instance: string) => `daemon:${instance}:http`;

/**
 * Where a running `run` serves, keyed by the instance its leases name: `close` and `status`
 * find it from a bridge's lease holder. A crashed daemon leaves its record behind; it is never
 * trusted without a live lease that names the same instance.
 */
export async function advertiseDaemon(store: Store, instance: string, advert: DaemonAdvert): Promise<{ withdraw(): Promise<void> }> {
  await store.keyv.set(keyOf(instance), advert);
  return {
    async withdraw() {
      await store.keyv.delete(keyOf(instance)).catch(() => false);
    },
  };
}

/** The record of the daemon with this instance, or undefined. */
export async function findDaemon(store: Store, instance: string): Promise<DaemonAdvert | undefined> {
  const parsed = advertSchema.safeParse(await store.keyv.get(keyOf(instance)));
  return parsed.success ? parsed.data : undefined;
}
