const { exec } = require('child_process');

exports.handler = async ({ queryStringParameters }) => {
  const domain = queryStringParameters.domain;
  const text = await new Promise((resolve) => {
    exec('whois ' + domain, (err, stdout) => resolve(err ? '' : stdout));
  });
  return { statusCode: 200, body: text };
};
