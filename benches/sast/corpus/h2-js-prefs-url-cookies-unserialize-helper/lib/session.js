const serialize = require('node-serialize');

function readPrefs(value) {
  const json = Buffer.from(decodeURIComponent(value), 'base64').toString('utf8');
  return serialize.unserialize(json);
}

function writePrefs(prefs) {
  return encodeURIComponent(Buffer.from(serialize.serialize(prefs)).toString('base64'));
}

module.exports = { readPrefs, writePrefs };
