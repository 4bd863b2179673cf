const http = require('http');

exports.handler = async (event) => {
  const check = JSON.parse(event.Records[0].body);
  const status = await new Promise((resolve, reject) => {
    const req = http.request({ host: check.host, port: 80, path: '/health' }, (res) => resolve(res.statusCode));
    req.on('error', reject);
    req.end();
  });
  return { host: check.host, status };
};
