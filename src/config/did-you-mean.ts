/** The known name closest to `name` (Levenshtein distance), when it is close enough to be a typo. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    // Up to a third of the longer name after its prefix, at least 1: BRIDGE_VOLUMNE → BRIDGE_VOLUME,
    // ALGOGENE_ACCOUNT → ALGOGENE_ACCOUNT_ID, never BRIDGE_FOO → BRIDGE_ID.
    const allowed = Math.max(1, Math.floor(Math.max(stem(name).length, stem(candidate).length) / 3));
    if (d <= allowed && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function stem(name: string): string {
  return name.replace(/^(BRIDGE_|ALGOGENE_)/, '');
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
