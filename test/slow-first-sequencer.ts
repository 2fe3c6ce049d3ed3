/**
 * The order test files start in. The suite's wall time is at least its longest file, so that file has to start
 * first. With vitest's cache (a local re-run) the files start longest-first by their last duration. Without it (a
 * fresh checkout, CI) vitest falls back to the largest file first, which starts short files that spawn CLIs and
 * wait on real cron seconds late: the fleet file (~50 s) 18th and the demo (~13 s) 97th of 101. Here the files that
 * start processes come first (a fleet's first, then the largest), then the others.
 */
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const STARTS_PROCESSES = /\b(spawnCli|runCli|startFleetHarness|chromium\.launch)\(/;
/** A fleet file runs several daemons for most of a minute: the longest of all. */
const RUNS_A_FLEET = /\bstartFleetHarness\(/;

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const key = (file: TestSpecification) => `${file.project.name}:${file.moduleId.slice(this.ctx.config.root.length + 1)}`;
    if (files.every((file) => cache.getFileTestResults(key(file)))) return super.sort(files);
    const weight = new Map(
      files.map((file) => {
        const text = readFileSync(file.moduleId, 'utf8');
        return [file, { rank: RUNS_A_FLEET.test(text) ? 2 : STARTS_PROCESSES.test(text) ? 1 : 0, size: text.length }] as const;
      }),
    );
    return [...files].sort((a, b) => {
      const [wa, wb] = [weight.get(a)!, weight.get(b)!];
      return wb.rank - wa.rank || wb.size - wa.size;
    });
  }
}
