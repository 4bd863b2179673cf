const { Client } = require('pg');

exports.handler = async (event) => {
  const id = Number.parseInt(event.pathParameters.id, 10);
  const client = new Client();
  await client.connect();
  const res = await client.query('SELECT * FROM orders WHERE id = ' + id);
  await client.end();
  return { statusCode: 200, body: JSON.stringify(res.rows) };
};
