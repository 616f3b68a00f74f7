using System.Text.RegularExpressions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Reports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cerberus.ChatOps.Api;

/// <summary>
/// <c>GET /incidents</c> (the list, JSON) and <c>GET /incidents/{id}/report.md</c> (the stored post-incident
/// document), both behind the bearer token of <see cref="ReportsOptions"/>. Errors are problem+json bodies that say
/// why; a store failure is a 503, never a 500.
/// </summary>
internal static partial class IncidentsEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public const string MarkdownContentType = "text/markdown; charset=utf-8";

    public static RouteGroupBuilder MapIncidentsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/incidents").AddEndpointFilter<BearerTokenFilter>().WithTags("Incidents");
        group.MapGet(string.Empty, ListIncidentsAsync).WithName("ListIncidents");
        group.MapGet("/{id}/report.md", GetReportAsync).WithName("GetIncidentReport");
        return group;
    }

    public static string ReportPath(string incidentId) => $"/incidents/{incidentId}/report.md";

    internal static async Task<Results<Ok<IReadOnlyList<IncidentListItem>>, ProblemHttpResult>> ListIncidentsAsync(
        [FromQuery] bool? open,
        [FromQuery] int? limit,
        [FromServices] IIncidentStore? store,
        [FromServices] ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            return Problem(StatusCodes.Status400BadRequest, $"limit must be between 1 and {MaxLimit}.");
        }

        if (store is null)
        {
            return StoreMissing();
        }

        IReadOnlyList<IncidentSummary> summaries;
        try
        {
            summaries = await store.ListAsync(open ?? false, take, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.StoreFailed(Logger(loggers), "list", ex);
            return StoreFailed();
        }

        IReadOnlyList<IncidentListItem> items = summaries.Select(s =>
        {
            var whyNot = ReportEligibility.WhyNot(s.Id, s.State);
            return new IncidentListItem(s.Id, s.Channel, s.Summary, s.State.ToString(), s.Commander, s.DeclaredAt, s.ResolvedAt, s.Drill,
                whyNot is null ? ReportPath(s.Id) : null, whyNot);
        }).ToList();
        return TypedResults.Ok(items);
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetReportAsync(
        string id,
        [FromServices] IIncidentStore? store,
        [FromServices] ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var incidentId = id.Trim().ToUpperInvariant();
        if (!IncidentId().IsMatch(incidentId))
        {
            return Problem(StatusCodes.Status400BadRequest, $"'{Shorten(id)}' is not an incident id: expected INC-YYYY-NNNN, e.g. INC-2026-0001.");
        }

        if (store is null)
        {
            return StoreMissing();
        }

        Incident? incident;
        try
        {
            incident = await store.GetAsync(incidentId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.StoreFailed(Logger(loggers), incidentId, ex);
            return StoreFailed();
        }

        if (incident is null)
        {
            return Problem(StatusCodes.Status404NotFound, $"There is no incident {incidentId}.");
        }

        if (ReportEligibility.WhyNot(incident.Id, incident.State) is { } whyNot)
        {
            return Problem(incident.State == IncidentState.Cancelled ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict, whyNot);
        }

        if (string.IsNullOrEmpty(incident.ReportMarkdown))
        {
            return Problem(StatusCodes.Status404NotFound, $"{incident.Id} is {incident.State}, but its document has not been written yet; try again in a minute.");
        }

        return TypedResults.Text(incident.ReportMarkdown, MarkdownContentType);
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);

    private static ProblemHttpResult StoreMissing() =>
        Problem(StatusCodes.Status503ServiceUnavailable, "The incident store is not available in this instance.");

    private static ProblemHttpResult StoreFailed() =>
        Problem(StatusCodes.Status503ServiceUnavailable, "The incident store did not answer; try again shortly.");

    private static ILogger Logger(ILoggerFactory loggers) => loggers.CreateLogger(typeof(IncidentsEndpoints).FullName!);

    private static string Shorten(string value)
    {
        var clean = new string(value.Where(c => !char.IsControl(c)).ToArray());
        return clean.Length <= 40 ? clean : clean[..37] + "...";
    }

    [GeneratedRegex(@"^INC-\d{4}-\d{4,8}$", RegexOptions.CultureInvariant)]
    private static partial Regex IncidentId();

    private static partial class Log
    {
        [LoggerMessage(EventId = 7111, Level = LogLevel.Error, Message = "Reports API: the incident store failed ({What})")]
        public static partial void StoreFailed(ILogger logger, string what, Exception exception);
    }
}
