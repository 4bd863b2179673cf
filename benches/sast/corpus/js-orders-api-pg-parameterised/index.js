const { Pool } = require('pg');

const pool = new Pool();

exports.handler = async (event) => {
  const orderId = event.pathParameters.orderId;
  const { rows } = await pool.query('SELECT * FROM orders WHERE id = $1', [orderId]);
  return { statusCode: 200, body: JSON.stringify(rows) };
};
