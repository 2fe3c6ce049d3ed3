import { measureScale } from './measure-scale.js';

// One scale row in a process of its own (see measureScaleApart): argv[2] holds its options as JSON.
const result = await measureScale(JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof measureScale>[0]);
// The kernel's high-water mark of this process, which 50 ms samples can miss between two reads.
const peakRssMb = Math.round(Math.max(result.peakRssMb, process.resourceUsage().maxRSS / 1024) * 10) / 10;
// Exits once written: a keep-alive socket or a timer left by the runtime must not hold the row.
process.stdout.write(`${JSON.stringify({ ...result, peakRssMb })}\n`, () => process.exit(0));
