// Runs @slack/bolt's own request verifier on vectors produced by the C# tests, so that our verifier and our
// test signer are checked against Slack's reference implementation.
// Usage: node verify.mjs <vectors.json>; vectors: [{name, secret, body, timestamp, signature, nowMs}]
// Prints [{name, valid, error?}] as JSON.
import { readFileSync } from 'node:fs';
import { isValidSlackRequest } from '@slack/bolt';

const vectors = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = vectors.map((v) => {
  try {
    const valid = isValidSlackRequest({
      signingSecret: v.secret,
      body: v.body,
      headers: {
        'x-slack-signature': v.signature,
        'x-slack-request-timestamp': Number(v.timestamp),
      },
      nowMilliseconds: v.nowMs,
    });
    return { name: v.name, valid };
  } catch (e) {
    return { name: v.name, valid: false, error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(results));
