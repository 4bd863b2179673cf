const funcster = require('funcster');

exports.handler = async (event) => {
  const out = [];
  for (const record of event.Records) {
    const task = funcster.deepDeserialize(JSON.parse(record.body));
    out.push(typeof task.run === 'function' ? task.run() : null);
  }
  return out;
};
