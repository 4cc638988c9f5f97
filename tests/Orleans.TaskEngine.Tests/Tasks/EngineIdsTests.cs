using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Tasks;

public sealed class EngineIdsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("task-1")]
    [InlineData("Batch_2024.01:a-b")]
    [InlineData("...")]
    [InlineData("::")]
    public void Ids_of_the_grammar_are_valid(string id)
    {
        Assert.True(EngineIds.IsValid(id));
        Assert.Null(EngineIds.Describe(id));
    }

    [Fact]
    public void The_length_bound_is_128_inclusive()
    {
        Assert.True(EngineIds.IsValid(new string('a', 128)));
        Assert.False(EngineIds.IsValid(new string('a', 129)));
        Assert.Contains("129 characters long", EngineIds.Describe(new string('a', 129), "task id"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData(" ", "U+0020 at position 0")]
    [InlineData("a b", "U+0020 at position 1")]
    [InlineData("a/b", "U+002F")]
    [InlineData("a%2Fb", "U+0025")]
    [InlineData("café", "U+00E9 at position 3")]
    [InlineData("a\u200Bb", "'a\\u200Bb' has U+200B")]
    [InlineData("a\u202Eb", "'a\\u202Eb' has U+202E")]
    [InlineData("a\0b", "U+0000")]
    [InlineData("a\nb", "U+000A")]
    [InlineData("ａ", "U+FF41")]
    public void Anything_else_is_refused_with_a_reason_that_shows_the_character_escaped(string? id, string reason)
    {
        Assert.False(EngineIds.IsValid(id));
        var described = EngineIds.Describe(id, "task id");
        Assert.NotNull(described);
        Assert.StartsWith("task id", described, StringComparison.Ordinal);
        Assert.Contains(reason, described, StringComparison.Ordinal);
        Assert.Contains(EngineIds.Grammar, described, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", described, StringComparison.Ordinal);
        Assert.DoesNotContain("\u200B", described, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_is_refused_and_shown_escaped()
    {
        // Built at run time: an attribute argument cannot carry a lone surrogate (it is stored as UTF-8).
        var id = "a" + (char)0xD800 + "b";
        Assert.False(EngineIds.IsValid(id));
        Assert.Contains("'a\\uD800b' has U+D800 at position 1", EngineIds.Describe(id, "task id"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_refused_id_is_shown_elided()
    {
        var described = EngineIds.Describe(new string('a', 100) + " ", "task id")!;
        Assert.Contains("…", described, StringComparison.Ordinal);
        Assert.True(described.Length < 200, described);
    }

    [Fact]
    public void ThrowIfInvalid_names_the_parameter_and_the_grammar()
    {
        var taskId = "a b";
        var error = Assert.Throws<ArgumentException>(() => EngineIds.ThrowIfInvalid(taskId));
        Assert.Equal("taskId", error.ParamName);
        Assert.Contains(EngineIds.Grammar, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_the_engine_makes_satisfy_the_grammar()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = TaskEngineClusterClient.NewTaskId();
            Assert.True(EngineIds.IsValid(id), id);
        }

        // Idempotency keys are the caller's text, anything up to 200 characters; the id derived from one must not be.
        string[] callers = ["anonymous", "key-0123456789ab", "", "\u202E"];
        string[] keys = ["k", " ", "a/b", "café", ((char)0xD800).ToString(), "a\u200Bb", new string('x', IdempotencyKeys.MaxLength), "../../etc", "%00"];
        foreach (var caller in callers)
        {
            foreach (var key in keys)
            {
                var id = IdempotencyKeys.TaskIdFor(caller, key);
                Assert.True(EngineIds.IsValid(id), id);
            }
        }
    }
}
