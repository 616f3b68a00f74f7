using System.Text.Json;
using System.Text.Json.Serialization;
using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Store;

/// <summary>
/// The JSON document an incident is stored as: the whole <see cref="IncidentSnapshot"/> (timeline, action ledger,
/// diagnoses), enums as their names so the document stays readable and survives enum reordering.
/// </summary>
internal static class IncidentDocument
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },

        // Computed properties (IsOpen, NeedsUndo, Worst...) are derived again on load.
        IgnoreReadOnlyProperties = true,
    };

    public static string Serialize(IncidentSnapshot snapshot) => JsonSerializer.Serialize(snapshot, Options);

    /// <summary>Reads a stored document; the version column, not the document, is authoritative.</summary>
    public static IncidentSnapshot Deserialize(string json, long version) =>
        (JsonSerializer.Deserialize<IncidentSnapshot>(json, Options)
         ?? throw new InvalidDataException("An incident document is empty.")) with { Version = version };

    /// <summary>INC-2026-0001: the year and a per-year sequence number.</summary>
    public static string FormatId(int year, long number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"INC-{year:D4}-{number:D4}");

    public static string ConflictMessage(string incidentId, long expected) =>
        $"Incident {incidentId} changed since version {expected} was loaded (another request or replica saved first); reload it and decide again.";
}
