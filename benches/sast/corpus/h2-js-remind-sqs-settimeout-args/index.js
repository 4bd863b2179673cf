const sent = [];

function remind(user, text) {
  sent.push({ user, text, at: Date.now() });
}

exports.handler = async (event) => {
  for (const record of event.Records) {
    const { user, text, delayMs } = JSON.parse(record.body);
    setTimeout(remind, Math.min(Number(delayMs) || 0, 500), user, text);
  }
  await new Promise((resolve) => setTimeout(resolve, 600));
  return { reminded: sent.length };
};
