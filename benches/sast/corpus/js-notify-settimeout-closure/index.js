const notify = (user) => console.log('notify', user);

exports.handler = async (event) => {
  for (const record of event.Records) {
    const msg = JSON.parse(record.body);
    setTimeout(() => notify(msg.user), 10);
  }
  await new Promise((r) => setTimeout(r, 20));
  return { ok: true };
};
