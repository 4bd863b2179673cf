const { execSync } = require('child_process');

exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  const seconds = parseInt(q.seconds, 10);
  if (Number.isNaN(seconds) || seconds > 10) {
    return { statusCode: 400, body: 'bad seconds' };
  }
  execSync(`sleep ${seconds}`);
  return { statusCode: 200, body: 'slept' };
};
