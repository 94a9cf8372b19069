using System.Globalization;

namespace Tvm.Infrastructure.Configuration;

public static class ConfigurationExtensions
{
    public static WebApplicationBuilder AddTvmOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IConfigureOptions<TvmOptions>, TvmOptionsBinder>();
        builder.Services.AddSingleton<IValidateOptions<TvmOptions>, TvmOptionsValidator>();
        builder.Services.AddOptions<TvmOptions>().ValidateOnStart();

        // Kestrel is built before options are validated; an invalid PORT falls back here and then fails validation.
        var port = int.TryParse(builder.Configuration[EnvironmentNames.Port], NumberStyles.Integer, CultureInfo.InvariantCulture, out var configured)
            && configured is >= 1 and <= 65535 ? configured : 8000;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(port);

            // Room for a token somewhat over the 16 KiB that /vend accepts, so that one is answered 401 by the
            // validator rather than 431 by the server.
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
        });
        return builder;
    }
}
