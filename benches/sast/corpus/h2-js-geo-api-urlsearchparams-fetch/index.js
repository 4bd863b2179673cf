const GEO_API = 'https://geo.internal.example.com/v1/search';

exports.handler = async (event) => {
  const { q, limit } = event.queryStringParameters || {};
  if (!q) {
    return { statusCode: 400, body: 'q required' };
  }
  const params = new URLSearchParams({ q, limit: String(Math.min(Number(limit) || 5, 20)) });
  const res = await fetch(`${GEO_API}?${params}`, { headers: { accept: 'application/json' } });
  const data = await res.json();
  return { statusCode: res.status, body: JSON.stringify(data.results || []) };
};
