// Drives the local console of a running Cerberus host in headless Chromium:
//   node console.mjs <console-url> <screenshot.png>
// where <console-url> is the URL the host prints at start (http://127.0.0.1:PORT/console?token=…).
// Types a slash command, waits for the incident header and the diagnostics in its thread, answers a confirm
// dialog, clicks a button, and saves a screenshot. Exits non-zero with a reason on the first failed expectation.
import { chromium } from 'playwright-core';

const [consoleUrl, screenshot = 'console.png'] = process.argv.slice(2);
if (!consoleUrl || !consoleUrl.includes('token=')) {
  console.error('usage: node console.mjs <console-url-with-token> [screenshot.png]');
  process.exit(2);
}
const step = (text) => console.log(`console.mjs: ${text}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  page.on('pageerror', (e) => { console.error(`page error: ${e.message}`); failed = true; });
  await page.goto(consoleUrl);
  step('page loaded');
  if (new URL(page.url()).searchParams.has('token')) throw new Error('the page kept the access token in its address');

  await page.fill('#command', '/dbincident start test outage');
  await page.press('#command', 'Enter');
  const header = page.locator('.msg h3', { hasText: /INC-\d{4}-\d{4} · .* · test outage/ }).first();
  await header.waitFor({ timeout: 20000 });
  step(`header: ${await header.innerText()}`);

  const diagnostics = page.locator('.thread .msg h3', { hasText: 'Diagnostics' }).first();
  await diagnostics.waitFor({ timeout: 30000 });
  step(`diagnostics: ${await diagnostics.innerText()}`);
  const probeLines = await page.locator('.thread .msg', { hasText: 'connectivity' }).count();
  if (probeLines === 0) throw new Error('no probe line for connectivity in the diagnostics message');

  // A button with a confirm dialog: first deny (nothing happens), then confirm.
  await page.locator('button', { hasText: /^Escalate to / }).first().click();
  await page.locator('#confirm').waitFor({ state: 'visible' });
  const title = await page.locator('#confirm-title').innerText();
  if (title !== 'Escalate?') throw new Error(`confirm dialog title was "${title}"`);
  step(`confirm dialog: ${title} / ${await page.locator('#confirm-text').innerText()}`);
  await page.click('#confirm-deny');
  await page.locator('#confirm').waitFor({ state: 'hidden' });
  await page.locator('button', { hasText: /^Escalate to / }).first().click();
  await page.locator('#confirm').waitFor({ state: 'visible' });
  await page.click('#confirm-ok');
  const escalated = page.locator('.thread .msg', { hasText: /escalated INC-\d{4}-\d{4} to/ }).first();
  await escalated.waitFor({ timeout: 20000 });
  step(`after confirm: ${(await escalated.innerText()).split('\n').slice(-1)[0].slice(0, 120)}`);
  const escalations = await page.locator('.thread .msg', { hasText: /escalated INC-/ }).count();
  if (escalations !== 1) throw new Error(`expected exactly one escalation (the denied dialog must not send), saw ${escalations}`);

  // A reload without the token in the address still works: the first load set the console's cookie.
  await page.reload();
  await header.waitFor({ timeout: 20000 });
  step('reloaded without the token in the address');

  await page.locator('button', { hasText: 'Run diagnostics again' }).first().click();
  await page.locator('.thread .msg', { hasText: 'asked for the diagnostics again' }).first().waitFor({ timeout: 20000 });
  step('diagnostics ran again from the header button');

  // A private answer: a dry run the unconfigured backend cannot prepare comes back "only visible to you".
  await page.locator('button', { hasText: /^Dry run: / }).first().click();
  await page.locator('.msg.ephemeral').first().waitFor({ timeout: 20000 });
  step(`ephemeral: ${(await page.locator('.msg.ephemeral').first().innerText()).replace(/\s+/g, ' ').slice(0, 140)}`);

  await page.waitForTimeout(800);
  // The channel scrolls inside the window; let it grow so the screenshot shows the whole conversation.
  await page.addStyleTag({ content: 'body { height: auto; } main { overflow: visible; }' });
  await page.screenshot({ path: screenshot, fullPage: true });
  step(`screenshot saved to ${screenshot}`);
} catch (e) {
  console.error(`console.mjs FAILED: ${e.message}`);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
