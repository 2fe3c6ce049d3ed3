/**
 * Helpers for the end-to-end tests: the BUILT CLI (dist/, fresh because `npm test` builds first) runs as a real
 * child process against a simulator started in the test process. Children are spawned asynchronously only: a
 * synchronous spawn would block the event loop the in-process simulator answers on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type Simulator, type StartOptions, startSimulator, type TradeSnapshot } from '../../src/sim/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const BIN = path.join(ROOT, 'dist/src/cli/bin.js');
/** Answers BRIDGE_TEST_SIGNAL: BUY, SELL, NONE, THROW, HANG or a JSON signal. */
export const FIXED_SIGNAL = path.join(ROOT, 'test/fixtures/fixed-signal.mjs');

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);

export type Env = Record<string, string | undefined>;

export interface CliResult {
  /** Exit code; null when the process was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited and its streams are drained; kills it after `killAfterMs`. */
  readonly exited: Promise<CliResult>;
  /** Resolves when `test` holds for the stdout so far (re-checked on every chunk); rejects if the process exits first. */
  waitForStdout(test: (stdout: string) => boolean, what?: string): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/**
 * A clean environment: nothing of the test runner's ALGOGENE_*, BRIDGE_*, LOG_LEVEL or NODE_OPTIONS leaks into the
 * child, so each test says exactly what the CLI sees. PATH and HOME only, plus `env`.
 */
function childEnv(env: Env): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: os.tmpdir() };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) base[k] = v;
  return base;
}

