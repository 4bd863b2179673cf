import { spawnSync } from 'node:child_process';

export const handler = async (event) => {
  const raw = event.queryStringParameters?.name ?? '';
  const name = decodeURIComponent(raw);
  if (!name) {
    return { statusCode: 400, statusDescription: '400 Bad Request', body: 'name required' };
  }
  const res = spawnSync('/bin/sh', ['-c', `dig +short ${name} | head -n 5`], { encoding: 'utf8' });
  return {
    statusCode: 200,
    statusDescription: '200 OK',
    headers: { 'Content-Type': 'text/plain' },
    body: res.stdout,
  };
};
