const fs = require('fs');
const path = require('path');

const TEMPLATE_DIR = '/var/task/templates';

exports.handler = async (event) => {
  const attrs = event.request.userAttributes;
  console.log('custom message for', event.userName, attrs.email);
  if (event.triggerSource === 'CustomMessage_SignUp') {
    const template = fs.readFileSync(path.join(TEMPLATE_DIR, 'welcome.html'), 'utf8');
    const name = (attrs.given_name || 'there').replace(/[<>&"]/g, '');
    event.response.emailSubject = 'Welcome!';
    event.response.emailMessage = template
      .replace('{{name}}', name)
      .replace('{{code}}', event.request.codeParameter);
  }
  return event;
};
