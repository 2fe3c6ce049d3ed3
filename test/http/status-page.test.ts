/**
 * The status page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
 * playwright-core loads the page of the built CLI's `run` against the simulator after some ticks.
 * The screenshot is a test artefact: test-artifacts/status-page.png (and -phone.png).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { bridgeEnv, FIXED_SIGNAL, jsonLines, killStrays, liveOf, makeWorkspace, ownSim, removeWorkspaces, ROOT, spawnCli, tickLines } from '../e2e/helpers.js';
import { freePort } from '../helpers/free-port.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

it('shows each bridge, its open trade and charts that drew data, on a desktop and on a phone', async (ctx) => {
  const sim = await ownSim(ctx, { seed: 7 });
  const ws = makeWorkspace('status-page');
  const file = path.join(ws.dir, 'bridges.json');
  writeFileSync(
    file,
    JSON.stringify({
      defaults: { schedule: '* * * * * *' },
      bridges: [
        { id: 'btc-momentum', account: `${ws.account}-btc`, strategy: 'random', policy: 'hold', settings: { BRIDGE_SEED: '11' } },
        { id: 'eth-swing', account: `${ws.account}-eth`, instrument: 'ETHUSD', volume: 2, strategy: FIXED_SIGNAL, policy: 'reopen', settings: { BRIDGE_TEST_SIGNAL: 'SELL' } },
      ],
    }),
  );
  const port = await freePort();
  const env = { ...bridgeEnv(sim, ws), ALGOGENE_ACCOUNT_ID: undefined, BRIDGE_CONFIG: file, BRIDGE_HTTP_PORT: String(port) };
  const daemon = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 90_000 });
  // Chromium starts while the daemon ticks: the two waits overlap. Three opened ticks of eth-swing give its equity
  // curve entries and exits (each tick closes the last SELL and opens the next) and its latency chart points.
  const launched = chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  launched.catch(() => {});
  const ticked = daemon.waitForStdout((out) => tickLines(out).filter((l) => l.bridge === 'eth-swing' && l.opened).length >= 3, 'three ticks of eth-swing that opened');
  const [browserStart, ticks] = await Promise.allSettled([launched, ticked]);
  if (ticks.status === 'rejected') {
    if (browserStart.status === 'fulfilled') await browserStart.value.close();
    throw ticks.reason;
  }
  if (browserStart.status === 'rejected') {
    daemon.kill('SIGTERM');
    throw browserStart.reason;
  }
  const browser = browserStart.value;
  try {
    const served = jsonLines(daemon.stdout()).find((l) => l.msg === 'http: serving status, metrics and actions');
    expect(served?.url).toBe(`http://127.0.0.1:${port}`);
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(e.message));
    // Everything the page loads comes from the daemon itself: no CDN.
    const hosts = new Set<string>();
    page.on('request', (r) => hosts.add(new URL(r.url()).host));
    await page.goto(served!.url as string);
    await page.waitForFunction(() => {
      const charts = (window as unknown as { signalBridge?: { charts: Map<string, { data: { datasets: { data: unknown[] }[] } }> } }).signalBridge?.charts;
      return charts !== undefined && charts.size === 4 && [...charts.values()].every((c) => c.data.datasets[0]!.data.length > 0);
    });
    const drawn = await page.evaluate(() => {
      const charts = (window as unknown as { signalBridge: { charts: Map<string, { data: { datasets: { label: string; data: unknown[] }[] } }> } }).signalBridge.charts;
      return Object.fromEntries([...charts].map(([key, c]) => [key, Object.fromEntries(c.data.datasets.map((d) => [d.label, d.data.length]))]));
    });
    expect(drawn['eth-swing:equity']!.equity).toBeGreaterThan(0);
    // Entries and exits of published trades are marked on the equity curve.
    expect(drawn['eth-swing:equity']!.sell).toBeGreaterThan(0);
    expect(drawn['eth-swing:equity']!.exit).toBeGreaterThan(0);
    expect(drawn['eth-swing:latency']!.latency).toBeGreaterThan(0);

    const ids = await page.locator('section.card h2').allTextContents();
    expect(ids.sort()).toEqual(['btc-momentum', 'eth-swing']);
    const eth = page.locator('section.card[data-bridge="eth-swing"]');
    const live = liveOf(sim, `${ws.account}-eth`).map((t) => t.tradeId);
    expect(live).toHaveLength(1);
    await expect.poll(async () => (await eth.locator('.position').textContent())?.trim()).toBe('SELL 2');
    const positionSub = (await eth.locator('.position-sub').textContent()) ?? '';
    expect(positionSub).toMatch(/^#\d+ · /);
    expect(await page.locator('#summary').textContent()).toContain('ready');
    expect(failed).toEqual([]);
    expect([...hosts]).toEqual([`127.0.0.1:${port}`]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    // On a phone the cards stack and nothing overflows sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page-phone.png'), fullPage: true });
  } finally {
    await browser.close();
    daemon.kill('SIGTERM');
    await daemon.exited;
  }
});
