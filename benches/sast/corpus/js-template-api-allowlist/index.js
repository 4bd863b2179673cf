const fs = require('fs');

const TEMPLATES = new Set(['welcome', 'reset', 'invoice']);

exports.handler = async (event) => {
  const template = event.queryStringParameters.template;
  if (!TEMPLATES.has(template)) {
    return { statusCode: 404, body: 'unknown template' };
  }
  const html = fs.readFileSync(`/var/task/templates/${template}.html`, 'utf8');
  return { statusCode: 200, body: html };
};
