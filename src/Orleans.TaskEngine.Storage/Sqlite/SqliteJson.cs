using System.Text.Json.Serialization;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>The JSON the SQLite store keeps in columns (a summary's tags), source-generated.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class SqliteJson : JsonSerializerContext;
