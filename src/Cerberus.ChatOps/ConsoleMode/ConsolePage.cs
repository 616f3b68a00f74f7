namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>The console's HTML (self-contained: the script and styles are served beside it, no build step).</summary>
internal static class ConsolePage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Cerberus local console</title>
          <link rel="stylesheet" href="/console/app.css">
        </head>
        <body>
          <header class="top">
            <span class="logo">Cerberus</span>
            <span class="channel"># db-incident</span>
            <span class="note">Local console — Slack is not configured. Commands and clicks go through the same signed-request path as Slack.</span>
          </header>
          <main id="channel" aria-live="polite"></main>
          <form id="composer" autocomplete="off">
            <span class="prefix">/dbincident</span>
            <input id="command" name="command" placeholder="start API returns 500s   ·   drill disk-full   ·   help   ·   status   ·   propose failover" aria-label="Command">
            <button type="submit" class="btn primary">Send</button>
          </form>
          <div id="modal-backdrop" class="backdrop" hidden>
            <div id="confirm" class="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
              <h2 id="confirm-title"></h2>
              <div id="confirm-text" class="mrkdwn"></div>
              <div class="modal-buttons">
                <button id="confirm-deny" class="btn" type="button"></button>
                <button id="confirm-ok" class="btn" type="button"></button>
              </div>
            </div>
          </div>
          <script src="/console/app.js"></script>
        </body>
        </html>
        """;
}
