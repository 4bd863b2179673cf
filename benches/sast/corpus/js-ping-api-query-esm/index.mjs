import { execSync } from 'node:child_process';

export const handler = async (event) => {
  const params = event.queryStringParameters || {};
  const host = params.host;
  if (!host) {
    return { statusCode: 400, body: 'host required' };
  }
  const output = execSync('ping -c 1 -W 1 ' + host, { encoding: 'utf8' });
  return { statusCode: 200, body: JSON.stringify({ output }) };
};
