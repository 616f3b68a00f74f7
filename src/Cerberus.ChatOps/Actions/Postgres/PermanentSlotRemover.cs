using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Timing;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Removes a permanent slot from Patroni's dynamic configuration (PATCH /config, authenticated like the POSTs) and
/// checks that the configuration no longer lists it. Patroni 3.0.2 <c>do_PATCH_config</c>: 200 with the new
/// configuration, 409 when it changed concurrently (nothing written), 503 when the DCS has none; a lost answer is
/// decided by reading /config, never by sending again blindly.
/// </summary>
internal sealed class PermanentSlotRemover(IPatroniClient patroni, TimeProvider time)
{
    /// <summary>The outcome: removed (or already absent), and how many PATCHes reached Patroni.</summary>
    public sealed record Result(bool Removed, string Text, int Reached);

    public async Task<Result> RemoveAsync(PermanentSlot slot, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(progress);
        var reached = 0;
        var answers = new List<string>();
        foreach (var patch in PatroniSlotConfig.RemovalPatches(slot))
        {
            PatroniCommandResult? last = null;
            foreach (var member in patroni.Members)
            {
                progress.Report($"PATCH {new Uri(member, "config")} {patch.ToJsonString()}…");
                last = await patroni.PatchConfigAsync(member, patch, cancellationToken);
                if (!last.NotSent)
                {
                    break;
                }

                answers.Add($"{member}: {last.Error}");
            }

            if (last is null)
            {
                return new(false, "no Patroni member is configured", reached);
            }

            reached += last.NotSent ? 0 : 1;
            answers.Add(Describe(last));
            if (last.Succeeded)
            {
                continue;
            }

            if (last.Unknown)
            {
                // The answer was lost: /config decides. The removal patch is the last one, so "absent" means done.
                var config = await PatroniSlotView.ReadConfigAsync(patroni, cancellationToken);
                if (config is not null && config.FindPermanent(slot.Name) is null)
                {
                    continue;
                }

                return new(false, $"PATCH /config answered {string.Join(" | ", answers)}; /config {(config is null ? "did not answer" : "still lists " + slot.Name)}", reached);
            }

            var hint = last.StatusCode switch
            {
                401 => " Check Cerberus:Patroni:Username and Password (restapi.authentication).",
                403 => " Patroni's restapi allowlist or client certificate refused the bot.",
                409 => " The configuration changed concurrently; nothing was written.",
                _ => string.Empty,
            };
            return new(false, $"PATCH /config answered {string.Join(" | ", answers)}.{hint}", reached);
        }

        return new(true, $"PATCH /config answered {string.Join(" | ", answers)}", reached);
    }

    /// <summary>
    /// Polls every member's GET /config until none lists <paramref name="name"/> (each member serves its cached view
    /// of the DCS, refreshed every loop_wait), for up to <paramref name="timeout"/> (zero: one look). Null when none
    /// lists it; otherwise why.
    /// </summary>
    public async Task<string?> WaitUnlistedAsync(string name, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        var polled = await Poll.UntilAsync(time, timeout, interval, ct => ListingAsync(name, ct), l => l.Answered > 0 && l.Listing.Count == 0, cancellationToken);
        var (answered, listing) = polled.Last;
        return polled.Converged ? null
            : answered == 0 ? "no member's GET /config answered"
            : $"GET /config still lists {name} on {string.Join(", ", listing)}";
    }

    /// <summary>How many members' GET /config answered, and which of them list <paramref name="name"/> as permanent.</summary>
    private async Task<(int Answered, List<string> Listing)> ListingAsync(string name, CancellationToken cancellationToken)
    {
        var listing = new List<string>();
        var answered = 0;
        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetConfigAsync(member, cancellationToken)).Value is { } config)
            {
                answered++;
                if (PatroniSlotConfig.From(config).FindPermanent(name) is { } still)
                {
                    listing.Add($"{member.Authority} ({still})");
                }
            }
        }

        return (answered, listing);
    }

    private static string Describe(PatroniCommandResult result)
    {
        if (result.StatusCode is not { } status)
        {
            return result.Error ?? "no answer";
        }

        // 200 carries the whole configuration: keep only the status; errors are short text.
        if (status == 200)
        {
            return "200";
        }

        var body = result.Body.Length > 200 ? result.Body[..200] + "…" : result.Body;
        return string.IsNullOrEmpty(body) ? $"{status}" : $"{status} \"{body}\"";
    }

    /// <summary>For tests and the card: the JSON a patch sends.</summary>
    public static string Json(PermanentSlot slot) =>
        string.Join(" then ", PatroniSlotConfig.RemovalPatches(slot).Select(p => p.ToJsonString()));
}
