using System.Buffers;

namespace Cerberus.ChatOps.Slack.Http;

/// <summary>Reads a request body into memory up to a cap; a larger body is refused without reading the rest.</summary>
internal static class SlackBodyReader
{
    /// <summary>The raw body, or null when it is longer than <paramref name="maxBytes"/> (declared or actual).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var total = 0;
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(total, maxBytes + 1 - total), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, total).ToArray();
                }

                total += read;
                if (total > maxBytes)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True for a form body that is Slack's <c>ssl_check=1</c> probe (checked on the raw tokens, nothing else is read).</summary>
    public static bool IsSslCheck(ReadOnlySpan<byte> body)
    {
        foreach (var range in body.Split((byte)'&'))
        {
            if (body[range].SequenceEqual("ssl_check=1"u8))
            {
                return true;
            }
        }

        return false;
    }
}
