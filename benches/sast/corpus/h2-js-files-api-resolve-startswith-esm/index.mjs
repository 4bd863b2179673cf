import { readFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve('/var/task/public');

export const handler = async (event) => {
  const requested = decodeURIComponent(event.pathParameters?.proxy ?? 'index.html');
  const full = path.resolve(ROOT, requested);
  if (!full.startsWith(ROOT + path.sep)) {
    return { statusCode: 403, body: 'forbidden' };
  }
  try {
    const body = await readFile(full, 'utf8');
    return { statusCode: 200, body };
  } catch {
    return { statusCode: 404, body: 'not found' };
  }
};
