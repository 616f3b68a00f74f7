namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// The console's script (vanilla JS): polls the local Slack, renders the Block Kit subset we use (header, section
/// with mrkdwn, fields, context, divider, actions with buttons and confirm dialogs), threads under their parent,
/// and posts commands and clicks to the console's backend. Opened with the printed URL (<c>?token=…</c>), it drops the
/// token from the address bar (the server has set the cookie) and sends it as a header on its own requests too.
/// </summary>
internal static class ConsoleScript
{
    public const string Js = """
        'use strict';
        (() => {
          const state = { seq: 0, channel: 'C0CONSOLE', messages: new Map() };
          const token = new URLSearchParams(location.search).get('token');
          if (token) history.replaceState(null, '', location.pathname);
          const headers = extra => Object.assign(token ? { 'X-Cerberus-Console-Token': token } : {}, extra || {});
          const channelEl = document.getElementById('channel');
          const EMOJI = { large_green_circle: '🟢', large_yellow_circle: '🟡', red_circle: '🔴', white_circle: '⚪', white_check_mark: '✅', x: '❌',
            warning: '⚠️', rotating_light: '🚨', mag: '🔍', gear: '⚙️', hourglass: '⌛', hourglass_flowing_sand: '⏳', memo: '📝', sos: '🆘',
            no_entry_sign: '🚫', alarm_clock: '⏰', thinking_face: '🤔', arrows_counterclockwise: '🔄', test_tube: '🧪', page_facing_up: '📄',
            fire: '🔥', stopwatch: '⏱️', construction: '🚧', bulb: '💡', information_source: 'ℹ️', heavy_check_mark: '✔️', lock: '🔒' };

          const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
          const unent = s => String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

          function control(inner) {
            const [target, label] = inner.split('|');
            if (target.startsWith('@')) return '<span class="mention">@' + esc(label || target.slice(1)) + '</span>';
            if (target.startsWith('#')) return '<span class="mention">#' + esc(label || target.slice(1)) + '</span>';
            if (target.startsWith('!')) return '<span class="mention">@' + esc(label || target.slice(1)) + '</span>';
            if (/^(https?:|mailto:)/i.test(target)) {
              const url = unent(target);
              return '<a href="' + esc(url) + '" target="_blank" rel="noopener noreferrer">' + esc(unent(label || target)) + '</a>';
            }
            return esc('<' + inner + '>');
          }

          function format(html) {
            return html
              .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, '$1<b>$2</b>')
              .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, '$1<i>$2</i>')
              .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, '$1<s>$2</s>')
              .replace(/\n/g, '<br>');
          }

          const emoji = html => html.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);

          function rich(s) {
            return s.split(/<([^<>]+)>/).map((p, i) => i % 2 ? control(p) : esc(unent(p))).join('');
          }

          function inline(s) {
            return s.split(/`([^`\n]+)`/).map((p, i) => i % 2 ? '<code>' + esc(unent(p)) + '</code>' : emoji(format(rich(p)))).join('');
          }

          function mrkdwn(s) {
            return String(s || '').split(/```([\s\S]*?)```/).map((p, i) => i % 2 ? '<pre>' + esc(unent(p.replace(/^\n/, ''))) + '</pre>' : inline(p)).join('');
          }

          function text(obj) {
            if (!obj) return '';
            return obj.type === 'plain_text' ? emoji(esc(unent(obj.text))) : mrkdwn(obj.text);
          }

          function renderBlocks(message) {
            const blocks = message.blocks;
            if (!blocks || !blocks.length) return '<div class="block mrkdwn">' + mrkdwn(message.text) + '</div>';
            const buttons = [];
            const html = blocks.map(block => {
              switch (block.type) {
                case 'header': return '<div class="block"><h3>' + text(block.text) + '</h3></div>';
                case 'section': {
                  let h = '<div class="block mrkdwn">';
                  if (block.text) h += '<div>' + text(block.text) + '</div>';
                  if (block.fields) h += '<div class="fields">' + block.fields.map(f => '<div>' + text(f) + '</div>').join('') + '</div>';
                  return h + '</div>';
                }
                case 'context': return '<div class="block context">' + (block.elements || []).map(e => '<span>' + text(e) + '</span>').join('') + '</div>';
                case 'divider': return '<hr>';
                case 'actions': return '<div class="block actions">' + (block.elements || []).filter(e => e.type === 'button').map(e => {
                  const index = buttons.push({ button: e, blockId: block.block_id || '' }) - 1;
                  const style = e.style === 'primary' ? ' primary' : e.style === 'danger' ? ' danger' : '';
                  return '<button type="button" class="btn' + style + '" data-button="' + index + '" data-action-id="' + esc(e.action_id) + '">' + text(e.text) + '</button>';
                }).join('') + '</div>';
                default: return '';
              }
            }).join('');
            return { html, buttons };
          }

          function when(ts) {
            const d = new Date(parseFloat(ts) * 1000);
            return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
          }

          function messageElement(m) {
            const el = document.createElement('div');
            el.className = 'msg ' + m.kind;
            el.dataset.ts = m.ts;
            if (m.kind === 'command') {
              el.innerHTML = '<span class="who">you</span><span class="time">' + when(m.ts) + '</span><div>' + esc(m.text) + '</div>';
              return el;
            }
            const rendered = renderBlocks(m);
            const body = typeof rendered === 'string' ? rendered : rendered.html;
            let files = '';
            if (m.files) files = m.files.map(f => '<div class="file">📄 <a href="/console/api/files/' + encodeURIComponent(f.id) + '" target="_blank">' + esc(f.title || f.name) + '</a></div>').join('');
            el.innerHTML = '<span class="who">Cerberus</span><span class="time">' + when(m.ts) + '</span>' + (m.edited ? '<span class="edited">(edited)</span>' : '')
              + (m.kind === 'ephemeral' ? ' <span class="only">Only visible to you</span>' : '') + body + files;
            if (typeof rendered !== 'string') {
              el.querySelectorAll('button[data-button]').forEach(b => {
                const { button, blockId } = rendered.buttons[Number(b.dataset.button)];
                b.addEventListener('click', () => click(m, button, blockId));
              });
            }
            return el;
          }

          function render() {
            const all = [...state.messages.values()].sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
            const top = all.filter(m => !m.threadTs || !state.messages.has(m.threadTs));
            const stick = channelEl.scrollHeight - channelEl.scrollTop - channelEl.clientHeight < 80;
            channelEl.replaceChildren();
            for (const m of top) {
              channelEl.appendChild(messageElement(m));
              const replies = all.filter(r => r.threadTs === m.ts);
              if (replies.length) {
                const thread = document.createElement('div');
                thread.className = 'thread';
                thread.dataset.threadOf = m.ts;
                thread.innerHTML = '<span class="thread-label">' + replies.length + (replies.length === 1 ? ' reply' : ' replies') + '</span>';
                replies.forEach(r => thread.appendChild(messageElement(r)));
                channelEl.appendChild(thread);
              }
            }
            if (stick) channelEl.scrollTop = channelEl.scrollHeight;
          }

          async function poll() {
            try {
              const r = await fetch('/console/api/messages?since=' + state.seq, { cache: 'no-store', headers: headers() });
              if (r.ok) {
                const data = await r.json();
                state.channel = data.channel;
                if (data.messages.length) {
                  data.messages.forEach(m => state.messages.set(m.ts, m));
                  render();
                }
                state.seq = data.seq;
              }
            } catch (e) { /* the host restarts; try again */ }
            setTimeout(poll, 600);
          }

          function confirmDialog(confirm) {
            return new Promise(resolve => {
              const backdrop = document.getElementById('modal-backdrop');
              document.getElementById('confirm-title').innerHTML = text(confirm.title);
              document.getElementById('confirm-text').innerHTML = text(confirm.text);
              const ok = document.getElementById('confirm-ok');
              const deny = document.getElementById('confirm-deny');
              ok.innerHTML = text(confirm.confirm);
              deny.innerHTML = text(confirm.deny);
              ok.className = 'btn ' + (confirm.style === 'danger' ? 'danger' : 'primary');
              const done = answer => { backdrop.hidden = true; ok.onclick = deny.onclick = null; document.onkeydown = null; resolve(answer); };
              ok.onclick = () => done(true);
              deny.onclick = () => done(false);
              document.onkeydown = e => { if (e.key === 'Escape') done(false); };
              backdrop.hidden = false;
              ok.focus();
            });
          }

          async function click(message, button, blockId) {
            if (button.confirm && !(await confirmDialog(button.confirm))) return;
            await fetch('/console/api/click', {
              method: 'POST', headers: headers({ 'Content-Type': 'application/json' }),
              body: JSON.stringify({ channel: message.channel, messageTs: message.ts, actionId: button.action_id, blockId, value: button.value || '' }),
            });
          }

          document.getElementById('composer').addEventListener('submit', async e => {
            e.preventDefault();
            const input = document.getElementById('command');
            const value = input.value.trim();
            if (!value) return;
            input.value = '';
            await fetch('/console/api/command', {
              method: 'POST', headers: headers({ 'Content-Type': 'application/json' }),
              body: JSON.stringify({ text: value, channel: state.channel }),
            });
          });

          poll();
        })();
        """;
}
