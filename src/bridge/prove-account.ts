import type { AlgogeneClient, InstrumentMeta } from '../algogene/client-types.js';
import type { BridgeConfig } from '../config.js';

export interface AccountProof {
  readonly ok: boolean;
  readonly lines: string[];
}

/**
 * What `check` proves before any order, with calls that change nothing: the account is listed in
 * its runmode by /accounts (an account of another runmode, or a typo, would fail every order), the
 * instrument is one ALGOGENE lists, and the volumes fit its lot rules where /meta_instrument gives
 * them. isTrading false is said, not failed: ALGOGENE documents it as "an algorithm is running on
 * this account", and orders are accepted either way.
 */
export async function proveAccount(client: AlgogeneClient, c: BridgeConfig): Promise<AccountProof> {
  const problems: string[] = [];
  const notes: string[] = [];
  const accounts = await client.accounts();
  const account = accounts.find((a) => a.accountId === c.accountId && (a.runmode === undefined || a.runmode === c.runmode));
  if (!account) {
    const have = accounts.map((a) => a.accountId).join(', ') || 'none';
    problems.push(`account ${c.accountId} is not among this user's ${c.runmode} accounts on the server (it lists: ${have}): check ALGOGENE_ACCOUNT_ID and BRIDGE_MODE`);
  } else if (account.isTrading === false) {
    notes.push(`account ${c.accountId} says isTrading false (no algorithm running on it at ALGOGENE)`);
  }
  const instruments = await client.listInstruments();
  if (!instruments.includes(c.instrument)) {
    problems.push(`instrument ${c.instrument} is not listed by /list_instrument: check BRIDGE_INSTRUMENT`);
  } else {
    const meta = await client.metaInstrument(c.instrument);
    for (const [name, volume] of [['BRIDGE_VOLUME', c.volume], ['BRIDGE_MAX_VOLUME', c.maxVolume]] as const) {
      const why = volume === undefined ? undefined : volumeProblem(volume, meta);
      if (why) problems.push(`${name} ${volume} does not fit ${c.instrument}: ${why}`);
    }
  }
  const trades = problems.length === 0 ? await client.openedTrades() : [];
  if (problems.length > 0) return { ok: false, lines: problems.map((p) => `FAIL bridge ${c.id}: ${p}`) };
  return {
    ok: true,
    lines: [
      `ok   bridge ${c.id}: ${c.mode} (runmode ${c.runmode}) account ${c.accountId} listed; ${c.instrument} known; volume ${c.volume} fits; strategy ${c.strategy}; session ok; ${trades.length} opened trade(s) on the account`,
      ...notes.map((n) => `note bridge ${c.id}: ${n}`),
      ...trades.map((t) => `       ${t.tradeId} ${t.side} ${t.volume} ${t.instrument} at ${t.price} orderRef ${t.orderRef || '-'}`),
    ],
  };
}

function volumeProblem(volume: number, meta: InstrumentMeta): string | undefined {
  if (meta.minVolume !== undefined && volume < meta.minVolume) return `below the minimum ${meta.minVolume}`;
  if (meta.volumeDecimals !== undefined && decimals(volume) > meta.volumeDecimals) return `more than ${meta.volumeDecimals} decimals`;
  if (meta.volumeStep !== undefined && meta.volumeStep > 0) {
    const steps = volume / meta.volumeStep;
    if (Math.abs(steps - Math.round(steps)) > 1e-9) return `not a multiple of the lot step ${meta.volumeStep}`;
  }
  return undefined;
}

function decimals(value: number): number {
  const text = String(value);
  if (text.includes('e-')) return Number(text.split('e-')[1]) + (text.split('e-')[0]?.split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}
