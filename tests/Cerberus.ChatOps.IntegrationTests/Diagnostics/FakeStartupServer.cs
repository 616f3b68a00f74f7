using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cerberus.ChatOps.IntegrationTests.Diagnostics;

/// <summary>
/// Speaks just enough of the PostgreSQL wire protocol to fail a startup the way a real server does: declines SSL/GSS
/// requests ('N'), reads the StartupMessage, then answers an ErrorResponse with the given SQLSTATE and message
/// (57P03 while starting up, 53300 for a role's connection limit), or resets the connection (<paramref name="sqlState"/> null).
/// </summary>
internal sealed class FakeStartupServer : IAsyncDisposable
{
    private const int SslRequest = 80877103;
    private const int GssEncRequest = 80877104;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _sqlState;
    private readonly string _message;
    private readonly Task _loop;

    public FakeStartupServer(string? sqlState, string message)
    {
        _sqlState = sqlState;
        _message = message;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=cerberus_monitor;Password=not-used-secret;Database=cerberus";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var header = new byte[8];
                while (true)
                {
                    await stream.ReadExactlyAsync(header, _stop.Token);
                    var length = BinaryPrimitives.ReadInt32BigEndian(header);
                    var code = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
                    if (code is SslRequest or GssEncRequest)
                    {
                        await stream.WriteAsync("N"u8.ToArray(), _stop.Token);
                        continue;
                    }

                    await stream.ReadExactlyAsync(new byte[length - 8], _stop.Token);
                    break;
                }

                if (_sqlState is null)
                {
                    client.Client.LingerState = new LingerOption(true, 0); // close with RST
                    return;
                }

                await stream.WriteAsync(ErrorResponse(_sqlState, _message), _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private static byte[] ErrorResponse(string sqlState, string message)
    {
        var body = new List<byte>();
        foreach (var (type, value) in new[] { ('S', "FATAL"), ('V', "FATAL"), ('C', sqlState), ('M', message) })
        {
            body.Add((byte)type);
            body.AddRange(Encoding.UTF8.GetBytes(value));
            body.Add(0);
        }

        body.Add(0);
        var packet = new byte[1 + 4 + body.Count];
        packet[0] = (byte)'E';
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(1), 4 + body.Count);
        body.CopyTo(packet, 5);
        return packet;
    }
}
