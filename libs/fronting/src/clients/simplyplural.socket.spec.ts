import { socketMessageMeaning } from './simplyplural.socket';

describe('what a SimplyPlural websocket message means to the watcher', () => {
  it.each([
    ['the authentication answer', '{"msg":"Successfully authenticated","resolvedToken":{"uid":"u"}}', 'authenticated'],
    ['an authentication violation', '{"msg":"Authentication violation: Token is missing or invalid. Goodbye :)"}', 'rejected'],
    ['a suspended account', '{"msg":"Authentication violation: Your account is suspended"}', 'rejected'],
    ['a front change', '{"msg":"update","target":"frontHistory","results":[{"operationType":"insert","id":"x","content":{}}]}', 'change'],
    ['a front change written as the docs do', '{"msg":"Update","target":"frontHistory","results":[]}', 'change'],
    ['a member change', '{"msg":"update","target":"members","results":[]}', 'change'],
    ['a custom front change', '{"msg":"update","target":"frontStatuses","results":[]}', 'change'],
    ['a notification', '{"msg":"notification","title":"t","message":"m"}', 'change'],
    ['a custom event', '{"msg":"PluralKit sync","data":"Syncing members: 3/10"}', 'change'],
    ['a chat message', '{"msg":"update","target":"chatMessages","results":[]}', 'ignore'],
    ['a note, in any case', '{"msg":"update","target":"Notes","results":[]}', 'ignore'],
    ['the pong', 'pong', 'ignore'],
    ['the empty greeting', '{}', 'ignore'],
    ['a complaint about our frame', '{"msg":"Invalid message, cannot parse Json."}', 'ignore'],
    ['a missing op complaint', '{"msg":"Missing \'op\' in message."}', 'ignore'],
    ['text that is not JSON', 'hello', 'ignore'],
    ['a JSON list', '[1,2]', 'ignore'],
  ])('%s: %s → %s', (_name, text, meaning) => {
    expect(socketMessageMeaning(text)).toBe(meaning);
  });
});
