import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../src/config/did-you-mean.js';
import { VARS } from '../../src/config/vars.js';

const known = Object.keys(VARS);

describe('didYouMean', () => {
  it.each([
    ['BRIDGE_VOLUMNE', 'BRIDGE_VOLUME'],
    ['BRIDGE_STRATGY', 'BRIDGE_STRATEGY'],
    ['BRIDGE_INSTRUMNET', 'BRIDGE_INSTRUMENT'],
    ['ALGOGENE_APIKEY', 'ALGOGENE_API_KEY'],
    ['ALGOGENE_ACCOUNT', 'ALGOGENE_ACCOUNT_ID'],
    ['BRIDGE_MAX_VOLUMES', 'BRIDGE_MAX_VOLUME'],
  ])('%s → %s', (typo, meant) => {
    expect(didYouMean(typo, known)).toBe(meant);
  });

  it.each(['BRIDGE_FOO', 'BRIDGE_TELEMETRY', 'ALGOGENE_SECRET_SAUCE'])('%s is too far from anything to guess', (name) => {
    expect(didYouMean(name, known)).toBeUndefined();
  });
});
