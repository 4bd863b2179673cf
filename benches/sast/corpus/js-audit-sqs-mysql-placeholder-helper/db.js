const mysql = require('mysql2/promise');

let pool;

async function insertAudit(actor, action) {
  pool = pool || mysql.createPool({ host: process.env.DB_HOST, database: 'audit' });
  const sql = 'INSERT INTO audit (actor, action) VALUES (?, ?)';
  await pool.execute(sql, [actor, action]);
}

module.exports = { insertAudit };
