const { execSync } = require('child_process');

exports.handler = async (event) => {
  const branch = event.pathParameters.branch;
  if (!/^[A-Za-z0-9._-]+$/.test(branch)) {
    return { statusCode: 400, body: 'bad branch' };
  }
  const log = execSync(`git -C /tmp/repo log -n 5 ${branch}`, { encoding: 'utf8' });
  return { statusCode: 200, body: log };
};
