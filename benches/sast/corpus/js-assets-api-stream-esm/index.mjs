import { createReadStream } from 'node:fs';
import { text } from 'node:stream/consumers';

export const handler = async (event) => {
  const name = event.pathParameters.name;
  const body = await text(createReadStream(`/var/task/assets/${name}`));
  return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body };
};
