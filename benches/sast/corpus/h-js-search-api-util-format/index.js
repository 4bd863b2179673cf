const util = require('util');
const mysql = require('mysql2');

const pool = mysql.createPool({ host: process.env.DB_HOST, database: 'catalog' });

exports.handler = async (event) => {
  const term = event.queryStringParameters.q;
  const sql = util.format("SELECT id, name FROM products WHERE name LIKE '%%%s%%'", term);
  const [rows] = await pool.promise().query(sql);
  return { statusCode: 200, body: JSON.stringify(rows) };
};
