const API_BASE = 'https://inventory.internal.example.com/v1';

exports.handler = async (event) => {
  const id = event.pathParameters.id;
  const res = await fetch(`${API_BASE}/items/${encodeURIComponent(id)}`);
  const item = await res.json();
  return { statusCode: res.status, body: JSON.stringify(item) };
};
