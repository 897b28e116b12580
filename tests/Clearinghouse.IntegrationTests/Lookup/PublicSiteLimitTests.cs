using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace Clearinghouse.IntegrationTests;

/// <summary>The public site's limits per client address: lookups a minute, delisting calls an hour.</summary>
public class PublicSiteLimitTests
{
    [Fact]
    public async Task A_client_beyond_its_limits_is_answered_429_with_when_to_retry()
    {
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Public:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Public:LookupsPerMinute"] = "3",
            ["Clearinghouse:Public:DelistingCallsPerHour"] = "2",
        });
        using var http = new HttpClient { BaseAddress = host.PublicAddress };

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await http.GetAsync("/api/v1/lookup?q=a.example");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var lookups = await http.GetAsync("/lookup?q=a.example");
        Assert.Equal(HttpStatusCode.TooManyRequests, lookups.StatusCode);
        Assert.NotNull(lookups.Headers.RetryAfter?.Delta);

        for (var i = 0; i < 2; i++)
        {
            using var counted = await http.PostAsJsonAsync("/api/v1/delisting-requests", new { subject = "nobody@else.example", method = "email" });
            Assert.Equal(HttpStatusCode.NotFound, counted.StatusCode);
        }

        using var delisting = await http.PostAsJsonAsync("/api/v1/delisting-requests", new { subject = "nobody@else.example", method = "email" });
        Assert.Equal(HttpStatusCode.TooManyRequests, delisting.StatusCode);
        Assert.Contains("retry later", (await delisting.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetString());

        // The pages still answer: the limits are per kind of call.
        using var home = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }
}
