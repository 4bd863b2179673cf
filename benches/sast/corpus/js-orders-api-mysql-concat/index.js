const mysql = require('mysql');

const connection = mysql.createConnection({ host: process.env.DB_HOST, user: 'app', database: 'shop' });

exports.handler = (event, context, callback) => {
  const orderId = event.pathParameters.orderId;
  const sql = 'SELECT * FROM orders WHERE id = ' + orderId;
  connection.query(sql, (error, rows) => {
    if (error) return callback(error);
    callback(null, { statusCode: 200, body: JSON.stringify(rows) });
  });
};
