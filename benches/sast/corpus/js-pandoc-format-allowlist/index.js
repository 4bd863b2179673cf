const { exec } = require('child_process');

const FORMATS = ['html', 'docx', 'pdf'];

exports.handler = async (event) => {
  const { format } = JSON.parse(event.body);
  if (!FORMATS.includes(format)) {
    return { statusCode: 400, body: 'unsupported format' };
  }
  return new Promise((resolve) => {
    exec(`pandoc /tmp/in.md -o /tmp/out.${format}`, (err) => {
      resolve({ statusCode: err ? 500 : 200, body: err ? 'failed' : 'ok' });
    });
  });
};
