namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// One TokenReview request as the emulator received it. Only the SHA-256 of the reviewed token is kept so that
/// tests can match reviews to tokens without the emulator holding on to bearer credentials.
/// </summary>
/// <param name="TokenSha256">Lower-case hex SHA-256 of <c>spec.token</c> (UTF-8); see <see cref="KubernetesApiEmulator.Sha256Hex"/>.</param>
/// <param name="Audiences"><c>spec.audiences</c> as sent; empty when the request named none.</param>
/// <param name="At">When the request arrived, by the emulator's clock.</param>
public sealed record ReceivedTokenReview(string TokenSha256, IReadOnlyList<string> Audiences, DateTimeOffset At);
