export const handler = async (event) => {
  const params = new URLSearchParams(event.rawQueryString || '');
  const target = params.get('url');
  if (!target || !/^https?:\/\//.test(target)) {
    return { statusCode: 400, body: 'absolute http(s) url required' };
  }
  const res = await fetch(target, { headers: { 'user-agent': 'link-preview/1.0' } });
  const html = await res.text();
  const description = html.match(/<meta name="description" content="([^"]*)"/i)?.[1] ?? '';
  return { statusCode: 200, body: JSON.stringify({ status: res.status, description }) };
};
