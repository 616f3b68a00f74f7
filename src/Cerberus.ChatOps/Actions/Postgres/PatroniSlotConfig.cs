using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The slot part of Patroni's dynamic configuration (<c>GET /config</c>): the permanent slots, which the leader
/// creates and keeps (a slot dropped with SQL alone is re-created by the next leader and retains WAL again), and the
/// <c>ignore_slots</c> matchers, whose slots belong to consumers outside Patroni. Pure, so it is unit-tested.
/// </summary>
internal sealed partial class PatroniSlotConfig
{
    private PatroniSlotConfig(IReadOnlyDictionary<string, PermanentSlot> permanent, IReadOnlyList<IgnoreSlotsRule> ignore, IReadOnlyList<string> problems)
    {
        Permanent = permanent;
        Ignore = ignore;
        Problems = problems;
    }

    public static PatroniSlotConfig Empty { get; } = new(new Dictionary<string, PermanentSlot>(StringComparer.Ordinal), [], []);

    public IReadOnlyDictionary<string, PermanentSlot> Permanent { get; }

    public IReadOnlyList<IgnoreSlotsRule> Ignore { get; }

    /// <summary>Entries Patroni itself would reject or skip (logged, not acted on), for the card's basis.</summary>
    public IReadOnlyList<string> Problems { get; }

    public static PatroniSlotConfig From(PatroniDynamicConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<string>();
        var permanent = new Dictionary<string, PermanentSlot>(StringComparer.Ordinal);
        var (key, slots) = PermanentSection(config);
        if (key is not null && slots.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"`{key}` is not a mapping of slot names");
        }
        else if (key is not null)
        {
            foreach (var entry in slots.EnumerateObject())
            {
                if (!SlotNameRegex().IsMatch(entry.Name))
                {
                    // dcs/__init__.py: "Invalid permanent replication slot name"; Patroni skips it.
                    problems.Add($"`{key}` entry '{entry.Name}' is not a valid slot name (Patroni skips it)");
                    continue;
                }

                if (Parse(entry.Name, key, entry.Value) is { } slot)
                {
                    permanent[entry.Name] = slot;
                }
                else
                {
                    problems.Add($"`{key}` entry '{entry.Name}' has a value Patroni rejects (\"Bad value for slot\")");
                }
            }
        }

        var ignore = new List<IgnoreSlotsRule>();
        if (Truthy(config.IgnoreSlots) && config.IgnoreSlots.ValueKind == JsonValueKind.Array)
        {
            foreach (var matcher in config.IgnoreSlots.EnumerateArray())
            {
                if (matcher.ValueKind == JsonValueKind.Object)
                {
                    ignore.Add(new IgnoreSlotsRule(Text(matcher, "name"), Text(matcher, "type"), Text(matcher, "database"), Text(matcher, "plugin")));
                }
                else
                {
                    problems.Add($"an `ignore_slots` entry is not a mapping: {matcher.GetRawText()}");
                }
            }
        }
        else if (Truthy(config.IgnoreSlots))
        {
            problems.Add("`ignore_slots` is not a list");
        }

        return new(permanent, ignore, problems);
    }

    public PermanentSlot? FindPermanent(string name) => Permanent.GetValueOrDefault(name);

    public IgnoreSlotsRule? FindIgnore(ReplicationSlotInfo slot) => Ignore.FirstOrDefault(r => r.Matches(slot));

    /// <summary>
    /// The PATCH bodies that remove <paramref name="slot"/> from the configuration, in order: <c>{"slots": {"x": null}}</c>,
    /// preceded by <c>{"slots": {"x": {"type": "physical"}}}</c> when the entry is null (see <see cref="PermanentSlot.DeclaredNull"/>).
    /// </summary>
    public static IReadOnlyList<JsonObject> RemovalPatches(PermanentSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var remove = new JsonObject { [slot.Key] = new JsonObject { [slot.Name] = null } };
        return slot.DeclaredNull
            ? [new JsonObject { [slot.Key] = new JsonObject { [slot.Name] = new JsonObject { ["type"] = "physical" } } }, remove]
            : [remove];
    }

    /// <summary><c>ClusterConfig.permanent_slots</c>: the first key whose value is truthy in Python's sense.</summary>
    private static (string? Key, JsonElement Value) PermanentSection(PatroniDynamicConfig config)
    {
        foreach (var (key, value) in new[] { ("permanent_replication_slots", config.PermanentReplicationSlots), ("permanent_slots", config.PermanentSlots), ("slots", config.Slots) })
        {
            if (Truthy(value))
            {
                return (key, value);
            }
        }

        return (null, default);
    }

    private static PermanentSlot? Parse(string name, string key, JsonElement value)
    {
        if (!Truthy(value))
        {
            // `not value` → {'type': 'physical'}.
            return new PermanentSlot(name, key, "physical", null, null, value.ValueKind == JsonValueKind.Null);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var database = Text(value, "database");
        var plugin = Text(value, "plugin");
        var type = Text(value, "type") ?? (!string.IsNullOrEmpty(database) && !string.IsNullOrEmpty(plugin) ? "logical" : "physical");
        return type switch
        {
            "physical" => new PermanentSlot(name, key, "physical", null, null, false),
            "logical" when !string.IsNullOrEmpty(database) && !string.IsNullOrEmpty(plugin) => new PermanentSlot(name, key, "logical", database, plugin, false),
            _ => null,
        };
    }

    private static string? Text(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var v) ? v.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => v.GetString(),
            _ => v.GetRawText(),
        } : null;

    /// <summary>Python truthiness of a JSON value (absent, null, {}, [], "", 0 and false are falsy).</summary>
    private static bool Truthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().Any(),
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Number => value.GetDouble() != 0,
        JsonValueKind.True => true,
        _ => false,
    };

    /// <summary><c>dcs/__init__.py</c> <c>slot_name_re</c>.</summary>
    [GeneratedRegex("^[a-z0-9_]{1,63}$")]
    private static partial Regex SlotNameRegex();
}
