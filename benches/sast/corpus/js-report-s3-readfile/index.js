const fs = require('fs');
const path = require('path');

exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  const localPath = path.join('/tmp/reports', key);
  const content = fs.readFileSync(localPath, 'utf8');
  return { lines: content.split('\n').length };
};
