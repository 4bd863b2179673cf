const { Pool } = require('pg');

const pool = new Pool();

exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  const limit = parseInt(q.limit || '20', 10);
  const offset = Number(q.offset || 0);
  const sql = `SELECT id, title FROM posts ORDER BY created DESC LIMIT ${limit} OFFSET ${offset}`;
  const { rows } = await pool.query(sql);
  return { statusCode: 200, body: JSON.stringify(rows) };
};
