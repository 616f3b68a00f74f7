namespace Cerberus.ChatOps.Drill.Live;

/// <summary>A live drill could not inject or restore its fault; the message is for the thread (no secrets).</summary>
internal sealed class LiveDrillException(string message) : Exception(message);
