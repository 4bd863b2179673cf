const fs = require('fs');
const serialize = require('node-serialize');

const DEFAULTS = serialize.unserialize(fs.readFileSync('/var/task/defaults.ser', 'utf8'));

exports.handler = async (event) => {
  const overrides = JSON.parse(event.body);
  const settings = { ...DEFAULTS, ...overrides };
  return { statusCode: 200, body: JSON.stringify(settings) };
};