/** Spawns `node dist/src/cli/bin.js ...args` in `cwd`. A generous kill timer turns a hang into a failure with output. */
export function spawnCli(args: readonly string[], opts: { env: Env; cwd: string; killAfterMs?: number }): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of [...watchers]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const killAfterMs = opts.killAfterMs ?? 30_000;
  let timedOut = false;
  let closed = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, killAfterMs);
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(e);
    });
    // 'close' (not 'exit'): the streams are drained, so stdout is complete.
    child.on('close', (code, signal) => {
      closed = true;
      clearTimeout(timer);
      running.delete(child);
      for (const w of [...watchers]) w();
      if (timedOut) {
        reject(new Error(`signal-bridge ${args.join(' ')} did not exit within ${killAfterMs} ms (killed)\n--- stdout\n${out}\n--- stderr\n${err}`));
      } else resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  // Callers that only await waitForStdout must not leave an unhandled rejection behind.
  exited.catch(() => {});

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout(test, what = 'expected output') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (test(out)) {
            watchers.delete(check);
            resolve(out);
          } else if (closed) {
            watchers.delete(check);
            reject(new Error(`signal-bridge ${args.join(' ')} exited before ${what}\n--- stdout\n${out}\n--- stderr\n${err}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
    kill(signal = 'SIGTERM') {
      child.kill(signal);
    },
  };
}

/** Runs one CLI command to its end. */
export function runCli(args: readonly string[], opts: { env: Env; cwd: string; killAfterMs?: number }): Promise<CliResult> {
  return spawnCli(args, opts).exited;
}

/**
 * Kills (by handle) any child a failed test left running. For afterAll: the tests of a file run concurrently, so an
 * afterEach would kill the children of tests still running.
 */
export function killStrays(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LogLine = Record<string, any>;

/** The JSON objects among `text`'s lines (pino lines); other lines are skipped. */
export function jsonLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(s);
      if (v && typeof v === 'object' && !Array.isArray(v)) lines.push(v as LogLine);
    } catch {
      // not a log line
    }
  }
  return lines;
}

/** The per-tick summary lines, succeeded ("tick") or failed ("tick failed"). */
export function tickLines(text: string): LogLine[] {
  return jsonLines(text).filter((l) => l.msg === 'tick' || l.msg === 'tick failed');
}

export function countTicks(text: string): number {
  return tickLines(text).length;
}

/** A temp dir per test (its own sqlite store and cwd, so no .env of the repo is read) and a unique account. */
export interface Workspace {
  readonly dir: string;
  readonly store: string;
  readonly storeFile: string;
  readonly account: string;
}

const workspaces: string[] = [];

export function makeWorkspace(label: string): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sb-e2e-${label}-`));
  workspaces.push(dir);
  const storeFile = path.join(dir, 'bridge.sqlite');
  return { dir, store: `sqlite://${storeFile}`, storeFile, account: `e2e-${label}-${randomUUID().slice(0, 8)}` };
}

/** Removes every workspace made so far. For afterAll. */
export function removeWorkspaces(): void {
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The environment of a bridge on `sim` for the workspace's account, with the fixed-signal strategy. */
export function bridgeEnv(sim: Simulator, ws: Workspace, extra: Env = {}): Env {
  const env: Env = {
    ALGOGENE_BASE_URL: sim.url,
    ALGOGENE_USER: 'demo',
    ALGOGENE_API_KEY: 'demo-key',
    ALGOGENE_ACCOUNT_ID: ws.account,
    BRIDGE_STORE: ws.store,
    BRIDGE_STRATEGY: FIXED_SIGNAL,
    BRIDGE_INSTRUMENT: 'BTCUSD',
    BRIDGE_TEST_SIGNAL: 'NONE',
    LOG_LEVEL: 'info',
    // run serves HTTP on 8787 by default: tests that run in parallel turn it off unless they test it.
    BRIDGE_HTTP_PORT: '0',
    ...extra,
  };
  // BRIDGE_TEST_SIGNAL is the fixed-signal strategy's setting: any other strategy would refuse it as unknown.
  if (env.BRIDGE_STRATEGY !== FIXED_SIGNAL && !('BRIDGE_TEST_SIGNAL' in extra)) delete env.BRIDGE_TEST_SIGNAL;
  return env;
}

/** Every trade of one book (livetest), oldest first. */
export function bookOf(sim: Simulator, account: string, user = 'demo'): TradeSnapshot[] {
  return sim.books().filter((t) => t.accountid === account && t.user === user && t.runmode === 'livetest');
}

/** Trades still on the account: open, or placed and not filled yet. */
export function liveOf(sim: Simulator, account: string, user = 'demo'): TradeSnapshot[] {
  return bookOf(sim, account, user).filter((t) => t.state === 'open' || t.state === 'pending');
}

export interface TrackedStatus {
  trade: { tradeId: string; orderRef: string; side: 'BUY' | 'SELL'; volume: number; instrument: string; status?: 'open' | 'closing' };
  server: { where: 'open' | 'pending' | 'gone' | 'unknown'; trade?: { tradeId: string } };
}

export interface BridgeStatusJson {
  id: string;
  tracked: TrackedStatus[];
  pendingIntents: number;
}

/** `status --json` of the workspace's bridge; fails the test unless it exits 0 with JSON on stdout. */
export async function statusJson(env: Env, cwd: string): Promise<BridgeStatusJson> {
  const r = await runCli(['status', '--json'], { env, cwd });
  expect(r.code, `status --json failed\n${r.stdout}\n${r.stderr}`).toBe(0);
  const doc = JSON.parse(r.stdout) as { bridges: BridgeStatusJson[] };
  expect(doc.bridges).toHaveLength(1);
  return doc.bridges[0]!;
}

/**
 * The store and the server agree: the trades the store tracks as open are exactly the trades live on the account
 * (nothing open that the store does not know), and `status` sees each of them open. A trade the store holds as
 * "closing" (close submitted) is forgotten at the next look-up that shows it closed; `status` must not see it open
 * once the server closed it. Returns the IDs tracked as open.
 */
export async function expectStoreMatchesBooks(sim: Simulator, ws: Workspace, env: Env): Promise<{ status: BridgeStatusJson; tracked: string[] }> {
  const status = await statusJson(env, ws.dir);
  const open = status.tracked.filter((t) => t.trade.status !== 'closing');
  const tracked = open.map((t) => t.trade.tradeId).sort();
  const live = liveOf(sim, ws.account).map((t) => t.tradeId).sort();
  expect(tracked, 'tracked trades vs trades live on the server').toEqual(live);
  for (const t of status.tracked.filter((x) => x.trade.status === 'closing')) {
    expect(live, `closing trade ${t.trade.tradeId} still live on the server`).not.toContain(t.trade.tradeId);
  }
  for (const t of open) {
    expect(t.server.where, `server view of tracked trade ${t.trade.tradeId}`).toBe('open');
    const onServer = bookOf(sim, ws.account).find((b) => b.tradeId === t.trade.tradeId)!;
    expect(t.trade.orderRef).toBe(onServer.orderRef);
    expect(t.trade.side).toBe(onServer.buysell);
  }
  return { status, tracked };
}

/** Counts of trading calls the simulator received, to prove a command sent no order. */
export function orderCalls(sim: Simulator): { open: number; close: number; cancel: number } {
  const by = sim.requests().byPath;
  return { open: by['/open_order'] ?? 0, close: by['/close_orders'] ?? 0, cancel: by['/cancel_orders'] ?? 0 };
}

/**
 * A simulator of the test's own, closed when the test ends. Tests that inject faults, expire tokens or count
 * requests need one (those act on the whole simulator); it costs a few milliseconds, and lets them run concurrently.
 */
export async function ownSim(ctx: { onTestFinished: (fn: () => Promise<void> | void) => void }, opts: StartOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ fillDelayS: 0, ...opts });
  ctx.onTestFinished(() => sim.close());
  return sim;
}
