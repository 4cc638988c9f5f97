using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Api;

public sealed class SubmitRequestMapperTests
{
    [Theory]
    [InlineData("1e400", "1e400", true)]
    [InlineData("1e99999999999999999999", "1e99999999999999999999", true)]
    [InlineData("1e99999999999999999999", "2e99999999999999999999", false)]
    [InlineData("\"\\ud800\"", "\"\\ud800\"", true)]
    [InlineData("\"\\ud800\"", "\"\\ud801\"", false)]
    [InlineData("{\"a\":\"\\udc00\",\"b\":1}", "{\"a\":\"\\udc00\",\"b\":1}", true)]
    [InlineData("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}", true)]
    [InlineData("1.0", "1", true)]
    // JsonElement.DeepEquals throws on both (an exponent past Int32, a string that is not valid UTF-16): such payloads
    // are compared as the text they were sent as.
    public void Repeats_compare_payloads_that_no_dotnet_type_holds_without_throwing(string first, string repeat, bool same)
    {
        var a = new TaskSubmission { Type = "echo", Payload = first, IdempotencyKey = "k" };
        var b = a with { Payload = repeat };

        Assert.Equal(same, SubmitRequestMapper.SameRequest(a, b));
    }
}
