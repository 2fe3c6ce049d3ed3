/**
 * Which accounts exist. With a configured list, only those (per user and runmode); without one ("open" mode, what
 * older tests rely on), every account ID exists in every runmode, and /accounts lists those the user has named in a
 * trading call so far (it cannot list every possible ID).
 */
import type { AccountSpec } from './options.js';

export interface AccountInfo {
  id: string;
  runmode: string;
  isTrading: boolean;
  balance: number;
}

export const OPEN_MODE_BALANCE = 100_000;

export class Accounts {
  /** Open mode: `user runmode` -> account IDs named in trading calls, in first-seen order. */
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly list: readonly AccountSpec[] | undefined) {}

  get open(): boolean {
    return this.list === undefined;
  }

  /** Undefined when the user has no such account in that runmode. */
  find(user: string, runmode: string, id: string): AccountInfo | undefined {
    if (!this.list) return { id, runmode, isTrading: true, balance: OPEN_MODE_BALANCE };
    const a = this.list.find((x) => x.id === id && x.runmode === runmode && (x.user === undefined || x.user === user));
    return a && { id: a.id, runmode: a.runmode, isTrading: a.isTrading, balance: a.balance };
  }

  /** Open mode remembers the account IDs a user names, so that /accounts can list them. */
  note(user: string, runmode: string, id: string): void {
    if (this.list) return;
    const k = `${user} ${runmode}`;
    let ids = this.seen.get(k);
    if (!ids) this.seen.set(k, (ids = new Set()));
    // Bounded, so a client naming made-up IDs cannot grow memory without end.
    if (ids.size < 10_000) ids.add(id);
  }

  /** The accounts of a user in a runmode; in open mode, those the user has named so far. */
  of(user: string, runmode: string): AccountInfo[] {
    if (!this.list) return [...(this.seen.get(`${user} ${runmode}`) ?? [])].map((id) => ({ id, runmode, isTrading: true, balance: OPEN_MODE_BALANCE }));
    return this.list
      .filter((x) => x.runmode === runmode && (x.user === undefined || x.user === user))
      .map((a) => ({ id: a.id, runmode: a.runmode, isTrading: a.isTrading, balance: a.balance }));
  }
}
