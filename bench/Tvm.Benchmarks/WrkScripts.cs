using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>
/// The Lua scripts wrk runs, written to the run's private temporary folder (they carry tokens). All send
/// <c>POST /vend</c> with an empty body and a bearer token, as a workload's credential helper does.
/// </summary>
internal sealed class WrkScripts(string directory)
{
    /// <summary>Every request carries the same token: after the first, TVM answers from its caches.</summary>
    public string OneToken(string name, string token)
    {
        var path = Path.Combine(directory, name + ".lua");
        File.WriteAllText(path, $"""
            -- POST /vend with one bearer token on every request.
            wrk.method = "POST"
            wrk.headers["Authorization"] = "Bearer {token}"

            """);
        return path;
    }

    /// <summary>
    /// Every request carries a different token, taken in turn from a file of tokens. Each wrk thread takes a
    /// disjoint share (token i goes to thread i mod threads), so no token is sent twice until all have been sent.
    /// The requests are formatted once in <c>init</c>, keeping Lua string work off the load path.
    /// </summary>
    public string RotatingTokens(string name, IReadOnlyCollection<string> tokens, int threads)
    {
        var tokenFile = Path.Combine(directory, name + ".tokens");
        File.WriteAllLines(tokenFile, tokens);
        var path = Path.Combine(directory, name + ".lua");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $$"""
            -- POST /vend, each request with the next of {{tokens.Count}} distinct bearer tokens.
            local threads_started = 0

            function setup(thread)
              thread:set("thread_index", threads_started)
              threads_started = threads_started + 1
            end

            local requests = {}
            local position = 0

            function init(args)
              local line_number = 0
              for token in io.lines([[{{tokenFile}}]]) do
                if line_number % {{threads}} == thread_index then
                  requests[#requests + 1] = wrk.format("POST", "/vend", { ["Authorization"] = "Bearer " .. token })
                end
                line_number = line_number + 1
              end
            end

            function request()
              position = position % #requests + 1
              return requests[position]
            end

            """));
        return path;
    }
}
