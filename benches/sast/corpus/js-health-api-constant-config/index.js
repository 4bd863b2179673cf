const fs = require('fs');

exports.handler = async (event) => {
  const requester = (event.queryStringParameters || {}).who;
  console.log('health check from', requester);
  const config = JSON.parse(fs.readFileSync('/var/task/config.json', 'utf8'));
  return { statusCode: 200, body: JSON.stringify({ version: config.version, requester }) };
};
