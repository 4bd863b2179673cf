const { execSync } = require('child_process');

exports.handler = async (event) => {
  const { pages } = JSON.parse(event.body || '{}');
  const count = Number(pages);
  if (!Number.isInteger(count) || count < 1 || count > 200) {
    return { statusCode: 400, body: 'pages must be an integer between 1 and 200' };
  }
  execSync(`qpdf /tmp/in.pdf --pages . 1-${count} -- /tmp/out.pdf`, { stdio: 'ignore' });
  return { statusCode: 200, body: JSON.stringify({ pages: count }) };
};
