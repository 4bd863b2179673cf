const { readPrefs } = require('./lib/session');

exports.handler = async (event) => {
  const cookie = (event.cookies || []).find((c) => c.startsWith('prefs='));
  const prefs = cookie ? readPrefs(cookie.slice('prefs='.length)) : { theme: 'light' };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ theme: prefs.theme, lang: prefs.lang || 'en' }),
  };
};
