namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>The console's styles: a plain Slack-like channel.</summary>
internal static class ConsoleStyles
{
    public const string Css = """
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d1c1d; background: #fff; display: flex; flex-direction: column; height: 100vh; }
        .top { background: #3f0e40; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
        .top .logo { font-weight: 800; }
        .top .channel { font-weight: 700; }
        .top .note { opacity: .8; font-size: 13px; }
        main { flex: 1; overflow-y: auto; padding: 12px 16px 24px; }
        .msg { padding: 6px 10px; border-radius: 6px; margin: 6px 0; }
        .msg:hover { background: #f8f8f8; }
        .msg .who { font-weight: 700; margin-right: 8px; }
        .msg .time { color: #616061; font-size: 12px; }
        .msg .edited { color: #616061; font-size: 12px; margin-left: 4px; }
        .msg.command { color: #616061; font-family: Menlo, Consolas, monospace; font-size: 13px; }
        .msg.ephemeral { background: #f4ede4; border-left: 4px solid #e8912d; }
        .msg.ephemeral .only { font-size: 12px; color: #616061; }
        .thread { margin: 4px 0 12px 28px; padding-left: 12px; border-left: 3px solid #e0e0e0; }
        .thread-label { font-size: 12px; color: #1264a3; font-weight: 700; margin-left: 10px; }
        .block { margin: 4px 0; }
        .block h3 { margin: 4px 0; font-size: 18px; }
        .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; margin: 4px 0; }
        .context { color: #616061; font-size: 13px; display: flex; gap: 12px; flex-wrap: wrap; }
        hr { border: 0; border-top: 1px solid #ddd; margin: 8px 0; }
        .actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 6px 0; }
        .btn { border: 1px solid #bbb; background: #fff; border-radius: 4px; padding: 4px 12px; font-weight: 700; cursor: pointer; font-size: 14px; }
        .btn:hover { background: #f4f4f4; }
        .btn.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
        .btn.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
        code { background: #f6f6f6; border: 1px solid #e2e2e2; border-radius: 3px; padding: 0 3px; color: #c01343; font-size: 13px; }
        pre { background: #f6f6f6; border: 1px solid #e2e2e2; border-radius: 4px; padding: 8px; white-space: pre-wrap; font-size: 13px; margin: 4px 0; }
        .mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
        a { color: #1264a3; }
        .file { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; display: inline-block; }
        #composer { display: flex; gap: 8px; padding: 10px 16px; border-top: 1px solid #ddd; align-items: center; }
        #composer .prefix { font-family: Menlo, Consolas, monospace; color: #616061; }
        #composer input { flex: 1; font-size: 15px; padding: 8px; border: 1px solid #bbb; border-radius: 6px; }
        .backdrop { position: fixed; inset: 0; background: rgba(0,0,0,.45); display: flex; align-items: center; justify-content: center; }
        .backdrop[hidden] { display: none; }
        .modal { background: #fff; border-radius: 8px; padding: 20px 24px; width: min(520px, 92vw); box-shadow: 0 12px 40px rgba(0,0,0,.3); }
        .modal h2 { margin: 0 0 12px; font-size: 20px; }
        .modal-buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 18px; }
        """;
}
