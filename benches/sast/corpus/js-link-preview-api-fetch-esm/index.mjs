export const handler = async (event) => {
  const target = event.queryStringParameters?.url;
  if (!target) {
    return { statusCode: 400, body: 'url required' };
  }
  const res = await fetch(target, { redirect: 'follow' });
  const html = await res.text();
  const title = (html.match(/<title>([^<]*)<\/title>/i) || [])[1] || '';
  return { statusCode: 200, body: JSON.stringify({ title }) };
};
