const mysql = require('mysql2/promise');

class ReportService {
  constructor() {
    this.pool = mysql.createPool({ host: process.env.DB_HOST, user: 'reports', database: 'sales' });
  }

  buildWhere(filters) {
    const clauses = Object.entries(filters).map(([column, value]) => `${column} = '${value}'`);
    return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  }

  async handle(event) {
    const filters = { ...(event.queryStringParameters || {}) };
    delete filters.format;
    const sql = `SELECT region, SUM(total) AS total FROM orders ${this.buildWhere(filters)} GROUP BY region`;
    const [rows] = await this.pool.query(sql);
    return { statusCode: 200, body: JSON.stringify(rows) };
  }
}

const service = new ReportService();
exports.handler = service.handle.bind(service);
