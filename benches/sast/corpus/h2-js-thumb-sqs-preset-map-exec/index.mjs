import { exec } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(exec);
const PRESETS = new Map([
  ['thumb', '128x128'],
  ['card', '480x320'],
  ['hero', '1600x900'],
]);

export const handler = async (event) => {
  for (const record of event.Records) {
    const job = JSON.parse(record.body);
    const size = PRESETS.get(job.preset);
    if (!size) {
      console.warn('skipping unknown preset', job.preset);
      continue;
    }
    await run(`convert /tmp/source.png -resize ${size} /tmp/out-${size}.png`);
  }
  return { done: true };
};
