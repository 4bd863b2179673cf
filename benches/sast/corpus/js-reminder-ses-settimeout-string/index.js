function notify(who) {
  console.log('notify', who);
}
global.notify = notify;

exports.handler = async (event) => {
  const from = event.Records[0].ses.mail.commonHeaders.from[0];
  await new Promise((resolve) => {
    setTimeout("notify('" + from + "')", 10);
    setTimeout(resolve, 20);
  });
  return { queued: from };
};
