namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>Where the fake API server's PVC resize ends.</summary>
public enum FakeResizeEnd
{
    /// <summary>Resizing, FileSystemResizePending, then status.capacity = the request.</summary>
    Completes,

    /// <summary>Resizing, then FileSystemResizePending for good (a driver without online expansion: the pod must restart).</summary>
    FileSystemPending,

    /// <summary>Resizing for good (a stuck CSI resizer on a cluster before 1.31).</summary>
    Never,

    /// <summary>Resizing, then ControllerResizeError (Kubernetes 1.31+), the capacity unchanged.</summary>
    ControllerError,
}
