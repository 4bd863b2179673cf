const axios = require('axios');

const ALLOWED_HOSTS = new Set(['files.example.com', 'cdn.example.com']);

exports.handler = async (event) => {
  const { source } = JSON.parse(event.body);
  const parsed = new URL(source);
  if (parsed.protocol !== 'https:' || !ALLOWED_HOSTS.has(parsed.hostname)) {
    return { statusCode: 400, body: 'host not allowed' };
  }
  const res = await axios.get(parsed.href, { maxRedirects: 0 });
  return { statusCode: 200, body: String(res.data.length) };
};
