import { readDoc } from './docs.mjs';

export const handler = async (event) => {
  const slug = event.pathParameters.slug;
  const html = await readDoc(slug);
  return { statusCode: 200, headers: { 'content-type': 'text/html' }, body: html };
};
