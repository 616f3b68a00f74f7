using Cerberus.ChatOps.Diagnostics.Postgres;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>A logical slot's catalog_xmin holds back only the system catalogs; a session or a prepared transaction holds back every table.</summary>
public sealed class XidHolderTests
{
    private static readonly XidTable UserTable = new(1, "public", "orders", 5_000, 8192, false);
    private static readonly XidTable Catalog = new(2, "pg_catalog", "pg_class", 5_000, 8192, false);

    [Fact]
    public void AgeFor_LogicalSlotWithOnlyCatalogXmin_HoldsCatalogsNotUserTables()
    {
        // arrange
        var slot = new XidHolder("slot", "cdc", 9_000, "logical slot cdc (inactive, catalog_xmin)", false, 0);

        // act
        var user = slot.AgeFor(UserTable);
        var catalog = slot.AgeFor(Catalog);

        // assert
        Assert.Equal(0, user);
        Assert.Equal(9_000, catalog);
    }

    [Fact]
    public void AgeFor_PreparedTransaction_HoldsEveryTable()
    {
        // arrange
        var prepared = new XidHolder("prepared", "tx1", 9_000, "prepared transaction 'tx1'", false, 9_000);

        // act
        var user = prepared.AgeFor(UserTable);

        // assert
        Assert.Equal(9_000, user);
    }
}
