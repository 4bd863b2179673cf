const { execSync } = require('child_process');

exports.handler = async (event) => {
  const mail = event.Records[0].ses.mail;
  const subject = mail.commonHeaders.subject;
  console.log('mail received', mail.messageId, subject);
  const usage = execSync('df -h /tmp', { encoding: 'utf8' });
  return { subject, usage };
};
